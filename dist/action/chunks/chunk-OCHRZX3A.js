import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);

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
//# sourceMappingURL=chunk-OCHRZX3A.js.map
