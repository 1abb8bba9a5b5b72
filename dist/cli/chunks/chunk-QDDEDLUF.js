// shared/batch/apiVersion.ts
var API_VERSIONS = ["2025-06-01", "2024-07-01.20.0"];
var API_VERSION = "2025-06-01";
function isApiVersion(value) {
  return typeof value === "string" && API_VERSIONS.includes(value);
}
function timeoutParameter(version) {
  return version === "2024-07-01.20.0" ? "timeout" : "timeOut";
}
var REMOVED_IN_2025 = {
  certificateReferences: "certificates are gone from api-version 2025-06-01: use the Azure Key Vault VM extension",
  targetNodeCommunicationMode: "simplified node communication is the only mode in api-version 2025-06-01",
  resourceTags: "resource tags of a pool are set through Azure Resource Manager from api-version 2025-06-01"
};
function writeInt64(version, value) {
  return version === "2024-07-01.20.0" ? value : String(value);
}

// shared/batch/images.ts
var UBUNTU_2404 = "microsoft-dsvm / ubuntu-hpc / 2404 with node agent batch.node.ubuntu 24.04 (container pools), or canonical / ubuntu-24_04-lts / server";
var RETIREMENTS = [
  { nodeAgent: "batch.node.ubuntu 14.04", date: "2019-08-01", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/61" },
  { nodeAgent: "batch.node.ubuntu 16.04", date: "2021-05-21", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/106" },
  { nodeAgent: "batch.node.ubuntu 18.04", date: "2023-05-30", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/152" },
  { nodeAgent: "batch.node.ubuntu 20.04", date: "2025-04-23", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/174" },
  { nodeAgent: "batch.node.ubuntu 22.04", date: "2027-06-30", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/200" },
  ...["batch.node.centos 7", "batch.node.centos 8"].map((nodeAgent) => ({
    nodeAgent,
    date: "2024-12-31",
    replacement: `an AlmaLinux or Rocky Linux image with batch.node.el 9, or ${UBUNTU_2404}`,
    source: "https://github.com/Azure/Batch/issues/180"
  })),
  ...["batch.node.debian 8", "batch.node.debian 9", "batch.node.debian 10"].map((nodeAgent) => ({ nodeAgent, date: "2024-12-31", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/180" })),
  // The Ubuntu 20.04 container images of microsoft-azure-batch, and the other 20.04 Marketplace images.
  { image: { publisher: "microsoft-azure-batch", offer: "ubuntu-server-container", sku: /^20-04-lts$/ }, date: "2025-04-23", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/174" },
  { image: { publisher: "microsoft-azure-batch", offer: "ubuntu-server-container-rdma", sku: /^20-04-lts$/ }, date: "2025-04-23", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/174" },
  { image: { publisher: "canonical", offer: "0001-com-ubuntu-server-focal", sku: /^20_04-lts/ }, date: "2025-04-23", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/174" },
  { image: { publisher: "microsoft-dsvm", offer: "ubuntu-2004", sku: /^2004/ }, date: "2025-04-23", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/174" },
  { image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: /^2004/ }, date: "2025-04-23", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/174" },
  { image: { publisher: "microsoft-azure-batch", offer: "centos-container", sku: /./ }, date: "2024-12-31", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/180" },
  { image: { publisher: "microsoft-azure-batch", offer: "centos-container-rdma", sku: /./ }, date: "2024-12-31", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/180" },
  { image: { publisher: "microsoftwindowsserver", offer: "windowsserver", sku: /^2012-/i }, date: "2024-12-05", replacement: "microsoftwindowsserver / windowsserver / 2022-datacenter-core-smalldisk", source: "https://github.com/Azure/Batch/issues/179" },
  { image: { publisher: "microsoftwindowsserver", offer: "windowsserver", sku: /^2016-/i }, date: "2027-01-12", replacement: "microsoftwindowsserver / windowsserver / 2022-datacenter-core-smalldisk", source: "https://github.com/Azure/Batch/issues/197" }
];
var RETIREMENT_WARNING_DAYS = 180;
var DAY_MS = 864e5;
function retirementTime(r) {
  return Date.parse(`${r.date}T23:59:59.999Z`);
}
function describeImage(image2) {
  return image2.virtualMachineImageId ?? [image2.publisher, image2.offer, image2.sku].join(" / ");
}
function retirementsOf(image2, nodeAgent) {
  const lower = (s) => (s ?? "").toLowerCase();
  const found = RETIREMENTS.filter(
    (r) => r.image && lower(image2.publisher) === r.image.publisher && lower(image2.offer) === r.image.offer && r.image.sku.test(lower(image2.sku))
  );
  for (const r of RETIREMENTS) if (r.nodeAgent && lower(nodeAgent) === r.nodeAgent) found.push(r);
  return found;
}
function checkRetirement(image2, nodeAgent, now = Date.now()) {
  const findings = [];
  for (const r of retirementsOf(image2, nodeAgent)) {
    const field = r.image ? "image" : "nodeAgentSku";
    const what = r.image ? describeImage(image2) : `node agent ${r.nodeAgent}`;
    const end = retirementTime(r);
    if (now > end) {
      findings.push({ status: "retired", field, what, retirement: r, message: `${what} was retired by Azure Batch on ${r.date}: no new pool can use it; use ${r.replacement} (${r.source})` });
    } else if (end - now <= RETIREMENT_WARNING_DAYS * DAY_MS) {
      const daysLeft = Math.ceil((end - now) / DAY_MS);
      findings.push({ status: "retiring", field, what, retirement: r, daysLeft, message: `${what} retires from Azure Batch on ${r.date} (in ${daysLeft} day${daysLeft === 1 ? "" : "s"}); move to ${r.replacement} (${r.source})` });
    }
  }
  return findings;
}
var image = (publisher, offer, sku, nodeAgentSKUId, extra = {}) => ({
  nodeAgentSKUId,
  imageReference: { publisher, offer, sku, version: "latest" },
  osType: nodeAgentSKUId.startsWith("batch.node.windows") ? "windows" : "linux",
  verificationType: "verified",
  ...extra
});
var eol = (date) => `${date}T00:00:00.000Z`;
var DOCKER = ["DockerCompatible"];
var GPU_DOCKER = ["DockerCompatible", "NvidiaTeslaDriverInstalled", "SupportsRDMAOnVmSku"];
var SUPPORTED_IMAGES = [
  image("microsoft-dsvm", "ubuntu-hpc", "2404", "batch.node.ubuntu 24.04", { capabilities: GPU_DOCKER }),
  image("microsoft-dsvm", "ubuntu-hpc", "2404-rocm", "batch.node.ubuntu 24.04", { capabilities: DOCKER }),
  image("microsoft-dsvm", "ubuntu-hpc", "2204", "batch.node.ubuntu 22.04", { capabilities: GPU_DOCKER, batchSupportEndOfLife: eol("2027-06-30") }),
  image("canonical", "ubuntu-24_04-lts", "server", "batch.node.ubuntu 24.04"),
  image("canonical", "ubuntu-24_04-lts", "server-gen1", "batch.node.ubuntu 24.04"),
  image("canonical", "0001-com-ubuntu-server-jammy", "22_04-lts", "batch.node.ubuntu 22.04", { batchSupportEndOfLife: eol("2027-06-30") }),
  image("canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "batch.node.ubuntu 22.04", { batchSupportEndOfLife: eol("2027-06-30") }),
  image("almalinux", "almalinux-x86_64", "9-gen2", "batch.node.el 9"),
  image("almalinux", "almalinux-x86_64", "8-gen2", "batch.node.el 8"),
  image("resf", "rockylinux-x86_64", "9-base", "batch.node.el 9", { verificationType: "unverified" }),
  image("microsoftwindowsserver", "windowsserver", "2022-datacenter-core-smalldisk", "batch.node.windows amd64", { capabilities: DOCKER }),
  image("microsoftwindowsserver", "windowsserver", "2022-datacenter-smalldisk", "batch.node.windows amd64"),
  image("microsoftwindowsserver", "windowsserver", "2019-datacenter-core-smalldisk", "batch.node.windows amd64", { capabilities: DOCKER }),
  image("microsoftwindowsserver", "windowsserver", "2016-datacenter-smalldisk", "batch.node.windows amd64", { batchSupportEndOfLife: eol("2027-01-12") }),
  // Past its end of life: still listed with the date, and no longer taken for a new pool.
  image("microsoft-azure-batch", "ubuntu-server-container", "20-04-lts", "batch.node.ubuntu 20.04", { capabilities: DOCKER, batchSupportEndOfLife: eol("2025-04-23") })
];
function findSupportedImage(table, image2) {
  const lower = (s) => (s ?? "").toLowerCase();
  return table.find(
    (i) => lower(i.imageReference.publisher) === lower(image2.publisher) && lower(i.imageReference.offer) === lower(image2.offer) && lower(i.imageReference.sku) === lower(image2.sku)
  );
}
function pastEndOfLife(info, now) {
  return info.batchSupportEndOfLife !== void 0 && Date.parse(info.batchSupportEndOfLife) <= now;
}

// shared/batch/duration.ts
var DURATION_PATTERN = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
var UNLIMITED_DURATION = "P10675199DT2H48M5.4775807S";
function parseDuration(value) {
  const m = DURATION_PATTERN.exec(value);
  if (!m) return void 0;
  const [, w, d, h, min, sec] = m;
  return (((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 6e4 + Number(sec ?? 0) * 1e3;
}

// shared/batch/armPool.ts
var ARM_API_VERSION = "2024-07-01";
var PLACEMENT = {
  id: null,
  displayName: "properties.displayName",
  vmSize: "properties.vmSize",
  virtualMachineConfiguration: "properties.deploymentConfiguration.virtualMachineConfiguration",
  targetDedicatedNodes: "properties.scaleSettings.fixedScale.targetDedicatedNodes",
  targetLowPriorityNodes: "properties.scaleSettings.fixedScale.targetLowPriorityNodes",
  resizeTimeout: "properties.scaleSettings.fixedScale.resizeTimeout",
  // The presence of a formula is what makes an ARM pool autoscale.
  enableAutoScale: null,
  autoScaleFormula: "properties.scaleSettings.autoScale.formula",
  autoScaleEvaluationInterval: "properties.scaleSettings.autoScale.evaluationInterval",
  enableInterNodeCommunication: "properties.interNodeCommunication",
  startTask: "properties.startTask",
  taskSlotsPerNode: "properties.taskSlotsPerNode",
  metadata: "properties.metadata"
};
var RENAMED = {
  nodeAgentSKUId: "nodeAgentSkuId",
  virtualMachineImageId: "id",
  username: "userName"
};
var ENUMS = {
  type: { dockerCompatible: "DockerCompatible", criCompatible: "CriCompatible" },
  workingDirectory: { taskWorkingDirectory: "TaskWorkingDirectory", containerImageDefault: "ContainerImageDefault" },
  scope: { task: "Task", pool: "Pool" },
  elevationLevel: { nonadmin: "NonAdmin", admin: "Admin" },
  // Bind mount sources are PascalCase in both planes.
  source: { Shared: "Shared", Startup: "Startup", VfsMounts: "VfsMounts", Task: "Task", JobPrep: "JobPrep", Applications: "Applications" }
};
var VALUES = {
  enableInterNodeCommunication: (v) => v ? "Enabled" : "Disabled"
};
function convert(value, key = "") {
  if (Array.isArray(value)) return value.map((v) => convert(v, key));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [RENAMED[k] ?? k, convert(v, k)]));
  }
  const table = ENUMS[key];
  if (table && typeof value === "string") {
    const mapped = table[value];
    if (mapped === void 0) throw new Error(`ARM pool: no ARM value for ${key} "${value}"`);
    return mapped;
  }
  return value;
}
function place(target, path, value) {
  const parts = path.split(".");
  let at = target;
  for (const part of parts.slice(0, -1)) at = at[part] ??= {};
  at[parts[parts.length - 1]] = value;
}
function armPoolBody(pool, identities) {
  const body = {};
  if (identities.length > 0) body.identity = { type: "UserAssigned", userAssignedIdentities: Object.fromEntries(identities.map((id) => [id, {}])) };
  for (const [key, value] of Object.entries(pool)) {
    if (value === void 0) continue;
    if (!(key in PLACEMENT)) throw new Error(`ARM pool: the data-plane field ${key} has no place in the ARM body`);
    const path = PLACEMENT[key];
    if (path === null || path === void 0) continue;
    place(body, path, VALUES[key] ? VALUES[key](value) : convert(value, key));
  }
  return body;
}
var UNRENAMED = Object.fromEntries(Object.entries(RENAMED).map(([k, v]) => [v, k]));
var UNENUMS = Object.fromEntries(Object.entries(ENUMS).map(([k, t]) => [k, Object.fromEntries(Object.entries(t).map(([a, b]) => [b, a]))]));
function unconvert(value, key = "") {
  if (Array.isArray(value)) return value.map((v) => unconvert(v, key));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [UNRENAMED[k] ?? k, unconvert(v, UNRENAMED[k] ?? k)]));
  }
  const table = UNENUMS[key];
  if (table && typeof value === "string") {
    const mapped = table[value];
    if (mapped === void 0) throw new Error(`ARM pool: no data-plane value for ${key} "${value}"`);
    return mapped;
  }
  return value;
}
function pick(source, path) {
  let at = source;
  for (const part of path.split(".")) at = at !== null && typeof at === "object" ? at[part] : void 0;
  return at;
}
function dataPlanePool(arm, id) {
  const pool = { id };
  for (const [key, path] of Object.entries(PLACEMENT)) {
    if (!path) continue;
    const value = pick(arm, path);
    if (value === void 0) continue;
    pool[key] = key === "enableInterNodeCommunication" ? value === "Enabled" : unconvert(value, key);
  }
  if (pool.autoScaleFormula !== void 0) pool.enableAutoScale = true;
  return { pool, identities: Object.keys(arm.identity?.userAssignedIdentities ?? {}) };
}

// shared/batch/glob.ts
function escape(c) {
  return c.replace(/[.+^${}()|[\]\\*?/]/g, "\\$&");
}
function bracket(pattern, start) {
  let i = start;
  let negate = false;
  if (pattern[i] === "!") {
    negate = true;
    i++;
  }
  let body = "";
  for (let first = true; i < pattern.length; i++, first = false) {
    const c = pattern[i];
    if (c === "]" && !first) return { source: `[${negate ? "^/" : ""}${body}]`, end: i + 1 };
    if (c === "-" && !first && pattern[i + 1] !== "]") body += "-";
    else body += c.replace(/[\\\]^[-]/g, "\\$&");
  }
  return void 0;
}
function globToRegExp(pattern, options = {}) {
  let re = "";
  let segmentStart = true;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const noDot = segmentStart ? "(?!\\.)" : "";
    segmentStart = false;
    if (c === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        re += "(?:(?!\\.)[^/]*/)*";
        segmentStart = true;
      } else re += "(?:(?!\\.)[^/]*/)*(?!\\.)[^/]*";
    } else if (c === "*") re += `${noDot}[^/]*`;
    else if (c === "?") re += `${noDot}[^/]`;
    else if (c === "[") {
      const b = bracket(pattern, i + 1);
      if (b) {
        re += noDot + b.source;
        i = b.end - 1;
      } else re += "\\[";
    } else {
      re += escape(c);
      if (c === "/") segmentStart = true;
    }
  }
  return new RegExp(`^${re}$`, options.ignoreCase ? "i" : "");
}
function hasWildcard(pattern) {
  return /[*?]|\[[^\]]+\]/.test(pattern);
}

export {
  RETIREMENT_WARNING_DAYS,
  describeImage,
  retirementsOf,
  checkRetirement,
  SUPPORTED_IMAGES,
  findSupportedImage,
  pastEndOfLife,
  globToRegExp,
  hasWildcard,
  API_VERSIONS,
  API_VERSION,
  isApiVersion,
  timeoutParameter,
  REMOVED_IN_2025,
  writeInt64,
  DURATION_PATTERN,
  UNLIMITED_DURATION,
  parseDuration,
  ARM_API_VERSION,
  armPoolBody,
  dataPlanePool
};
//# sourceMappingURL=chunk-QDDEDLUF.js.map
