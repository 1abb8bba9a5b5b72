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
function readInt64(value) {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^-?\d{1,16}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : void 0;
  }
  return void 0;
}
function writeInt64(version, value) {
  return version === "2024-07-01.20.0" ? value : String(value);
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

// shared/batch/limits.ts
var MINUTE = 6e4;
var MAX_TASKS_PER_REQUEST = 100;
var MAX_REQUEST_BYTES = 1e6;
var SERVICE_MAX_BODY_BYTES = 1024 * 1024;
var MAX_DURATION_MS = 922337203685477;
var BATCH_LIMITS = {
  /** `resizeTimeout`: "The minimum value is 5 minutes." */
  minResizeTimeoutMs: 5 * MINUTE,
  /** `autoScaleEvaluationInterval`: at least 5 minutes and at most 168 hours. */
  minAutoScaleIntervalMs: 5 * MINUTE,
  maxAutoScaleIntervalMs: 168 * 60 * MINUTE,
  /** A job release task's `maxWallClockTime`: "The maximum value is 15 minutes." */
  maxReleaseWallClockMs: 15 * MINUTE,
  /** A job schedule's `recurrenceInterval` and `startWindow`: "The minimum value is 1 minute." */
  minRecurrenceMs: MINUTE,
  minStartWindowMs: MINUTE,
  /** `taskSlotsPerNode`: "The maximum value is the smaller of 4 times the number of cores of the vmSize of the pool or 256." */
  maxTaskSlotsPerNode: 256,
  taskSlotsPerCore: 4,
  /**
   * One environment variable (`NAME=value` and its terminating NUL) or one command line: Linux
   * refuses a longer single string to exec (MAX_ARG_STRLEN, 32 pages of 4 KiB) with E2BIG, so the
   * task could never start although the request is well under 1 MB.
   */
  maxProcessStringBytes: 131072
};
var DEFAULT_PREPARATION_TASK_ID = "jobpreparation";
var DEFAULT_RELEASE_TASK_ID = "jobrelease";
var VM_SIZE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
var INVISIBLE_CHARACTERS = /[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
function invisibleCharacter(text) {
  const m = INVISIBLE_CHARACTERS.exec(text);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at position ${m.index}` : void 0;
}
function durationProblem(value, bounds) {
  const ms = parseDuration(value);
  if (ms === void 0) return void 0;
  if (bounds.minMs !== void 0 && ms < bounds.minMs) return `${value} is under Batch's minimum of ${bounds.min}`;
  if (bounds.maxMs !== void 0 && ms > bounds.maxMs) return `${value} is over Batch's maximum of ${bounds.max}`;
  return void 0;
}
function vCpusOfVmSize(vmSize) {
  const m = /^standard_([a-z]+?)(\d+)(?:-(\d+))?([a-z]*)((?:_[a-z0-9]+)*)$/i.exec(vmSize);
  if (!m) return void 0;
  const family = m[1].toUpperCase();
  const version = Number(/_v(\d+)$/i.exec(m[5] ?? "")?.[1] ?? 1);
  const named = version >= 3 || /^(B|H|HB|HC|HX|L|M|N[A-Z]*)$/.test(family) || version === 2 && (family === "F" || family === "A");
  if (!named) return void 0;
  return Number(m[3] ?? m[2]);
}
var DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
var DOMAIN = new RegExp(`^${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]{1,5})?$`);
var PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
var TAG = /^[\w][\w.-]{0,127}$/;
var DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
function imageNameProblem(image2) {
  if (image2.length > 255 + 1 + 128 + 1 + 135) return "is too long for an image reference";
  let rest = image2;
  const at = rest.indexOf("@");
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) return "has a digest that is not algorithm:hex (e.g. @sha256:<64 hex digits>)";
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) {
    if (!TAG.test(rest.slice(colon + 1))) return "has a tag that is not 1 to 128 letters, digits, _ . or - (starting with a letter, digit or _)";
    rest = rest.slice(0, colon);
  }
  if (rest.length === 0) return "has no repository name";
  if (rest.length > 255) return "has a repository name over 255 characters";
  const parts = rest.split("/");
  const first = parts[0];
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase())) {
    if (!DOMAIN.test(first)) return `has a registry "${first}" that is not a host name with an optional port`;
    parts.shift();
  }
  for (const part of parts) {
    if (PATH_COMPONENT.test(part)) continue;
    if (PATH_COMPONENT.test(part.toLowerCase())) return `must be lowercase in its repository path ("${part}"); e.g. ${image2.replace(part, part.toLowerCase())}`;
    return `has a repository path component "${part}" that is not lowercase letters and digits separated by . _ __ or -`;
  }
  return void 0;
}
function filePathProblem(path) {
  if (/^([/\\]|[A-Za-z]:)/.test(path)) return `"${path}" is absolute; a resource file's path is relative to the task's working directory`;
  if (path.split(/[/\\]/).includes("..")) return `"${path}" has a ".." segment; a resource file cannot be placed outside the task's working directory`;
  return void 0;
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
  ...["batch.node.debian 8", "batch.node.debian 9", "batch.node.debian 10"].map((nodeAgent) => ({
    nodeAgent,
    date: "2024-12-31",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/180"
  })),
  // The Ubuntu 20.04 container images of microsoft-azure-batch, and the other 20.04 Marketplace images.
  {
    image: { publisher: "microsoft-azure-batch", offer: "ubuntu-server-container", sku: /^20-04-lts$/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174"
  },
  {
    image: { publisher: "microsoft-azure-batch", offer: "ubuntu-server-container-rdma", sku: /^20-04-lts$/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174"
  },
  {
    image: { publisher: "canonical", offer: "0001-com-ubuntu-server-focal", sku: /^20_04-lts/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174"
  },
  {
    image: { publisher: "microsoft-dsvm", offer: "ubuntu-2004", sku: /^2004/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174"
  },
  {
    image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: /^2004/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174"
  },
  {
    image: { publisher: "microsoft-azure-batch", offer: "centos-container", sku: /./ },
    date: "2024-12-31",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/180"
  },
  {
    image: { publisher: "microsoft-azure-batch", offer: "centos-container-rdma", sku: /./ },
    date: "2024-12-31",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/180"
  },
  {
    image: { publisher: "microsoftwindowsserver", offer: "windowsserver", sku: /^2012-/i },
    date: "2024-12-05",
    replacement: "microsoftwindowsserver / windowsserver / 2022-datacenter-core-smalldisk",
    source: "https://github.com/Azure/Batch/issues/179"
  },
  {
    image: { publisher: "microsoftwindowsserver", offer: "windowsserver", sku: /^2016-/i },
    date: "2027-01-12",
    replacement: "microsoftwindowsserver / windowsserver / 2022-datacenter-core-smalldisk",
    source: "https://github.com/Azure/Batch/issues/197"
  }
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
      findings.push({
        status: "retired",
        field,
        what,
        retirement: r,
        message: `${what} was retired by Azure Batch on ${r.date}: no new pool can use it; use ${r.replacement} (${r.source})`
      });
    } else if (end - now <= RETIREMENT_WARNING_DAYS * DAY_MS) {
      const daysLeft = Math.ceil((end - now) / DAY_MS);
      findings.push({
        status: "retiring",
        field,
        what,
        retirement: r,
        daysLeft,
        message: `${what} retires from Azure Batch on ${r.date} (in ${daysLeft} day${daysLeft === 1 ? "" : "s"}); move to ${r.replacement} (${r.source})`
      });
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
  image("microsoft-azure-batch", "ubuntu-server-container", "20-04-lts", "batch.node.ubuntu 20.04", {
    capabilities: DOCKER,
    batchSupportEndOfLife: eol("2025-04-23")
  })
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

// shared/batch/applications.ts
var APPLICATION_ID = /^[A-Za-z0-9_-]{1,64}$/;
var APPLICATION_VERSION = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;
var APPLICATION_ID_RULE = "1 to 64 letters, digits, _ and -";
var APPLICATION_VERSION_RULE = "1 to 64 letters, digits, _, - and ., not starting with a dot";
var MAX_POOL_PACKAGES = 10;
var PACKAGE_FORMAT = "zip";
function appPackageEnvName(applicationId, version) {
  const flat = (s) => s.replace(/[.#-]/g, "_");
  return `AZ_BATCH_APP_PACKAGE_${flat(applicationId)}${version === void 0 ? "" : `_${flat(version)}`}`;
}
function accountPath(account) {
  return `/subscriptions/${encodeURIComponent(account.subscription)}/resourceGroups/${encodeURIComponent(account.resourceGroup)}/providers/Microsoft.Batch/batchAccounts/${encodeURIComponent(account.name)}`;
}
function applicationResourceId(account, applicationId) {
  return `/subscriptions/${account.subscription}/resourceGroups/${account.resourceGroup}/providers/Microsoft.Batch/batchAccounts/${account.name}/applications/${applicationId}`;
}
var APPLICATION_RESOURCE = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts\/([^/]+)\/applications\/([^/]+)$/i;
function parseApplicationResourceId(id) {
  const m = APPLICATION_RESOURCE.exec(id);
  if (!m) return void 0;
  const [, subscription, resourceGroup, name, applicationId] = m;
  return { subscription, resourceGroup, name, applicationId };
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
  applicationPackageReferences: "properties.applicationPackages",
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
  enableInterNodeCommunication: (v) => v ? "Enabled" : "Disabled",
  applicationPackageReferences: (v) => v.map((r) => ({ id: r.applicationId, ...r.version !== void 0 ? { version: r.version } : {} }))
};
var UNVALUES = {
  enableInterNodeCommunication: (v) => v === "Enabled",
  applicationPackageReferences: (v) => v.map((r) => ({ applicationId: r.id, ...r.version !== void 0 ? { version: r.version } : {} }))
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
var UNENUMS = Object.fromEntries(
  Object.entries(ENUMS).map(([k, t]) => [k, Object.fromEntries(Object.entries(t).map(([a, b]) => [b, a]))])
);
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
    pool[key] = UNVALUES[key] ? UNVALUES[key](value) : unconvert(value, key);
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

// shared/batch/redaction.ts
var SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|SAS|CREDENTIAL|CONNECTION_?STRING/i;
var SECRET_ENV = "AZBR_SECRET_ENV";
var REDACTION_METADATA = "azure-batch-run.redaction";
function isSecretEnv(task, job) {
  const mark = job.metadata?.find((m) => m.name === REDACTION_METADATA)?.value;
  if (!mark?.startsWith("by-source:")) return (e) => e.name !== SECRET_ENV;
  const listed = /* @__PURE__ */ new Set([
    ...mark.slice("by-source:".length).split(","),
    ...task.environmentSettings?.find((e) => e.name === SECRET_ENV)?.value?.split(",") ?? []
  ]);
  return (e) => e.name !== void 0 && e.name !== SECRET_ENV && (listed.has(e.name) || SECRET_NAME.test(e.name));
}

// shared/batch/hosts.ts
var LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;

export {
  DURATION_PATTERN,
  UNLIMITED_DURATION,
  parseDuration,
  MAX_TASKS_PER_REQUEST,
  MAX_REQUEST_BYTES,
  SERVICE_MAX_BODY_BYTES,
  MAX_DURATION_MS,
  BATCH_LIMITS,
  DEFAULT_PREPARATION_TASK_ID,
  DEFAULT_RELEASE_TASK_ID,
  VM_SIZE_PATTERN,
  invisibleCharacter,
  durationProblem,
  vCpusOfVmSize,
  imageNameProblem,
  filePathProblem,
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
  readInt64,
  writeInt64,
  APPLICATION_ID,
  APPLICATION_VERSION,
  APPLICATION_ID_RULE,
  APPLICATION_VERSION_RULE,
  MAX_POOL_PACKAGES,
  PACKAGE_FORMAT,
  appPackageEnvName,
  accountPath,
  applicationResourceId,
  parseApplicationResourceId,
  SECRET_NAME,
  SECRET_ENV,
  REDACTION_METADATA,
  isSecretEnv,
  ARM_API_VERSION,
  armPoolBody,
  dataPlanePool,
  LOOPBACK_HOST
};
//# sourceMappingURL=chunk-RTUQQMIU.js.map
