import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  API_VERSION,
  API_VERSIONS,
  APPLICATION_ID,
  APPLICATION_ID_RULE,
  APPLICATION_VERSION,
  APPLICATION_VERSION_RULE,
  ARM_API_VERSION,
  BATCH_LIMITS,
  DEFAULT_PREPARATION_TASK_ID,
  DEFAULT_RELEASE_TASK_ID,
  LOOPBACK_HOST,
  MAX_DURATION_MS,
  MAX_POOL_PACKAGES,
  MAX_TASKS_PER_REQUEST,
  PACKAGE_FORMAT,
  REMOVED_IN_2025,
  SERVICE_MAX_BODY_BYTES,
  SUPPORTED_IMAGES,
  UNLIMITED_DURATION,
  VM_SIZE_PATTERN,
  appPackageEnvName,
  armPoolBody,
  dataPlanePool,
  describeImage,
  filePathProblem,
  findSupportedImage,
  globToRegExp,
  hasWildcard,
  isApiVersion,
  isSecretEnv,
  parseApplicationResourceId,
  parseDuration,
  pastEndOfLife,
  vCpusOfVmSize,
  writeInt64
} from "./chunk-YAUQKAWM.js";
import {
  AnonymousCredential,
  BlobSASPermissions,
  ContainerClient,
  ContainerSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  newPipeline
} from "./chunk-NKSEE36Y.js";
import "./chunk-YIQOAPSC.js";
import {
  dockerExecutor,
  dockerReachable,
  endHandle,
  processExecutor
} from "./chunk-6QUY3HMS.js";
import {
  Lease,
  defaultRuntimeDir,
  sweepLeases
} from "./chunk-AIQ4D56C.js";
import "./chunk-KRI5SLHR.js";

// local-batch/start.ts
import { randomBytes as randomBytes2 } from "node:crypto";
import { mkdtemp, rm as rm6 } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join10 } from "node:path";

// local-batch/service.ts
import { randomBytes } from "node:crypto";
import { mkdir as mkdir7 } from "node:fs/promises";
import { createServer } from "node:http";

// local-batch/errors.ts
import { randomUUID } from "node:crypto";
var BatchHttpError = class extends Error {
  constructor(status, code, message, values = [], headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.values = values;
    this.headers = headers;
  }
  status;
  code;
  values;
  headers;
  body(requestId = randomUUID()) {
    return {
      "odata.metadata": "https://localhost/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element",
      code: this.code,
      message: { lang: "en-US", value: `${this.message}
RequestId:${requestId}
Time:${(/* @__PURE__ */ new Date()).toISOString()}` },
      ...this.values.length ? { values: this.values } : {}
    };
  }
};
var ArmHttpError = class extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
  status;
  code;
  body() {
    return { error: { code: this.code, message: this.message } };
  }
};
var noun = (kind) => kind === "JobSchedule" ? "job schedule" : kind.toLowerCase();
var SYNTAX = "The specified Request Body is not syntactically valid.";
var BatchErrors = {
  notFound: (kind, id) => new BatchHttpError(404, `${kind}NotFound`, `The specified ${noun(kind)} does not exist.`, [{ key: "Id", value: id }]),
  exists: (kind, id, reason) => new BatchHttpError(409, `${kind}Exists`, `The specified ${noun(kind)} already exists.`, [
    { key: "Id", value: id },
    ...reason ? [{ key: "Reason", value: reason }] : []
  ]),
  invalidBody: (reason, property) => new BatchHttpError(400, "InvalidRequestBody", SYNTAX, [...property ? [{ key: "PropertyName", value: property }] : [], { key: "Reason", value: reason }]),
  invalidValue: (property, reason) => new BatchHttpError(400, "InvalidPropertyValue", "The value provided for one of the properties in the request body is invalid.", [
    { key: "PropertyName", value: property },
    { key: "Reason", value: reason }
  ]),
  invalidUri: (message = "The requested URI is not a path the service knows.") => new BatchHttpError(400, "InvalidUri", message),
  invalidQueryValue: (name, value, reason) => new BatchHttpError(400, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid.", [
    { key: "QueryParameterName", value: name },
    { key: "QueryParameterValue", value },
    { key: "Reason", value: reason }
  ]),
  missingQueryParameter: (name) => new BatchHttpError(400, "MissingRequiredQueryParameter", "A query parameter that's mandatory for this request is not specified.", [
    { key: "QueryParameterName", value: name }
  ]),
  unsupportedApiVersion: (version, supported) => new BatchHttpError(400, "InvalidApiVersionParameter", `The api-version ${version} is not supported; the local service speaks ${supported.join(" and ")}.`, [
    { key: "QueryParameterName", value: "api-version" }
  ]),
  bodyTooLarge: (limit) => new BatchHttpError(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.", [
    { key: "MaxLimit", value: limit }
  ]),
  unreadable: (status, code, detail) => new BatchHttpError(status, code, `The request could not be read: ${detail}.`),
  /** A conflict with the state of a resource (`JobCompleted`, `PoolBeingResized`, `NodeBeingRebooted`, ...). */
  conflict: (code, message, values = []) => new BatchHttpError(409, code, message, values),
  authenticationFailed: (detail) => new BatchHttpError(
    403,
    "AuthenticationFailed",
    "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
    [{ key: "AuthenticationErrorDetail", value: detail }]
  ),
  authorizationFailure: () => new BatchHttpError(403, "AuthorizationFailure", "This request is not authorized to perform this operation."),
  tooManyRequests: (headers) => new BatchHttpError(429, "TooManyRequests", "The server is busy; retry after the given time.", [], headers),
  serverBusy: (headers) => new BatchHttpError(503, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.", [], headers),
  internal: () => new BatchHttpError(500, "InternalServerError", "The server encountered an internal error. Please retry the request.")
};
var { notFound, exists, invalidBody, invalidValue } = BatchErrors;

// local-batch/faults.ts
function misbehave(kind, res) {
  const json = { "content-type": "application/json;odata=minimalmetadata" };
  switch (kind) {
    case "html":
      res.writeHead(200, { "content-type": "text/html" }).end("<html><body><h1>502 Bad Gateway</h1></body></html>");
      return true;
    case "empty":
      res.writeHead(200, json).end();
      return true;
    case "garbage":
      res.writeHead(200, json).end("\0ÿ{]this is not json");
      return true;
    case "truncated":
      res.writeHead(200, { ...json, "content-length": "1000" });
      res.write('{"value": [', () => res.socket?.destroy());
      return true;
    case "redirect":
      res.writeHead(302, { location: "https://login.example.net/steal?token=redirect-token-value" }).end();
      return true;
    case "huge": {
      res.writeHead(200, json);
      const mb = " ".repeat(1024 * 1024);
      res.write('{"value": [], "pad": "');
      for (let i = 0; i < 40 && res.writable; i++) res.write(mb);
      res.end('"}');
      return true;
    }
    case "neverStarts":
      return true;
    case "neverEnds":
      res.writeHead(200, json);
      res.write('{"value": [');
      return true;
    default:
      return false;
  }
}
var FaultInjector = class {
  constructor(faults = {}) {
    this.faults = faults;
    this.random = faults.random ?? Math.random;
  }
  faults;
  injected = { throttled: 0, unavailable: 0, resets: 0, lostResponses: [] };
  lostKinds = /* @__PURE__ */ new Set();
  random;
  hit(share, count) {
    if (!share) return false;
    return Boolean(this.faults.atLeastOnce && count === 0) || this.random() < share;
  }
  /**
   * Before the request is handled: "reset" when the connection is to be dropped; throws the
   * 429/503 to answer with; undefined to go on.
   */
  async before() {
    const f = this.faults;
    if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (this.hit(f.resetShare, this.injected.resets)) {
      this.injected.resets++;
      return "reset";
    }
    const retryAfter = f.retryAfterMs ?? 1e3;
    const headers = { "retry-after-ms": String(retryAfter), "retry-after": String(Math.max(1, Math.ceil(retryAfter / 1e3))) };
    if (this.hit(f.throttleShare, this.injected.throttled)) {
      this.injected.throttled++;
      throw BatchErrors.tooManyRequests(headers);
    }
    if (this.hit(f.unavailableShare, this.injected.unavailable)) {
      this.injected.unavailable++;
      throw BatchErrors.serverBusy(headers);
    }
    return void 0;
  }
  /** After authentication: throws the 403 of a request the caller's role does not allow. */
  /** Holds a request the `delayOf` option picks. */
  async delay(method, url) {
    const ms = this.faults.delayOf?.(method, url.pathname) ?? 0;
    if (ms > 0) await new Promise((resolve3) => setTimeout(resolve3, ms));
  }
  authorize(method, url) {
    if (this.faults.forbid?.(method, url.pathname)) {
      throw BatchErrors.authorizationFailure();
    }
  }
  misbehavior(method, url) {
    return this.faults.misbehave?.(method, url.pathname);
  }
  /** After a request was carried out: true when its response is to be lost. */
  loseResponse(req, url) {
    if (req.method !== "GET" && req.method !== "HEAD" && this.faults.loseResponseOf?.(req.method ?? "", url.pathname)) {
      this.injected.lostResponses.push(`${req.method} ${url.pathname}`);
      return true;
    }
    const share = this.faults.commitThenFailShare;
    if (!share || req.method === "GET" || req.method === "HEAD") return false;
    const kind = `${req.method} ${url.pathname.split("/").pop()}`;
    const first = Boolean(this.faults.atLeastOnce && !this.lostKinds.has(kind));
    if (!first && this.random() >= share) return false;
    this.lostKinds.add(kind);
    this.injected.lostResponses.push(`${req.method} ${url.pathname}`);
    return true;
  }
};

// local-batch/http/server.ts
import { randomUUID as randomUUID7 } from "node:crypto";

// local-batch/auth.ts
import { createHmac, timingSafeEqual } from "node:crypto";
var failed = BatchErrors.authenticationFailed;
var SIGNED_HEADERS = [
  "Content-Encoding",
  "Content-Language",
  "Content-Length",
  "Content-MD5",
  "Content-Type",
  "Date",
  "If-Modified-Since",
  "If-Match",
  "If-None-Match",
  "If-Unmodified-Since",
  "Range"
];
function header(req, name) {
  const value = req.headers[name.toLowerCase()];
  return value === void 0 ? "" : Array.isArray(value) ? value.join(",") : value;
}
function expectedStringToSign(req, url, accountName) {
  const hasOcpDate = req.headers["ocp-date"] !== void 0;
  const standard = SIGNED_HEADERS.map((name) => name === "Date" && hasOcpDate ? "" : header(req, name));
  const ocpLines = [];
  for (const name of Object.keys(req.headers).map((h) => h.toLowerCase()).filter((h) => h.startsWith("ocp-")).sort()) {
    ocpLines.push(`${name}:${header(req, name).replace(/\s+/g, " ").trim()}
`);
  }
  const byName = {};
  for (const [name, value] of url.searchParams.entries()) (byName[name.toLowerCase()] ??= []).push(value);
  const resource = [
    `/${accountName}${url.pathname}`,
    ...Object.keys(byName).sort().map((name) => `${name}:${(byName[name] ?? []).sort().join(",")}`)
  ].join("\n");
  return [(req.method ?? "GET").toUpperCase(), ...standard].join("\n") + "\n" + ocpLines.join("") + resource;
}
function authenticate(req, url, config) {
  const authorization = req.headers.authorization;
  if (!authorization) throw failed("The Authorization header is missing.");
  if (authorization.startsWith("Bearer ")) {
    if (config.acceptBearer) return;
    throw failed("Bearer tokens are not accepted: start the local service with bearer tokens allowed, or use Shared Key.");
  }
  const date = req.headers["ocp-date"] ?? req.headers.date;
  if (!date || Math.abs(Date.now() - Date.parse(String(date))) > 15 * 6e4) throw failed("The request's ocp-date is missing or more than 15 minutes off.");
  const match = /^SharedKey ([^:]+):(.+)$/.exec(authorization);
  if (!match || match[1] !== config.accountName) throw failed(`The Authorization header must be "SharedKey ${config.accountName}:<signature>".`);
  const mac = createHmac("sha256", Buffer.from(config.accountKey, "base64")).update(expectedStringToSign(req, url, config.accountName), "utf8").digest();
  const given = Buffer.from(match[2], "base64");
  if (given.length !== mac.length || !timingSafeEqual(given, mac))
    throw failed("The MAC signature found in the HTTP request is not the same as any computed signature.");
}

// local-batch/resources/arm.ts
import { randomUUID as randomUUID5 } from "node:crypto";

// local-batch/bodies.ts
var s = "string";
var n = "number";
var b = "boolean";
var shape = (name) => ({ shape: name });
var array = (t) => ({ array: t });
var TASK_COMMON = {
  commandLine: s,
  containerSettings: shape("TaskContainerSettings"),
  resourceFiles: array(shape("ResourceFile")),
  environmentSettings: array(shape("EnvironmentSetting")),
  userIdentity: shape("UserIdentity")
};
var SHAPES = {
  EnvironmentSetting: { name: s, value: s },
  Metadata: { name: s, value: s },
  IdentityReference: { resourceId: s },
  ApplicationPackageReference: { applicationId: s, version: s },
  ContainerRegistry: { registryServer: s, username: s, password: s, identityReference: shape("IdentityReference") },
  BindMount: { source: s, isReadOnly: b },
  TaskContainerSettings: {
    imageName: s,
    containerRunOptions: s,
    registry: shape("ContainerRegistry"),
    workingDirectory: s,
    containerHostBatchBindMounts: array(shape("BindMount"))
  },
  ResourceFile: {
    httpUrl: s,
    storageContainerUrl: s,
    autoStorageContainerName: s,
    blobPrefix: s,
    filePath: s,
    fileMode: s,
    identityReference: shape("IdentityReference")
  },
  OutputFile: { filePattern: s, destination: shape("OutputDestination"), uploadOptions: shape("UploadOptions") },
  OutputDestination: { container: shape("OutputContainer") },
  OutputContainer: { containerUrl: s, path: s, identityReference: shape("IdentityReference"), uploadHeaders: array(shape("Metadata")) },
  UploadOptions: { uploadCondition: s },
  AutoUser: { scope: s, elevationLevel: s },
  UserIdentity: { username: s, autoUser: shape("AutoUser") },
  TaskConstraints: { maxWallClockTime: s, retentionTime: s, maxTaskRetryCount: n },
  JobConstraints: { maxWallClockTime: s, maxTaskRetryCount: n },
  TaskIdRange: { start: n, end: n },
  TaskDependencies: { taskIds: array(s), taskIdRanges: array(shape("TaskIdRange")) },
  StartTask: { ...TASK_COMMON, maxTaskRetryCount: n, waitForSuccess: b },
  ImageReference: { publisher: s, offer: s, sku: s, version: s, virtualMachineImageId: s },
  ContainerConfiguration: { type: s, containerImageNames: array(s), containerRegistries: array(shape("ContainerRegistry")) },
  VirtualMachineConfiguration: {
    imageReference: shape("ImageReference"),
    nodeAgentSKUId: s,
    containerConfiguration: shape("ContainerConfiguration"),
    osDisk: shape("OSDisk")
  },
  OSDisk: { diskSizeGB: n },
  PoolAdd: {
    id: s,
    displayName: s,
    vmSize: s,
    virtualMachineConfiguration: shape("VirtualMachineConfiguration"),
    resizeTimeout: s,
    targetDedicatedNodes: n,
    targetLowPriorityNodes: n,
    enableAutoScale: b,
    autoScaleFormula: s,
    autoScaleEvaluationInterval: s,
    enableInterNodeCommunication: b,
    startTask: shape("StartTask"),
    applicationPackageReferences: array(shape("ApplicationPackageReference")),
    taskSlotsPerNode: n,
    metadata: array(shape("Metadata"))
  },
  PoolResize: { targetDedicatedNodes: n, targetLowPriorityNodes: n, resizeTimeout: s, nodeDeallocationOption: s },
  NodeRemove: { nodeList: array(s), resizeTimeout: s, nodeDeallocationOption: s },
  NodeReboot: { nodeRebootOption: s },
  NodeReimage: { nodeReimageOption: s },
  PoolPatch: { startTask: shape("StartTask"), metadata: array(shape("Metadata")), displayName: s, vmSize: s, taskSlotsPerNode: n },
  JobManagerTask: {
    ...TASK_COMMON,
    id: s,
    displayName: s,
    outputFiles: array(shape("OutputFile")),
    constraints: shape("TaskConstraints"),
    requiredSlots: n,
    killJobOnCompletion: b,
    runExclusive: b,
    allowLowPriorityNode: b,
    applicationPackageReferences: array(shape("ApplicationPackageReference"))
  },
  JobPreparationTask: { ...TASK_COMMON, id: s, constraints: shape("TaskConstraints"), waitForSuccess: b, rerunOnNodeRebootAfterSuccess: b },
  JobReleaseTask: { ...TASK_COMMON, id: s, maxWallClockTime: s, retentionTime: s },
  PoolInfo: { poolId: s },
  JobSpecification: {
    displayName: s,
    priority: n,
    maxParallelTasks: n,
    allowTaskPreemption: b,
    usesTaskDependencies: b,
    onAllTasksComplete: s,
    onTaskFailure: s,
    constraints: shape("JobConstraints"),
    jobManagerTask: shape("JobManagerTask"),
    jobPreparationTask: shape("JobPreparationTask"),
    jobReleaseTask: shape("JobReleaseTask"),
    commonEnvironmentSettings: array(shape("EnvironmentSetting")),
    poolInfo: shape("PoolInfo"),
    metadata: array(shape("Metadata"))
  },
  JobPatch: {
    priority: n,
    maxParallelTasks: n,
    allowTaskPreemption: b,
    onAllTasksComplete: s,
    constraints: shape("JobConstraints"),
    poolInfo: shape("PoolInfo"),
    metadata: array(shape("Metadata"))
  },
  JobTerminate: { terminateReason: s },
  Schedule: { doNotRunUntil: s, doNotRunAfter: s, startWindow: s, recurrenceInterval: s },
  JobScheduleAdd: { id: s, displayName: s, schedule: shape("Schedule"), jobSpecification: shape("JobSpecification"), metadata: array(shape("Metadata")) },
  TaskAdd: {
    ...TASK_COMMON,
    id: s,
    displayName: s,
    outputFiles: array(shape("OutputFile")),
    constraints: shape("TaskConstraints"),
    requiredSlots: n,
    dependsOn: shape("TaskDependencies"),
    applicationPackageReferences: array(shape("ApplicationPackageReference"))
  },
  TaskCollection: { value: array(shape("TaskAdd")) }
};
SHAPES.JobAdd = { id: s, ...SHAPES.JobSpecification };
var REQUIRED = {
  PoolAdd: ["id", "vmSize"],
  VirtualMachineConfiguration: ["imageReference", "nodeAgentSKUId"],
  ContainerConfiguration: ["type"],
  TaskContainerSettings: ["imageName"],
  StartTask: ["commandLine"],
  JobAdd: ["id", "poolInfo"],
  JobSpecification: ["poolInfo"],
  JobScheduleAdd: ["id", "schedule", "jobSpecification"],
  JobManagerTask: ["id", "commandLine"],
  JobPreparationTask: ["commandLine"],
  JobReleaseTask: ["commandLine"],
  TaskAdd: ["id", "commandLine"],
  TaskCollection: ["value"],
  NodeRemove: ["nodeList"],
  OutputFile: ["filePattern", "destination", "uploadOptions"],
  OutputContainer: ["containerUrl"],
  UploadOptions: ["uploadCondition"],
  EnvironmentSetting: ["name"],
  TaskIdRange: ["start", "end"],
  ApplicationPackageReference: ["applicationId"]
};
var ENUMS = {
  "ContainerConfiguration.type": ["dockerCompatible", "criCompatible"],
  "TaskContainerSettings.workingDirectory": ["taskWorkingDirectory", "containerImageDefault"],
  "BindMount.source": ["Shared", "Startup", "VfsMounts", "Task", "JobPrep", "Applications"],
  "AutoUser.scope": ["task", "pool"],
  "AutoUser.elevationLevel": ["nonadmin", "admin"],
  "UploadOptions.uploadCondition": ["tasksuccess", "taskfailure", "taskcompletion"],
  "JobSpecification.onAllTasksComplete": ["noaction", "terminatejob"],
  "JobAdd.onAllTasksComplete": ["noaction", "terminatejob"],
  "JobPatch.onAllTasksComplete": ["noaction", "terminatejob"],
  "JobSpecification.onTaskFailure": ["noaction", "performexitoptionsjobaction"],
  "JobAdd.onTaskFailure": ["noaction", "performexitoptionsjobaction"]
};
function check(value, type, path, shapeName, field) {
  if (typeof type === "string") {
    if (type === "any") return;
    const ok = type === "number" ? typeof value === "number" && Number.isFinite(value) : typeof value === type;
    if (!ok) throw invalidValue(path, `expected a ${type}`);
    const allowed = shapeName && field ? ENUMS[`${shapeName}.${field}`] : void 0;
    if (allowed && !allowed.some((a) => a.toLowerCase() === String(value).toLowerCase())) throw invalidValue(path, `expected one of ${allowed.join(", ")}`);
    return;
  }
  if ("array" in type) {
    if (!Array.isArray(value)) throw invalidValue(path, "expected an array");
    value.forEach((v, i) => check(v, type.array, `${path}[${i}]`, shapeName, field));
    return;
  }
  checkShape(value, type.shape, path);
}
function checkShape(value, name, path) {
  const fields = SHAPES[name];
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalidValue(path || "body", "expected an object");
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    const type = fields[k];
    if (!type) throw invalidBody(`the property ${p} is not recognised, or not supported by the local Batch service`, p);
    if (v === null || v === void 0) continue;
    check(v, type, p, name, k);
  }
  for (const r of REQUIRED[name] ?? []) {
    if (value[r] === void 0)
      throw invalidBody(`the required property ${path ? `${path}.` : ""}${r} is missing`, path ? `${path}.${r}` : r);
  }
}
function validateBody(body, shapeName) {
  checkShape(body, shapeName, "");
}

// local-batch/resources/applications.ts
import { randomUUID as randomUUID3 } from "node:crypto";
import { rm } from "node:fs/promises";

// local-batch/applications.ts
import { createHmac as createHmac2, timingSafeEqual as timingSafeEqual2 } from "node:crypto";
import { join } from "node:path";
var PACKAGE_STORE_PREFIX = "/storage/packages/";
var STORAGE_URL_LIFETIME_MS = 4 * 60 * 6e4;
function packageFile(ctx, blobName) {
  return join(ctx.options.dataDir, "packages", blobName);
}
function signature(ctx, blobName, expiry, permissions) {
  return createHmac2("sha256", Buffer.from(ctx.options.accountKey, "base64")).update(`${blobName}
${expiry}
${permissions}`).digest("base64");
}
function storageUrl(ctx, pkg, at = Date.now()) {
  const expiry = new Date(at + STORAGE_URL_LIFETIME_MS).toISOString();
  const url = new URL(`${PACKAGE_STORE_PREFIX}${pkg.blobName}`, ctx.baseUrl);
  url.search = new URLSearchParams({ sv: "2025-01-05", sr: "b", sp: "rw", se: expiry, sig: signature(ctx, pkg.blobName, expiry, "rw") }).toString();
  return { url: url.toString(), expiry };
}
function refuseStorageAccess(ctx, blobName, query, write) {
  const expiry = query.get("se") ?? "";
  const permissions = query.get("sp") ?? "";
  const given = Buffer.from(query.get("sig") ?? "", "base64");
  const wanted = Buffer.from(signature(ctx, blobName, expiry, permissions), "base64");
  if (given.length !== wanted.length || !timingSafeEqual2(given, wanted)) return "Signature did not match.";
  if (!(Date.parse(expiry) > Date.now())) return `Signed expiry time [${expiry}] has to be after the current time.`;
  if (!permissions.includes(write ? "w" : "r")) return "This request is not authorized to perform this operation using this permission.";
  return void 0;
}
function packageOfBlob(ctx, blobName) {
  for (const app of ctx.applications.values()) for (const pkg of app.packages) if (pkg.blobName === blobName) return { app, pkg };
  return void 0;
}
function findPackage(app, version) {
  return app.packages.find((p) => p.version.toLowerCase() === version.toLowerCase());
}
function resolveReference(ctx, ref, fullyQualified) {
  let id = ref.applicationId;
  if (fullyQualified) {
    const parsed = parseApplicationResourceId(id);
    const group = ctx.options.armResourceGroup ?? "local";
    if (!parsed || parsed.resourceGroup.toLowerCase() !== group.toLowerCase() || parsed.name.toLowerCase() !== ctx.options.accountName.toLowerCase())
      return {
        ok: false,
        reason: `${id} is not the resource id of an application of this account (/subscriptions/{subscription}/resourceGroups/${group}/providers/Microsoft.Batch/batchAccounts/${ctx.options.accountName}/applications/{application})`
      };
    id = parsed.applicationId;
  }
  const app = ctx.applications.get(id.toLowerCase());
  if (!app) return { ok: false, reason: `the application ${id} does not exist in the account` };
  const version = ref.version ?? app.defaultVersion;
  if (version === void 0) return { ok: false, reason: `no version was given for the application ${app.id} and it has no default version` };
  const pkg = findPackage(app, version);
  if (!pkg) return { ok: false, reason: `the application ${app.id} has no package version ${version}` };
  if (pkg.state !== "Active" || !pkg.blob) return { ok: false, reason: `the package ${app.id} version ${pkg.version} is not active` };
  return { ok: true, app, pkg, versionGiven: ref.version !== void 0 };
}

// local-batch/clock.ts
import { randomUUID as randomUUID2 } from "node:crypto";
var now = () => {
  const ms = Date.now();
  if (ms !== lastNow.ms) {
    lastNow.ms = ms;
    lastNow.iso = new Date(ms).toISOString();
  }
  return lastNow.iso;
};
var lastNow = { ms: 0, iso: "" };
var etag = () => `0x${(etagBase + BigInt(++etagCount)).toString(16).toUpperCase().padStart(15, "0").slice(-15)}`;
var etagBase = BigInt(`0x${randomUUID2().replace(/-/g, "").slice(0, 15)}`) & (1n << 59n) - 1n;
var etagCount = 0;

// local-batch/taskTable.ts
var zero = () => ({ active: 0, running: 0, completed: 0, succeeded: 0, failed: 0 });
var tableOf = /* @__PURE__ */ new WeakMap();
var completionOf = /* @__PURE__ */ new WeakMap();
var bucket = (state2) => state2 === "preparing" ? "running" : state2;
function numericId(id) {
  if (!/^\d{1,10}$/.test(id)) return void 0;
  const n2 = Number(id);
  return n2 <= 2147483647 ? n2 : void 0;
}
var TaskTable = class {
  byId = /* @__PURE__ */ new Map();
  inState = { active: /* @__PURE__ */ new Set(), preparing: /* @__PURE__ */ new Set(), running: /* @__PURE__ */ new Set(), completed: /* @__PURE__ */ new Set() };
  /** Completions in the order they happened; an entry whose task completed again later, or left, is skipped. */
  completions = [];
  counts = zero();
  slotCounts = zero();
  /**
   * Tasks whose ids are integers, by value: a dependency range selects the tasks whose ids are
   * numbers in it, compared as numbers ("007" is 7), and only those that exist.
   */
  byNumber = /* @__PURE__ */ new Map();
  get size() {
    return this.byId.size;
  }
  get(id) {
    return this.byId.get(id);
  }
  has(id) {
    return this.byId.has(id);
  }
  values() {
    return this.byId.values();
  }
  set(id, t) {
    const old = this.byId.get(id);
    if (old) this.delete(id);
    this.byId.set(id, t);
    tableOf.set(t, this);
    this.enter(t, t.state);
    const n2 = numericId(t.body.id);
    if (n2 !== void 0) {
      if (!this.byNumber.has(n2)) this.byNumber.set(n2, /* @__PURE__ */ new Set());
      this.byNumber.get(n2).add(t);
    }
    return this;
  }
  /** The tasks a dependency range selects: ids that are integers within it, as numbers. */
  *inIdRange(start, end) {
    if (end - start + 1 <= this.byNumber.size) {
      for (let i = start; i <= end; i++) yield* this.byNumber.get(i) ?? [];
    } else {
      for (const [n2, tasks] of this.byNumber) if (n2 >= start && n2 <= end) yield* tasks;
    }
  }
  delete(id) {
    const t = this.byId.get(id);
    if (!t) return false;
    this.leave(t, t.state);
    this.byId.delete(id);
    tableOf.delete(t);
    const n2 = numericId(t.body.id);
    if (n2 !== void 0) this.byNumber.get(n2)?.delete(t);
    return true;
  }
  /** Active tasks in the order they became active, job managers first. */
  *pending() {
    yield* this.activeManagers;
    for (const t of this.inState.active) if (t.kind !== "manager") yield t;
  }
  /** The active job managers (one at most, in practice), so that pending() need not look for them. */
  activeManagers = /* @__PURE__ */ new Set();
  inStateOf(state2) {
    return this.inState[state2];
  }
  /**
   * Completed tasks whose stateTransitionTime is at or after `since` (ms), from position `from` of
   * the completions on; `next` is where a following page starts (stable: completions only grow).
   */
  completedSince(since, from, max) {
    let i = from ?? (since === void 0 ? 0 : this.firstAtOrAfter(since));
    const tasks = [];
    for (; i < this.completions.length && tasks.length < max; i++) {
      const t = this.completions[i];
      if (completionOf.get(t)?.index !== i || tableOf.get(t) !== this) continue;
      if (since !== void 0 && Date.parse(t.stateTransitionTime) < since) continue;
      tasks.push(t);
    }
    for (let j = i; j < this.completions.length; j++)
      if (completionOf.get(this.completions[j])?.index === j && tableOf.get(this.completions[j]) === this) return { tasks, next: i };
    return { tasks };
  }
  /** The first completion at or after `since`: completion times only grow (the service's clock), so a binary search. */
  firstAtOrAfter(since) {
    let lo = 0;
    let hi = this.completions.length;
    while (lo < hi) {
      const mid = lo + hi >>> 1;
      if (Date.parse(this.completions[mid].stateTransitionTime) < since) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** After tasks were put back from a saved state (in arrival order): completions in time order again. */
  sortCompletions() {
    const live = this.completions.filter((t, i) => completionOf.get(t)?.index === i && tableOf.get(t) === this);
    live.sort((a, b2) => Date.parse(a.stateTransitionTime) - Date.parse(b2.stateTransitionTime));
    this.completions.length = 0;
    for (const t of live) {
      completionOf.set(t, { ...completionOf.get(t), index: this.completions.length });
      this.completions.push(t);
    }
  }
  /** A task of this table changed state (state.ts's setTaskState says so). */
  moved(t, from, to) {
    this.leave(t, from);
    this.enter(t, to);
  }
  enter(t, state2) {
    this.inState[state2].add(t);
    if (state2 === "active" && t.kind === "manager") this.activeManagers.add(t);
    const slots = t.body.requiredSlots ?? 1;
    this.counts[bucket(state2)]++;
    this.slotCounts[bucket(state2)] += slots;
    if (state2 === "completed") {
      const result = t.executionInfo.result === "success" ? "succeeded" : "failed";
      completionOf.set(t, { index: this.completions.length, result });
      this.completions.push(t);
      this.counts[result]++;
      this.slotCounts[result] += slots;
    }
  }
  leave(t, state2) {
    if (!this.inState[state2].delete(t)) return;
    this.activeManagers.delete(t);
    const slots = t.body.requiredSlots ?? 1;
    this.counts[bucket(state2)]--;
    this.slotCounts[bucket(state2)] -= slots;
    if (state2 === "completed") {
      const c = completionOf.get(t);
      if (c) {
        this.counts[c.result]--;
        this.slotCounts[c.result] -= slots;
        completionOf.set(t, { ...c, index: -1 });
      }
    }
  }
};
function setTaskState(t, state2) {
  const from = t.state;
  t.previousState = t.state;
  t.previousStateTransitionTime = t.stateTransitionTime;
  t.state = state2;
  t.stateTransitionTime = now();
  t.eTag = etag();
  t.lastModified = t.stateTransitionTime;
  tableOf.get(t)?.moved(t, from, state2);
}

// local-batch/state.ts
var BATCH_ID = /^[A-Za-z0-9_-]{1,64}$/;
var ID_RULE = "ids are 1 to 64 letters, digits, hyphens and underscores";
function apiVersionOf(url) {
  const v = url.searchParams.get("api-version");
  return isApiVersion(v) ? v : API_VERSION;
}
function poolOf(ctx, id) {
  const p = ctx.pools.get(id.toLowerCase());
  if (!p) throw notFound("Pool", id);
  return p;
}
function jobOf(ctx, id) {
  const j = ctx.jobs.get(id.toLowerCase());
  if (!j) throw notFound("Job", id);
  return j;
}
function taskOf(ctx, jobId, taskId) {
  const t = jobOf(ctx, jobId).tasks.get(taskId.toLowerCase());
  if (!t) throw notFound("Task", taskId);
  return t;
}
function scheduleOf(ctx, id) {
  const s2 = ctx.schedules.get(id.toLowerCase());
  if (!s2) throw notFound("JobSchedule", id);
  return s2;
}
function created(ctx, path, record2) {
  return {
    status: 201,
    headers: {
      etag: record2.eTag,
      "last-modified": new Date(record2.lastModified).toUTCString(),
      location: `${ctx.baseUrl}${path}`,
      dataserviceid: `${ctx.baseUrl}${path}`
    }
  };
}
function insertTask(ctx, job, body, kind = "task") {
  const t = now();
  const record2 = {
    jobId: job.body.id,
    body,
    kind,
    creationTime: t,
    state: "active",
    stateTransitionTime: t,
    eTag: etag(),
    lastModified: t,
    executionInfo: { retryCount: 0, requeueCount: 0 },
    order: ctx.nextTaskOrder()
  };
  job.tasks.set(body.id.toLowerCase(), record2);
  return record2;
}
function nodeWithId(id) {
  return {
    id,
    state: "creating",
    stateTransitionTime: now(),
    usedSlots: 0,
    running: /* @__PURE__ */ new Set(),
    totalTasksRun: 0,
    totalTasksSucceeded: 0,
    jobPrepDone: /* @__PURE__ */ new Map(),
    idleWaiters: []
  };
}
function newNode(pool, lowPriority = false) {
  const node = nodeWithId(`tvmps_local_${pool.body.id.toLowerCase()}_${pool.nextNodeIndex++}`);
  if (lowPriority) node.lowPriority = true;
  return node;
}
var schedulable = (n2) => (n2.state === "idle" || n2.state === "running") && !n2.draining;
function setNodeState(node, state2) {
  node.state = state2;
  node.stateTransitionTime = now();
}
function setJobState(job, state2) {
  job.previousState = job.state;
  job.state = state2;
  job.stateTransitionTime = now();
}
function endJob(job, reason) {
  if (job.state === "completed") return;
  setJobState(job, "terminating");
  job.executionInfo.terminateReason = reason;
  for (const t of job.tasks.values()) {
    if (t.state === "running" || t.state === "preparing") {
      t.endReason = { code: "TaskEnded", message: "Task Was Ended by User Request" };
      t.abort?.abort(new Error(reason));
    }
  }
  setJobState(job, "completed");
  job.executionInfo.endTime = now();
  job.eTag = etag();
}

// local-batch/resources/applications.ts
var APP_TYPE = "Microsoft.Batch/batchAccounts/applications";
function appView(accountId2, app) {
  return {
    id: `${accountId2}/applications/${app.id}`,
    name: app.id,
    type: APP_TYPE,
    etag: `W/"${app.etag}"`,
    properties: {
      ...app.displayName !== void 0 ? { displayName: app.displayName } : {},
      allowUpdates: app.allowUpdates,
      ...app.defaultVersion ? { defaultVersion: app.defaultVersion } : {}
    }
  };
}
function packageView(ctx, accountId2, app, pkg) {
  const { url, expiry } = storageUrl(ctx, pkg);
  return {
    id: `${accountId2}/applications/${app.id}/versions/${pkg.version}`,
    name: pkg.version,
    type: `${APP_TYPE}/versions`,
    etag: `W/"${pkg.etag}"`,
    properties: {
      state: pkg.state,
      ...pkg.format ? { format: pkg.format } : {},
      storageUrl: url,
      storageUrlExpiry: expiry,
      ...pkg.lastActivationTime ? { lastActivationTime: pkg.lastActivationTime } : {}
    }
  };
}
function appOf(ctx, id) {
  const app = ctx.applications.get(id.toLowerCase());
  if (!app) throw new ArmHttpError(404, "ApplicationNotFound", `The specified application ${id} does not exist.`);
  return app;
}
function packageOf(app, version) {
  const pkg = findPackage(app, version);
  if (!pkg) throw new ArmHttpError(404, "ApplicationPackageNotFound", `The specified application package ${app.id} version ${version} does not exist.`);
  return pkg;
}
function applyProperties(app, body) {
  const p = body?.properties ?? {};
  for (const key of Object.keys(p))
    if (!["displayName", "allowUpdates", "defaultVersion"].includes(key))
      throw new ArmHttpError(400, "InvalidRequestBody", `The property properties.${key} is not a property of an application.`);
  if (p.displayName !== void 0) app.displayName = String(p.displayName);
  if (p.allowUpdates !== void 0) app.allowUpdates = Boolean(p.allowUpdates);
  if (p.defaultVersion !== void 0) {
    const pkg = findPackage(app, String(p.defaultVersion));
    if (!pkg)
      throw new ArmHttpError(400, "InvalidDefaultVersion", `The default version ${String(p.defaultVersion)} is not a package of the application ${app.id}.`);
    app.defaultVersion = pkg.version;
  }
  app.etag = etag();
}
async function routeApplications(ctx, accountId2, method, rest, body) {
  const [appId, versionsWord, version, activateWord] = rest;
  if (appId === void 0) {
    if (method !== "GET") throw new ArmHttpError(405, "MethodNotAllowed", `${method} is not served for applications.`);
    return { status: 200, body: { value: [...ctx.applications.values()].map((a) => appView(accountId2, a)) } };
  }
  if (!APPLICATION_ID.test(appId)) throw new ArmHttpError(400, "InvalidApplicationName", `The application name ${appId} is not valid: ${APPLICATION_ID_RULE}.`);
  if (versionsWord === void 0) {
    if (method === "PUT") {
      const existing2 = ctx.applications.get(appId.toLowerCase());
      const app2 = existing2 ?? { id: appId, allowUpdates: true, etag: etag(), packages: [] };
      applyProperties(app2, body);
      ctx.applications.set(appId.toLowerCase(), app2);
      return { status: 200, body: appView(accountId2, app2) };
    }
    if (method === "GET") return { status: 200, body: appView(accountId2, appOf(ctx, appId)) };
    if (method === "PATCH") {
      const app2 = appOf(ctx, appId);
      applyProperties(app2, body);
      return { status: 200, body: appView(accountId2, app2) };
    }
    if (method === "DELETE") {
      const app2 = ctx.applications.get(appId.toLowerCase());
      if (!app2) return { status: 204 };
      await Promise.all(app2.packages.map((p) => rm(packageFile(ctx, p.blobName), { force: true })));
      ctx.applications.delete(appId.toLowerCase());
      return { status: 200 };
    }
    throw new ArmHttpError(405, "MethodNotAllowed", `${method} is not served for an application.`);
  }
  if (versionsWord !== "versions") throw new ArmHttpError(404, "ResourceNotFound", `The resource ${rest.join("/")} was not found.`);
  const app = appOf(ctx, appId);
  if (version === void 0) {
    if (method !== "GET") throw new ArmHttpError(405, "MethodNotAllowed", `${method} is not served for an application's packages.`);
    return { status: 200, body: { value: app.packages.map((p) => packageView(ctx, accountId2, app, p)) } };
  }
  if (!APPLICATION_VERSION.test(version))
    throw new ArmHttpError(400, "InvalidApplicationPackageVersion", `The version ${version} is not valid: ${APPLICATION_VERSION_RULE}.`);
  if (activateWord === "activate" && method === "POST") return activate(ctx, accountId2, app, packageOf(app, version), body);
  if (activateWord !== void 0) throw new ArmHttpError(404, "ResourceNotFound", `The resource ${rest.join("/")} was not found.`);
  if (method === "GET") return { status: 200, body: packageView(ctx, accountId2, app, packageOf(app, version)) };
  if (method === "DELETE") {
    const pkg2 = findPackage(app, version);
    if (!pkg2) return { status: 204 };
    await rm(packageFile(ctx, pkg2.blobName), { force: true });
    app.packages = app.packages.filter((p) => p !== pkg2);
    if (app.defaultVersion === pkg2.version) app.defaultVersion = void 0;
    return { status: 200 };
  }
  if (method !== "PUT") throw new ArmHttpError(405, "MethodNotAllowed", `${method} is not served for an application package.`);
  const existing = findPackage(app, version);
  if (existing) {
    if (existing.state === "Active" && !app.allowUpdates)
      throw new ArmHttpError(
        409,
        "ApplicationPackageUpdatesNotAllowed",
        `The package ${app.id} version ${existing.version} is active and the application does not allow updates (allowUpdates is false).`
      );
    return { status: 200, body: packageView(ctx, accountId2, app, existing) };
  }
  const pkg = { version, state: "Pending", etag: etag(), blobName: `${app.id.toLowerCase()}-${version}-${randomUUID3()}.zip` };
  app.packages.push(pkg);
  return { status: 200, body: packageView(ctx, accountId2, app, pkg) };
}
function activate(ctx, accountId2, app, pkg, body) {
  const format = body?.format;
  if (typeof format !== "string" || format.toLowerCase() !== PACKAGE_FORMAT)
    throw new ArmHttpError(
      400,
      "InvalidApplicationPackageFormat",
      `The format ${String(format)} is not supported; application packages are zip archives (format: zip).`
    );
  if (!pkg.blob)
    throw new ArmHttpError(
      409,
      "ApplicationPackageBlobNotFound",
      `The package ${app.id} version ${pkg.version} has no uploaded file; upload the zip to its storageUrl first.`
    );
  pkg.state = "Active";
  pkg.format = PACKAGE_FORMAT;
  pkg.lastActivationTime = now();
  pkg.etag = etag();
  return { status: 200, body: packageView(ctx, accountId2, app, pkg) };
}
function applicationSummary(app) {
  return { id: app.id, displayName: app.displayName ?? app.id, versions: app.packages.filter((p) => p.state === "Active").map((p) => p.version) };
}
function listedApplications(ctx) {
  return [...ctx.applications.values()].filter((a) => a.packages.some((p) => p.state === "Active")).map(applicationSummary);
}
function getApplication(ctx, id) {
  const app = ctx.applications.get(id.toLowerCase());
  if (!app || !app.packages.some((p) => p.state === "Active"))
    throw new BatchHttpError(404, "ApplicationNotFound", "The specified application does not exist.", [{ key: "ApplicationId", value: id }]);
  return applicationSummary(app);
}

// local-batch/resources/pools.ts
import { rm as rm4 } from "node:fs/promises";
import { join as join5 } from "node:path";

// local-batch/limits.ts
function duration(value, property, bounds = {}) {
  if (value === void 0) return;
  const ms = parseDuration(value);
  if (ms === void 0 || ms > MAX_DURATION_MS) throw invalidValue(property, `${value} is not a duration the service can hold`);
  if (bounds.min !== void 0 && ms < bounds.min) throw invalidValue(property, `${value} is under the minimum of ${bounds.min / 6e4} minutes`);
  if (bounds.max !== void 0 && ms > bounds.max) throw invalidValue(property, `${value} is over the maximum of ${bounds.max / 6e4} minutes`);
}
function checkResourceFiles(files, property) {
  files?.forEach((f, i) => {
    const problem = f.filePath === void 0 ? void 0 : filePathProblem(f.filePath);
    if (problem) throw invalidValue(`${property}[${i}].filePath`, problem);
    if (f.httpUrl !== void 0 && f.blobPrefix !== void 0)
      throw invalidValue(`${property}[${i}].blobPrefix`, "blobPrefix applies only with storageContainerUrl or autoStorageContainerName");
  });
}
function checkResizeTimeout(value) {
  duration(value, "resizeTimeout", { min: BATCH_LIMITS.minResizeTimeoutMs });
}
function checkPoolLimits(body) {
  if (!VM_SIZE_PATTERN.test(body.vmSize)) throw invalidValue("vmSize", `'${body.vmSize}' is not a VM size name`);
  checkResizeTimeout(body.resizeTimeout);
  const cores = vCpusOfVmSize(body.vmSize);
  const slots = body.taskSlotsPerNode ?? 1;
  const most = Math.min(BATCH_LIMITS.maxTaskSlotsPerNode, cores === void 0 ? BATCH_LIMITS.maxTaskSlotsPerNode : cores * BATCH_LIMITS.taskSlotsPerCore);
  if (slots < 1 || slots > most) throw invalidValue("taskSlotsPerNode", `must be between 1 and ${most} for vmSize ${body.vmSize}`);
  checkResourceFiles(body.startTask?.resourceFiles, "startTask.resourceFiles");
}
function checkJobLimits(body, prefix = "") {
  if (body.maxParallelTasks !== void 0 && body.maxParallelTasks !== -1 && body.maxParallelTasks < 1) {
    throw invalidValue(`${prefix}maxParallelTasks`, "must be -1 or greater than 0");
  }
  duration(body.constraints?.maxWallClockTime, `${prefix}constraints.maxWallClockTime`);
  duration(body.jobReleaseTask?.maxWallClockTime, `${prefix}jobReleaseTask.maxWallClockTime`, { max: BATCH_LIMITS.maxReleaseWallClockMs });
  checkResourceFiles(body.jobPreparationTask?.resourceFiles, `${prefix}jobPreparationTask.resourceFiles`);
  checkResourceFiles(body.jobReleaseTask?.resourceFiles, `${prefix}jobReleaseTask.resourceFiles`);
  checkResourceFiles(body.jobManagerTask?.resourceFiles, `${prefix}jobManagerTask.resourceFiles`);
}
function checkScheduleLimits(body) {
  duration(body.schedule?.recurrenceInterval, "schedule.recurrenceInterval", { min: BATCH_LIMITS.minRecurrenceMs });
  duration(body.schedule?.startWindow, "schedule.startWindow", { min: BATCH_LIMITS.minStartWindowMs });
  checkJobLimits(body.jobSpecification, "jobSpecification.");
}
function taskLimitError(job, body) {
  try {
    checkResourceFiles(body.resourceFiles, "resourceFiles");
    duration(body.constraints?.maxWallClockTime, "constraints.maxWallClockTime");
    duration(body.constraints?.retentionTime, "constraints.retentionTime");
  } catch (error) {
    return error;
  }
  const id = body.id.toLowerCase();
  const reserved = [
    job.jobPreparationTask && (job.jobPreparationTask.id ?? DEFAULT_PREPARATION_TASK_ID),
    job.jobReleaseTask && (job.jobReleaseTask.id ?? DEFAULT_RELEASE_TASK_ID)
  ];
  if (reserved.some((r) => r && r.toLowerCase() === id)) {
    return BatchErrors.exists("Task", body.id, `${body.id} is the id of the job's preparation or release task`);
  }
  return void 0;
}

// local-batch/scheduler/nodes.ts
import { randomUUID as randomUUID4 } from "node:crypto";
import { mkdir as mkdir4, open, rm as rm3 } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { join as join4 } from "node:path";

// local-batch/runtime/taskRunner.ts
import { mkdir as mkdir2, readdir, stat } from "node:fs/promises";
import { join as join2, relative } from "node:path";

// local-batch/runtime/blobTransfers.ts
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";

// local-batch/runtime/storageLogins.ts
function partsOf(url) {
  const u = new URL(url);
  const segments = u.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const pathStyle = LOOPBACK_HOST.test(u.hostname);
  const account = pathStyle ? segments.shift() ?? "" : u.hostname.split(".")[0];
  const [container = "", ...blob] = segments;
  return { account, container, blob: blob.length ? blob.join("/") : void 0 };
}
var StorageLoginError = class extends Error {
};
function signAsIdentity(url, identity, pool, logins, write) {
  if (!pool.identities.some((i) => i.toLowerCase() === identity.toLowerCase()))
    throw new StorageLoginError(`the managed identity ${identity} is not an identity of pool ${pool.id}; a node acts only as its pool's identities`);
  const { account, container, blob } = partsOf(url);
  const login = logins.find((l) => l.identity.toLowerCase() === identity.toLowerCase() && l.storageAccount.toLowerCase() === account.toLowerCase());
  if (!login)
    throw new StorageLoginError(
      `the node could not reach storage account ${account} with the managed identity ${identity}: the local Batch service has no storage login for that identity and account (an identity map entry { identity, storageAccount, keyEnv })`
    );
  const credential = new StorageSharedKeyCredential(login.storageAccount, login.key);
  const expiresOn = new Date(Date.now() + 60 * 6e4);
  const sas = blob ? generateBlobSASQueryParameters(
    { containerName: container, blobName: blob, permissions: BlobSASPermissions.parse(write ? "rcw" : "r"), expiresOn },
    credential
  ) : generateBlobSASQueryParameters({ containerName: container, permissions: ContainerSASPermissions.parse(write ? "rcwl" : "rl"), expiresOn }, credential);
  const u = new URL(url);
  u.search = sas.toString();
  return u.toString();
}

// local-batch/runtime/blobTransfers.ts
function asIdentity(url, identity, sign, write, code) {
  if (!identity) return url;
  try {
    if (!sign) throw new StorageLoginError(`the managed identity ${identity} has no storage login on the local Batch service`);
    return sign(url, identity, write);
  } catch (error) {
    if (error instanceof StorageLoginError)
      throw new FileTransferError(code, `${write ? "upload to" : "download of"} ${redactUrl(url)} failed: ${error.message}`);
    throw error;
  }
}
var FileTransferError = class extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
  code;
};
function redactUrl(url) {
  return url.replace(/\?.*$/, "?<SAS redacted>");
}
function why(error) {
  const e = error;
  if (e.statusCode) return `HTTP ${e.statusCode}${e.code ? ` ${e.code}` : ""}`;
  return e.code ?? e.cause?.message ?? e.message ?? String(error);
}
var pipeline = () => newPipeline(new AnonymousCredential(), { retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2e3 } });
var containerClient = (url) => new ContainerClient(url, pipeline());
async function downloadHttp(url, target) {
  const response = await fetch(url).catch((error) => {
    throw new FileTransferError("BlobDownloadMiscError", `download of ${redactUrl(url)} failed: ${why(error)}`);
  });
  if (!response.ok) throw new FileTransferError("BlobDownloadMiscError", `download of ${redactUrl(url)} failed: HTTP ${response.status}`);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, Buffer.from(await response.arrayBuffer()));
}
function inside(wd, ...parts) {
  const root = resolve(wd);
  const target = resolve(root, ...parts);
  if (target !== root && target.startsWith(root + sep)) return target;
  throw new FileTransferError(
    "ResourceFilePathOutsideWorkingDirectory",
    `resource file ${JSON.stringify(parts.filter(Boolean).join("/").slice(0, 200))} would be written outside the task's working directory; nothing was written`
  );
}
async function downloadResourceFiles(files, wd, sign) {
  for (const f of files ?? []) {
    const targets = [];
    const identity = f.identityReference?.resourceId;
    if (f.httpUrl) {
      const target = inside(wd, f.filePath ?? new URL(f.httpUrl).pathname.split("/").pop() ?? "file");
      await downloadHttp(asIdentity(f.httpUrl, identity, sign, false, "BlobDownloadMiscError"), target);
      targets.push(target);
    } else if (f.storageContainerUrl) {
      const container = containerClient(asIdentity(f.storageContainerUrl, identity, sign, false, "ResourceContainerListMiscError"));
      const names = [];
      try {
        for await (const blob of container.listBlobsFlat({ prefix: f.blobPrefix })) names.push(blob.name);
      } catch (error) {
        throw new FileTransferError("ResourceContainerListMiscError", `listing ${redactUrl(f.storageContainerUrl)} failed: ${why(error)}`);
      }
      for (const name of names) {
        const target = inside(wd, f.filePath ?? "", name);
        await mkdir(dirname(target), { recursive: true });
        await container.getBlobClient(name).downloadToFile(target).catch((error) => {
          throw new FileTransferError("BlobDownloadMiscError", `download of ${name} from ${redactUrl(f.storageContainerUrl)} failed: ${why(error)}`);
        });
        targets.push(target);
      }
    }
    if (f.fileMode) for (const t of targets) await chmod(t, Number.parseInt(f.fileMode, 8));
  }
}
async function uploadFile(containerUrl, blobName, path, identity, sign) {
  await containerClient(asIdentity(containerUrl, identity, sign, true, "FileUploadMiscError")).getBlockBlobClient(blobName).uploadFile(path).catch((error) => {
    throw new FileTransferError("FileUploadMiscError", `upload of ${blobName} to ${redactUrl(containerUrl)} failed: ${why(error)}`);
  });
}

// local-batch/runtime/taskRunner.ts
var hostExecutor = processExecutor();
function nodeDirs(root) {
  return {
    root,
    shared: join2(root, "shared"),
    startup: join2(root, "startup"),
    fsmounts: join2(root, "fsmounts"),
    applications: join2(root, "applications"),
    workitems: join2(root, "workitems")
  };
}
async function createNodeDirs(root) {
  const d = nodeDirs(root);
  await Promise.all([d.shared, d.startup, d.fsmounts, d.applications, d.workitems].map((p) => mkdir2(p, { recursive: true })));
  return d;
}
function taskEnvironment(ctx, mounted) {
  const wd = join2(ctx.taskDir, "wd");
  const env = {
    AZ_BATCH_ACCOUNT_NAME: "local",
    AZ_BATCH_POOL_ID: ctx.poolId,
    AZ_BATCH_NODE_ID: ctx.nodeId,
    AZ_BATCH_NODE_ROOT_DIR: ctx.node.root,
    AZ_BATCH_NODE_SHARED_DIR: ctx.node.shared,
    AZ_BATCH_NODE_STARTUP_DIR: ctx.node.startup,
    AZ_BATCH_NODE_MOUNTS_DIR: ctx.node.fsmounts,
    AZ_BATCH_NODE_IS_DEDICATED: "true",
    AZ_BATCH_JOB_ID: ctx.jobId,
    AZ_BATCH_TASK_ID: ctx.taskId,
    AZ_BATCH_TASK_DIR: ctx.taskDir,
    AZ_BATCH_TASK_WORKING_DIR: wd,
    AZ_BATCH_TASK_USER: "_azbatch",
    AZ_BATCH_TASK_USER_IDENTITY: ctx.isAdmin ? "PoolAdmin" : "PoolNonAdmin"
  };
  if (ctx.jobPrepDir) {
    env.AZ_BATCH_JOB_PREP_DIR = ctx.jobPrepDir;
    env.AZ_BATCH_JOB_PREP_WORKING_DIR = join2(ctx.jobPrepDir, "wd");
  }
  if (ctx.containerSettings) env.AZ_BATCH_TASK_CONTAINER_IMAGE = ctx.containerSettings.imageName;
  for (const p of ctx.packages ?? []) if (!mounted || mounted.has("Applications")) env[p.env] = p.dir;
  if (mounted) {
    const drop = {
      Shared: ["AZ_BATCH_NODE_SHARED_DIR"],
      Startup: ["AZ_BATCH_NODE_STARTUP_DIR"],
      VfsMounts: ["AZ_BATCH_NODE_MOUNTS_DIR"],
      Task: ["AZ_BATCH_TASK_DIR", "AZ_BATCH_TASK_WORKING_DIR"],
      JobPrep: ["AZ_BATCH_JOB_PREP_DIR", "AZ_BATCH_JOB_PREP_WORKING_DIR"]
    };
    for (const [source, names] of Object.entries(drop)) if (!mounted.has(source)) for (const n2 of names) delete env[n2];
    delete env.AZ_BATCH_NODE_ROOT_DIR;
  }
  for (const e of ctx.env) env[e.name] = e.value ?? "";
  return env;
}
function containerMounts(ctx, entries) {
  if (entries === void 0) return { mounts: [{ hostPath: ctx.node.root, containerPath: ctx.node.root, readOnly: false }] };
  const paths = {
    Shared: ctx.node.shared,
    Startup: ctx.node.startup,
    VfsMounts: ctx.node.fsmounts,
    Task: ctx.taskDir,
    JobPrep: ctx.jobPrepDir
  };
  const mounts = [];
  const mounted = /* @__PURE__ */ new Set();
  for (const e of entries) {
    if (e.source === "Applications") {
      mounted.add(e.source);
      for (const dir of new Set((ctx.packages ?? []).map((p2) => p2.dir))) mounts.push({ hostPath: dir, containerPath: dir, readOnly: Boolean(e.isReadOnly) });
      continue;
    }
    const p = e.source ? paths[e.source] : void 0;
    if (!p || !e.source) continue;
    mounted.add(e.source);
    mounts.push({ hostPath: p, containerPath: p, readOnly: Boolean(e.isReadOnly) });
  }
  return { mounts, mounted };
}
var TaskFailure = class extends Error {
  constructor(code, message, category = "usererror") {
    super(message);
    this.code = code;
    this.category = category;
  }
  code;
  category;
};
async function walk(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join2(dir, entry.name);
    if (entry.isDirectory()) out.push(...await walk(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}
async function uploadOutputFiles(files, taskDir, succeeded, sign) {
  const wd = join2(taskDir, "wd");
  for (const f of files ?? []) {
    const condition = f.uploadOptions.uploadCondition;
    if (condition === "tasksuccess" && !succeeded || condition === "taskfailure" && succeeded) continue;
    const up = f.filePattern.startsWith("../");
    const base = up ? taskDir : wd;
    const pattern = up ? f.filePattern.slice(3) : f.filePattern;
    const re = globToRegExp(pattern);
    const matches = (await walk(base)).map((p) => relative(base, p)).filter((p) => re.test(p));
    const wildcard = hasWildcard(pattern);
    const prefix = f.destination.container.path ?? "";
    for (const rel of matches) {
      const name = wildcard ? `${prefix}${prefix && !prefix.endsWith("/") ? "/" : ""}${rel}` : prefix || rel;
      const identity = f.destination.container.identityReference?.resourceId;
      await uploadFile(f.destination.container.containerUrl, name, join2(base, rel), identity, sign).catch((error) => {
        throw new TaskFailure(error.code, error.message);
      });
    }
  }
}
async function runOnNode(executor, ctx, signal, onSpawn) {
  const wd = join2(ctx.taskDir, "wd");
  await mkdir2(wd, { recursive: true });
  await downloadResourceFiles(ctx.resourceFiles, wd, ctx.signAs).catch((error) => {
    if (error instanceof FileTransferError) throw new TaskFailure(error.code, error.message);
    throw error;
  });
  const cs = ctx.containerSettings;
  if (cs && executor.kind === "docker") {
    const { mounts, mounted } = containerMounts(ctx, cs.containerHostBatchBindMounts);
    return executor.run({
      name: `azbr-${ctx.jobId}-${ctx.taskId}-${ctx.attempt}-${process.pid}`.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 120),
      commandLine: ctx.commandLine,
      env: taskEnvironment(ctx, mounted),
      taskDir: ctx.taskDir,
      workingDir: cs.workingDirectory === "containerImageDefault" ? void 0 : wd,
      container: { image: cs.imageName, runOptions: cs.containerRunOptions, mounts },
      signal,
      onSpawn
    });
  }
  const host = executor.kind === "process" ? executor : hostExecutor;
  return host.run({ name: ctx.taskId, commandLine: ctx.commandLine, env: taskEnvironment(ctx), taskDir: ctx.taskDir, workingDir: wd, signal, onSpawn });
}
async function fileInfo(path) {
  const s2 = await stat(path).catch(() => void 0);
  return s2 ? { size: s2.size, mtime: s2.mtime, ctime: s2.birthtime, isDirectory: s2.isDirectory() } : void 0;
}
async function listFiles(dir, recursive) {
  const out = [];
  const visit = async (d) => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join2(d, entry.name);
      const s2 = await stat(p).catch(() => void 0);
      if (!s2) continue;
      out.push({ name: relative(dir, p), isDirectory: entry.isDirectory(), size: entry.isDirectory() ? 0 : s2.size, mtime: s2.mtime, ctime: s2.birthtime });
      if (entry.isDirectory() && recursive) await visit(p);
    }
  };
  await visit(dir);
  return out;
}

// local-batch/scheduler/packages.ts
import { rename, rm as rm2, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join as join3 } from "node:path";

// local-batch/runtime/unzip.ts
import { mkdir as mkdir3, writeFile as writeFile2, chmod as chmod2 } from "node:fs/promises";
import { dirname as dirname2, resolve as resolve2, sep as sep2 } from "node:path";
import { inflateRawSync } from "node:zlib";
var ZipError = class extends Error {
};
var MAX_UNPACKED_BYTES = 8 * 1024 ** 3;
function endOfDirectory(zip) {
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) if (zip.readUInt32LE(i) === 101010256) return i;
  throw new ZipError("the package is not a zip archive (no end of central directory)");
}
function zipEntries(zip) {
  const end = endOfDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 33639248) throw new ZipError("the package's central directory is damaged");
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const madeBy = zip.readUInt16LE(at + 4) >> 8;
    const external = zip.readUInt32LE(at + 38);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    const unixMode = madeBy === 3 ? external >>> 16 : 0;
    entries.push({
      name,
      directory: name.endsWith("/"),
      mode: unixMode ? unixMode & 511 : void 0,
      data: () => {
        if (zip.readUInt32LE(local) !== 67324752) throw new ZipError(`the package's entry ${name} is damaged`);
        const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
        const raw = zip.subarray(start, start + compressed);
        if (method === 0) return raw;
        if (method !== 8)
          throw new ZipError(`the package's entry ${name} uses compression method ${method}; zip archives with stored or deflated entries are read`);
        return inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
      }
    });
  }
  return entries;
}
async function unzipInto(zip, dir) {
  const root = resolve2(dir);
  let total = 0;
  await mkdir3(root, { recursive: true });
  for (const entry of zipEntries(zip)) {
    const name = entry.name.replace(/\\/g, "/");
    const target = resolve2(root, name);
    if (name.startsWith("/") || /^[A-Za-z]:/.test(name) || target !== root && !target.startsWith(root + sep2))
      throw new ZipError(`the package's entry ${entry.name} would be written outside the package's folder`);
    if (entry.directory) {
      await mkdir3(target, { recursive: true });
      continue;
    }
    const data = entry.data();
    total += data.length;
    if (total > MAX_UNPACKED_BYTES) throw new ZipError("the package unpacks to more than 8 GiB");
    await mkdir3(dirname2(target), { recursive: true });
    await writeFile2(target, data);
    if (entry.mode) await chmod2(target, entry.mode);
  }
}

// local-batch/scheduler/packages.ts
var installs = /* @__PURE__ */ new WeakMap();
async function installPackages(ctx, node, refs, fullyQualified) {
  const packages = [];
  for (const ref of refs ?? []) {
    const resolved = resolveReference(ctx, ref, fullyQualified);
    if (!resolved.ok) {
      return {
        ok: false,
        code: "ApplicationPackageNotFound",
        message: `The application package ${ref.applicationId}${ref.version ? ` version ${ref.version}` : ""} could not be installed: ${resolved.reason}`
      };
    }
    const { app, pkg, versionGiven } = resolved;
    const folder = `${app.id}_${pkg.version}.${Buffer.from(pkg.blob.md5, "base64").toString("hex").slice(0, 12)}`;
    const dir = join3(node.dirs.applications, folder);
    let mine = installs.get(node);
    if (!mine) installs.set(node, mine = /* @__PURE__ */ new Map());
    let install = mine.get(folder);
    if (!install) {
      install = unpack(packageFile(ctx, pkg.blobName), dir);
      mine.set(folder, install);
      install.catch(() => mine.delete(folder));
    }
    try {
      await install;
    } catch (error) {
      return {
        ok: false,
        code: "ApplicationPackageInstallFailed",
        message: `The application package ${app.id} version ${pkg.version} could not be installed: ${error.message}`
      };
    }
    packages.push({ env: appPackageEnvName(app.id, versionGiven ? pkg.version : void 0), dir });
  }
  return { ok: true, packages };
}
async function unpack(zipFile, dir) {
  if (existsSync(dir)) return;
  const temp = `${dir}.${process.pid}.${Date.now()}.unpacking`;
  try {
    await unzipInto(await readFile(zipFile), temp);
    await rename(temp, dir);
  } finally {
    await rm2(temp, { recursive: true, force: true });
  }
}

// local-batch/scheduler/nodes.ts
async function startPool(ctx, pool) {
  const executor = ctx.options.executor;
  const container = pool.body.virtualMachineConfiguration?.containerConfiguration;
  let prefetchError;
  await Promise.all(pool.nodes.map(async (n2) => n2.dirs = await createNodeDirs(nodeDir(ctx, pool, n2))));
  pool.allocationState = "steady";
  pool.allocationStateTransitionTime = now();
  for (const n2 of pool.nodes) setNodeState(n2, "starting");
  if (container && executor.kind === "docker") {
    const addresses = /* @__PURE__ */ new Map();
    try {
      for (const r of container.containerRegistries ?? []) {
        if (r.username && r.password && r.registryServer) await executor.login(r.registryServer, r.username, r.password);
        const identity = r.identityReference?.resourceId;
        if (identity && r.registryServer) {
          const mapped = (ctx.options.identityRegistries ?? []).find(
            (m) => m.identity.toLowerCase() === identity.toLowerCase() && m.server.toLowerCase() === r.registryServer.toLowerCase()
          );
          if (!mapped) {
            prefetchError = {
              code: "ContainerRegistryLoginFailed",
              message: `the node could not log in to ${r.registryServer} with the managed identity ${identity}: the local Batch service has no registry login for that identity and registry (its identityRegistries configuration)`
            };
            break;
          }
          await executor.login(mapped.address ?? mapped.server, mapped.username, mapped.password);
          if (mapped.address) addresses.set(mapped.server.toLowerCase(), mapped.address);
        }
      }
      if (!prefetchError) {
        for (const image of container.containerImageNames ?? []) {
          const slash = image.indexOf("/");
          const address = slash > 0 ? addresses.get(image.slice(0, slash).toLowerCase()) : void 0;
          if (address) await executor.pull(`${address}${image.slice(slash)}`, image);
          else await executor.pull(image);
        }
      }
    } catch (error) {
      prefetchError = { code: "ContainerImagePullFailed", message: error.message };
    }
  }
  await Promise.all(pool.nodes.map((node) => prefetchError ? markUnusable(node, prefetchError) : runStartTask(ctx, pool, node)));
  ctx.pump();
}
async function startNodes(ctx, pool, nodes) {
  await Promise.all(
    nodes.map(async (node) => {
      node.dirs = await createNodeDirs(nodeDir(ctx, pool, node));
      setNodeState(node, "starting");
      await runStartTask(ctx, pool, node);
    })
  );
  ctx.pump();
}
var requeued = /* @__PURE__ */ new WeakSet();
function stopNodeTasks(node, option, why2) {
  if (option !== "requeue" && option !== "terminate") return;
  for (const t of node.running) {
    if (option === "requeue") requeued.add(t);
    else t.endReason = { code: "TaskEnded", message: `The task was ended: ${why2} with the option terminate` };
    t.abort?.abort(new Error(why2));
  }
}
function whenIdle(node) {
  if (node.running.size === 0) return Promise.resolve();
  return new Promise((resolve3) => node.idleWaiters.push(resolve3));
}
function requeueTask(t) {
  t.abort = void 0;
  t.endReason = void 0;
  t.nodeInfo = void 0;
  t.taskDir = void 0;
  t.executionInfo = { ...t.executionInfo, requeueCount: t.executionInfo.requeueCount + 1 };
  delete t.executionInfo.startTime;
  setTaskState(t, "active");
}
var nodeDir = (ctx, pool, node) => join4(ctx.options.dataDir, "pools", pool.body.id, "nodes", node.id);
async function vacate(ctx, pool, node, option, why2) {
  stopNodeTasks(node, option, why2);
  ctx.pump();
  await whenIdle(node);
  if (option !== "retaineddata") return;
  let until = 0;
  for (const job of ctx.jobs.values()) {
    for (const t of job.tasks.values()) {
      if (t.state !== "completed" || t.nodeInfo?.nodeId !== node.id) continue;
      const retention = parseDuration(t.body.constraints?.retentionTime ?? "P7D") ?? 0;
      until = Math.max(until, Date.parse(String(t.executionInfo.endTime)) + retention);
    }
  }
  if (until > Date.now()) await sleep(until - Date.now(), void 0, { signal: pool.abort.signal }).catch(() => {
  });
}
async function removeNodes(ctx, pool, nodes, option) {
  for (const node of nodes) {
    node.draining = "leavingpool";
    setNodeState(node, "leavingpool");
  }
  await Promise.all(
    nodes.map(async (node) => {
      await vacate(ctx, pool, node, option, `its node ${node.id} left the pool`);
      const i = pool.nodes.indexOf(node);
      if (i >= 0) pool.nodes.splice(i, 1);
      await rm3(nodeDir(ctx, pool, node), { recursive: true, force: true });
    })
  );
  ctx.touch();
  ctx.pump();
}
async function preemptNode(ctx, pool, node, backAfterMs) {
  node.draining = "preempted";
  setNodeState(node, "preempted");
  node.jobPrepDone.clear();
  await vacate(ctx, pool, node, "requeue", `its Spot node ${node.id} was preempted`);
  ctx.touch();
  await sleep(backAfterMs, void 0, { signal: pool.abort.signal }).catch(() => {
  });
  if (pool.abort.signal.aborted || !pool.nodes.includes(node)) return;
  await rm3(nodeDir(ctx, pool, node), { recursive: true, force: true });
  node.dirs = await createNodeDirs(nodeDir(ctx, pool, node));
  node.draining = void 0;
  node.errors = void 0;
  setNodeState(node, "starting");
  await runStartTask(ctx, pool, node);
  ctx.touch();
  ctx.pump();
}
async function restartNode(ctx, pool, node, kind, option) {
  node.draining = kind;
  await vacate(ctx, pool, node, option, `its node ${node.id} was ${kind === "rebooting" ? "rebooted" : "reimaged"}`);
  setNodeState(node, kind);
  for (const [jobId, done] of [...node.jobPrepDone]) {
    const job = ctx.jobs.get(jobId.toLowerCase());
    const keep = kind === "rebooting" && job?.body.jobPreparationTask?.rerunOnNodeRebootAfterSuccess === false && await done;
    if (!keep) node.jobPrepDone.delete(jobId);
  }
  if (kind === "reimaging") await rm3(nodeDir(ctx, pool, node), { recursive: true, force: true });
  node.dirs = await createNodeDirs(nodeDir(ctx, pool, node));
  node.draining = void 0;
  node.errors = void 0;
  setNodeState(node, "starting");
  if (!pool.abort.signal.aborted) await runStartTask(ctx, pool, node);
  ctx.touch();
  ctx.pump();
}
function markUnusable(node, error) {
  node.errors = [error];
  setNodeState(node, "unusable");
}
async function runStartTask(ctx, pool, node) {
  const installed = await installPackages(ctx, node, pool.body.applicationPackageReferences, true);
  if (!installed.ok) return markUnusable(node, { code: installed.code, message: installed.message });
  node.packages = installed.packages;
  const start = pool.body.startTask;
  if (!start) return setNodeState(node, "idle");
  setNodeState(node, "waitingforstarttask");
  const startTime = now();
  node.startTaskInfo = { state: "running", startTime, retryCount: 0 };
  let result = { exitCode: 0 };
  for (let attempt = 0; attempt <= Math.max(0, start.maxTaskRetryCount ?? 0); attempt++) {
    result = await runAttempt(ctx, nodeTask(ctx, pool, node, void 0, start, "starttask", node.dirs.startup, attempt), pool.abort.signal);
    node.startTaskInfo.retryCount = attempt;
    if (result.exitCode === 0 && !result.failure || pool.abort.signal.aborted) break;
  }
  const ok = result.exitCode === 0 && !result.failure;
  node.startTaskInfo = {
    state: "completed",
    startTime,
    endTime: now(),
    exitCode: result.exitCode,
    retryCount: node.startTaskInfo.retryCount,
    result: ok ? "success" : "failure",
    ...ok ? {} : {
      failureInfo: {
        category: "usererror",
        ...result.failure ?? { code: "FailureExitCode", message: "The task exited with an exit code representing a failure" }
      }
    }
  };
  setNodeState(node, ok || start.waitForSuccess === false ? "idle" : "starttaskfailed");
}
function jobPreparation(ctx, job, pool, node) {
  const prep = job.body.jobPreparationTask;
  if (!prep) return Promise.resolve(true);
  let done = node.jobPrepDone.get(job.body.id);
  if (!done) {
    done = (async () => {
      const dir = join4(node.dirs.workitems, job.body.id, "job-1", "jobpreparation");
      const r = await runAttempt(ctx, { ...nodeTask(ctx, pool, node, job, prep, prep.id ?? "jobpreparation", dir), jobPrepDir: void 0 }, pool.abort.signal);
      return r.exitCode === 0 && !r.failure || prep.waitForSuccess === false;
    })();
    node.jobPrepDone.set(job.body.id, done);
  }
  return done;
}
async function jobRelease(ctx, job) {
  const release = job.body.jobReleaseTask;
  const pool = ctx.pools.get((job.body.poolInfo.poolId ?? "").toLowerCase());
  if (!release || !pool) return;
  for (const node of pool.nodes) {
    if (!node.jobPrepDone.has(job.body.id)) continue;
    const dir = join4(node.dirs.workitems, job.body.id, "job-1", "jobrelease");
    const limit = AbortSignal.timeout(release.maxWallClockTime && parseDuration(release.maxWallClockTime) || 15 * 6e4);
    await runAttempt(ctx, nodeTask(ctx, pool, node, job, release, release.id ?? "jobrelease", dir), AbortSignal.any([limit, pool.abort.signal]));
  }
}
function storageSigner(ctx, pool) {
  return (url, identity, write) => signAsIdentity(url, identity, { id: pool.body.id, identities: pool.identities ?? [] }, ctx.options.identityStorage ?? [], write);
}
function nodeTask(ctx, pool, node, job, task, taskId, taskDir, attempt = 0) {
  const jobId = job?.body.id ?? "";
  return {
    jobId,
    taskId,
    poolId: pool.body.id,
    nodeId: node.id,
    node: node.dirs,
    taskDir,
    commandLine: task.commandLine,
    containerSettings: task.containerSettings,
    env: [...job?.body.commonEnvironmentSettings ?? [], ...task.environmentSettings ?? []],
    resourceFiles: attempt === 0 ? task.resourceFiles : void 0,
    attempt,
    isAdmin: task.userIdentity?.autoUser?.elevationLevel === "admin",
    jobPrepDir: job?.body.jobPreparationTask ? join4(node.dirs.workitems, jobId, "job-1", "jobpreparation") : void 0,
    packages: node.packages,
    packageRefs: task.applicationPackageReferences,
    signAs: storageSigner(ctx, pool)
  };
}
async function taskRegistryLogin(ctx, task) {
  const registry = task.containerSettings?.registry;
  const executor = ctx.options.executor;
  if (!registry?.registryServer || executor.kind !== "docker") return void 0;
  try {
    if (registry.username && registry.password) {
      await executor.login(registry.registryServer, registry.username, registry.password);
      return void 0;
    }
    const identity = registry.identityReference?.resourceId;
    if (!identity) return void 0;
    const mapped = (ctx.options.identityRegistries ?? []).find(
      (m) => m.identity.toLowerCase() === identity.toLowerCase() && m.server.toLowerCase() === registry.registryServer.toLowerCase()
    );
    if (!mapped) {
      return {
        code: "ContainerRegistryLoginFailed",
        message: `the node could not log in to ${registry.registryServer} with the managed identity ${identity}: the local Batch service has no registry login for that identity and registry (its identityRegistries configuration)`,
        category: "usererror"
      };
    }
    await executor.login(mapped.address ?? mapped.server, mapped.username, mapped.password);
    const image = task.containerSettings.imageName;
    const slash = image.indexOf("/");
    if (mapped.address && slash > 0 && image.slice(0, slash).toLowerCase() === mapped.server.toLowerCase())
      await executor.pull(`${mapped.address}${image.slice(slash)}`, image);
    return void 0;
  } catch (error) {
    return { code: "ContainerImagePullFailed", message: error.message, category: "usererror" };
  }
}
async function runAttempt(ctx, task, signal) {
  await mkdir4(join4(task.taskDir, "wd"), { recursive: true });
  const failBeforeStart = async (failure) => {
    const f = await open(join4(task.taskDir, "stderr.txt"), "a");
    await f.appendFile(`${failure.code}: ${failure.message}
`);
    await f.close();
    return { exitCode: -1, failure };
  };
  if (task.packageRefs?.length) {
    const node = ctx.pools.get(task.poolId.toLowerCase())?.nodes.find((n2) => n2.id === task.nodeId);
    if (!node) return failBeforeStart({ code: "NodeNotFound", message: `the node ${task.nodeId} left the pool ${task.poolId}`, category: "servererror" });
    const installed = await installPackages(ctx, node, task.packageRefs, false);
    if (!installed.ok) return failBeforeStart({ code: installed.code, message: installed.message, category: "usererror" });
    task = { ...task, packages: [...task.packages ?? [], ...installed.packages] };
  }
  const loginFailure = await taskRegistryLogin(ctx, task);
  if (loginFailure) return failBeforeStart(loginFailure);
  const key = randomUUID4();
  let pid;
  try {
    const r = await runOnNode(ctx.options.executor, task, signal, (handle) => {
      ctx.live.set(key, handle);
      if (handle.pid) {
        pid = handle.pid;
        ctx.lease?.started(pid);
      }
      ctx.touch();
    });
    if (r.startError) {
      const category = r.startError.code === "ContainerImagePullFailed" || r.startError.code === "CommandNotFound" ? "usererror" : "servererror";
      const f = await open(join4(task.taskDir, "stderr.txt"), "a");
      await f.appendFile(`${r.startError.code}: ${r.startError.message}
`);
      await f.close();
      return { exitCode: r.exitCode, failure: { ...r.startError, category } };
    }
    return { exitCode: r.exitCode };
  } catch (error) {
    if (error instanceof TaskFailure) return { exitCode: -1, failure: { code: error.code, message: error.message, category: error.category } };
    throw error;
  } finally {
    ctx.live.delete(key);
    if (pid) ctx.lease?.ended(pid);
  }
}

// local-batch/account.ts
var DEFAULT_QUOTAS = {
  dedicatedCores: 500,
  dedicatedCoresPerFamily: {},
  defaultFamilyCores: 500,
  lowPriorityCores: 500,
  pools: 100,
  activeJobsAndSchedules: 300
};
var SKUS = [
  { name: "Standard_A1_v2", family: "standardAv2Family", vCPUs: 1, memoryGB: 2 },
  { name: "Standard_A2_v2", family: "standardAv2Family", vCPUs: 2, memoryGB: 4 },
  { name: "Standard_A4_v2", family: "standardAv2Family", vCPUs: 4, memoryGB: 8 },
  { name: "Standard_D2s_v3", family: "standardDSv3Family", vCPUs: 2, memoryGB: 8 },
  { name: "Standard_D4s_v3", family: "standardDSv3Family", vCPUs: 4, memoryGB: 16 },
  { name: "Standard_D8s_v3", family: "standardDSv3Family", vCPUs: 8, memoryGB: 32 },
  { name: "Standard_D16s_v3", family: "standardDSv3Family", vCPUs: 16, memoryGB: 64 },
  { name: "Standard_D2_v3", family: "standardDv3Family", vCPUs: 2, memoryGB: 8 },
  { name: "Standard_D4_v3", family: "standardDv3Family", vCPUs: 4, memoryGB: 16 },
  { name: "Standard_D2s_v5", family: "standardDSv5Family", vCPUs: 2, memoryGB: 8 },
  { name: "Standard_D4s_v5", family: "standardDSv5Family", vCPUs: 4, memoryGB: 16 },
  { name: "Standard_D8s_v5", family: "standardDSv5Family", vCPUs: 8, memoryGB: 32 },
  { name: "Standard_D16s_v5", family: "standardDSv5Family", vCPUs: 16, memoryGB: 64 },
  { name: "Standard_D2ds_v5", family: "standardDDSv5Family", vCPUs: 2, memoryGB: 8 },
  { name: "Standard_E2s_v3", family: "standardESv3Family", vCPUs: 2, memoryGB: 16 },
  { name: "Standard_E4s_v3", family: "standardESv3Family", vCPUs: 4, memoryGB: 32 },
  { name: "Standard_F2s_v2", family: "standardFSv2Family", vCPUs: 2, memoryGB: 4 },
  { name: "Standard_F4s_v2", family: "standardFSv2Family", vCPUs: 4, memoryGB: 8 },
  { name: "Standard_F8s_v2", family: "standardFSv2Family", vCPUs: 8, memoryGB: 16 },
  { name: "Standard_NC6s_v3", family: "standardNCSv3Family", vCPUs: 6, memoryGB: 112, gpus: 1 },
  { name: "Standard_NC24s_v3", family: "standardNCSv3Family", vCPUs: 24, memoryGB: 448, gpus: 4 },
  { name: "Standard_NC4as_T4_v3", family: "standardNCASv3_T4Family", vCPUs: 4, memoryGB: 28, gpus: 1 },
  { name: "Standard_HB120rs_v3", family: "standardHBrsv3Family", vCPUs: 120, memoryGB: 448 }
];
function skuOf(vmSize) {
  const name = vmSize.toLowerCase();
  return SKUS.find((s2) => s2.name.toLowerCase() === name);
}
function quotasOf(given) {
  return {
    ...DEFAULT_QUOTAS,
    ...given ?? {},
    dedicatedCoresPerFamily: { ...DEFAULT_QUOTAS.dedicatedCoresPerFamily, ...given?.dedicatedCoresPerFamily ?? {} }
  };
}
function familyQuota(quotas, family) {
  const named = Object.entries(quotas.dedicatedCoresPerFamily).find(([f]) => f.toLowerCase() === family.toLowerCase());
  return named ? named[1] : quotas.defaultFamilyCores;
}
function coresInUse(pools) {
  const use = { dedicated: 0, perFamily: /* @__PURE__ */ new Map(), lowPriority: 0 };
  for (const p of pools) {
    const sku = skuOf(p.vmSize);
    if (!sku) continue;
    use.dedicated += p.dedicated * sku.vCPUs;
    use.perFamily.set(sku.family, (use.perFamily.get(sku.family) ?? 0) + p.dedicated * sku.vCPUs);
    use.lowPriority += p.lowPriority * sku.vCPUs;
  }
  return use;
}
function allocatable(quotas, others, vmSize, wanted) {
  const sku = skuOf(vmSize);
  if (!sku) return { dedicated: 0, lowPriority: 0, errors: [] };
  const familyRoom = familyQuota(quotas, sku.family) - (others.perFamily.get(sku.family) ?? 0);
  const dedicatedRoom = Math.min(familyRoom, quotas.dedicatedCores - others.dedicated);
  const dedicated = Math.max(0, Math.min(wanted.dedicated, Math.floor(dedicatedRoom / sku.vCPUs)));
  const lowPriority = Math.max(0, Math.min(wanted.lowPriority, Math.floor((quotas.lowPriorityCores - others.lowPriority) / sku.vCPUs)));
  const errors = [];
  if (dedicated < wanted.dedicated) {
    const byFamily = familyRoom < quotas.dedicatedCores - others.dedicated;
    errors.push({
      code: "AccountCoreQuotaReached",
      message: byFamily ? `The specified account has reached VM core quota for family ${sku.family}: ${wanted.dedicated} dedicated ${sku.name} nodes need ${wanted.dedicated * sku.vCPUs} cores, ${Math.max(0, familyRoom)} of the family's ${familyQuota(quotas, sku.family)} are free.` : `The specified account has reached VM core quota: ${wanted.dedicated} dedicated ${sku.name} nodes need ${wanted.dedicated * sku.vCPUs} cores, ${Math.max(0, quotas.dedicatedCores - others.dedicated)} of the account's ${quotas.dedicatedCores} are free.`,
      values: [
        { name: "VMFamily", value: sku.family },
        { name: "CoresRequested", value: String(wanted.dedicated * sku.vCPUs) },
        { name: "CoresAllocated", value: String(dedicated * sku.vCPUs) }
      ]
    });
  }
  if (lowPriority < wanted.lowPriority) {
    errors.push({
      code: "AccountLowPriorityCoreQuotaReached",
      message: `The specified account has reached low priority core quota: ${wanted.lowPriority} Spot ${sku.name} nodes need ${wanted.lowPriority * sku.vCPUs} cores, ${Math.max(0, quotas.lowPriorityCores - others.lowPriority)} of the account's ${quotas.lowPriorityCores} are free.`,
      values: [
        { name: "CoresRequested", value: String(wanted.lowPriority * sku.vCPUs) },
        { name: "CoresAllocated", value: String(lowPriority * sku.vCPUs) }
      ]
    });
  }
  return { dedicated, lowPriority, errors };
}

// local-batch/resources/pools.ts
var maxNodes = (ctx) => ctx.options.maxNodesPerPool ?? 2;
var isSpot = (n2) => n2.lowPriority === true;
function nodesAllowed(ctx, pool, wanted) {
  const others = [...ctx.pools.values()].filter((p) => p !== pool).map((p) => ({ vmSize: p.body.vmSize, dedicated: p.nodes.filter((n2) => !isSpot(n2)).length, lowPriority: p.nodes.filter(isSpot).length }));
  const room = allocatable(quotasOf(ctx.options.account), coresInUse(others), pool.body.vmSize, wanted);
  const dedicated = Math.min(room.dedicated, maxNodes(ctx));
  const lowPriority = Math.min(room.lowPriority, maxNodes(ctx) - dedicated);
  return { dedicated, lowPriority, errors: room.errors };
}
function checkImage(body) {
  const vmc = body.virtualMachineConfiguration;
  if (!vmc) throw invalidBody("the required property virtualMachineConfiguration is missing", "virtualMachineConfiguration");
  const now2 = Date.now();
  const agent = vmc.nodeAgentSKUId;
  const ref = vmc.imageReference;
  if (ref.virtualMachineImageId) {
    if (!SUPPORTED_IMAGES.some((i) => i.nodeAgentSKUId.toLowerCase() === agent.toLowerCase() && !pastEndOfLife(i, now2))) {
      throw invalidValue(
        "virtualMachineConfiguration.nodeAgentSKUId",
        `The node agent SKU '${agent}' is not supported by the Batch service; see GET /supportedimages.`
      );
    }
    return;
  }
  const info = findSupportedImage(SUPPORTED_IMAGES, ref);
  if (!info)
    throw invalidValue(
      "virtualMachineConfiguration.imageReference",
      `The image ${describeImage(ref)} is not supported by the Batch service; see GET /supportedimages.`
    );
  if (info.nodeAgentSKUId.toLowerCase() !== agent.toLowerCase()) {
    throw invalidValue(
      "virtualMachineConfiguration.nodeAgentSKUId",
      `The node agent SKU '${agent}' does not support the image ${describeImage(ref)}, whose node agent is '${info.nodeAgentSKUId}'.`
    );
  }
  if (pastEndOfLife(info, now2)) {
    throw invalidValue(
      "virtualMachineConfiguration.imageReference",
      `The image ${describeImage(ref)} reached its Batch support end of life on ${info.batchSupportEndOfLife.slice(0, 10)}; new pools cannot use it.`
    );
  }
  if (vmc.containerConfiguration?.type?.toLowerCase() === "dockercompatible" && !(info.capabilities ?? []).includes("DockerCompatible")) {
    throw invalidValue("virtualMachineConfiguration.containerConfiguration", `The image ${describeImage(ref)} does not have the DockerCompatible capability.`);
  }
}
function addPool(ctx, body, identities) {
  validateBody(body, "PoolAdd");
  if (!BATCH_ID.test(body.id)) throw invalidValue("id", ID_RULE);
  checkPoolLimits(body);
  checkImage(body);
  if (ctx.pools.has(body.id.toLowerCase())) throw exists("Pool", body.id);
  checkPackageReferences(ctx, body.applicationPackageReferences);
  if (body.enableAutoScale) throw invalidValue("enableAutoScale", "autoscale formulas are not evaluated by the local Batch service; give targetDedicatedNodes");
  if (!skuOf(body.vmSize))
    throw invalidValue(
      "vmSize",
      `The VM size ${body.vmSize} is not offered by Batch in the account's region; Location_ListSupportedVirtualMachineSkus lists those that are.`
    );
  const quotas = quotasOf(ctx.options.account);
  if (ctx.pools.size >= quotas.pools)
    throw BatchErrors.conflict("PoolQuotaReached", "The specified account has reached its pool quota.", [{ key: "PoolQuota", value: String(quotas.pools) }]);
  const t = now();
  const record2 = {
    body,
    creationTime: t,
    stateTransitionTime: t,
    allocationState: "resizing",
    allocationStateTransitionTime: t,
    state: "active",
    eTag: etag(),
    lastModified: t,
    nodes: [],
    nextNodeIndex: 1,
    resizeErrors: [],
    abort: new AbortController(),
    ...identities?.length ? { identities } : {}
  };
  const allowed = nodesAllowed(ctx, record2, { dedicated: body.targetDedicatedNodes ?? 0, lowPriority: body.targetLowPriorityNodes ?? 0 });
  for (let i = 0; i < allowed.dedicated; i++) record2.nodes.push(newNode(record2));
  for (let i = 0; i < allowed.lowPriority; i++) record2.nodes.push(newNode(record2, true));
  record2.resizeErrors = allowed.errors;
  ctx.pools.set(body.id.toLowerCase(), record2);
  void ctx.track(startPool(ctx, record2));
  return created(ctx, `/pools/${body.id}`, record2);
}
function checkPackageReferences(ctx, refs) {
  if (!refs?.length) return;
  if (refs.length > MAX_POOL_PACKAGES)
    throw invalidValue(
      "applicationPackageReferences",
      `There is a maximum of ${MAX_POOL_PACKAGES} application package references on a pool; ${refs.length} were given.`
    );
  const invalid = refs.flatMap((ref) => {
    const r = resolveReference(ctx, ref, true);
    return r.ok ? [] : [{ key: ref.applicationId, value: r.reason }];
  });
  if (invalid.length)
    throw BatchErrors.conflict("InvalidApplicationPackageReferences", "One or more of the specified application package references are invalid.", invalid);
}
function deletePool(ctx, id) {
  const pool = poolOf(ctx, id);
  pool.state = "deleting";
  pool.abort.abort(new Error("pool deleted"));
  for (const job of ctx.jobs.values()) {
    if (job.body.poolInfo.poolId?.toLowerCase() === id.toLowerCase()) for (const t of job.tasks.values()) t.abort?.abort(new Error("pool deleted"));
  }
  ctx.pools.delete(id.toLowerCase());
  void ctx.track(rm4(join5(ctx.options.dataDir, "pools", pool.body.id), { recursive: true, force: true }));
  return { status: 202 };
}
function patchPool(ctx, id, body) {
  validateBody(body, "PoolPatch");
  const pool = poolOf(ctx, id);
  const patch = body;
  if (patch.vmSize !== void 0 || patch.taskSlotsPerNode !== void 0)
    throw invalidValue(patch.vmSize !== void 0 ? "vmSize" : "taskSlotsPerNode", "cannot be changed on an existing pool");
  Object.assign(pool.body, patch);
  pool.eTag = etag();
  pool.lastModified = now();
  return { status: 200, headers: { etag: pool.eTag } };
}
var DEALLOCATION_OPTIONS = ["requeue", "terminate", "taskcompletion", "retaineddata"];
function optionOf(value, property) {
  if (value === void 0) return "requeue";
  const option = DEALLOCATION_OPTIONS.find((o) => o === String(value).toLowerCase());
  if (!option) throw invalidValue(property, `expected one of ${DEALLOCATION_OPTIONS.join(", ")}`);
  return option;
}
function steadyPool(ctx, id, body) {
  checkResizeTimeout(body.resizeTimeout);
  const pool = poolOf(ctx, id);
  if (pool.allocationState !== "steady")
    throw BatchErrors.conflict("PoolBeingResized", "The specified pool is being resized.", [{ key: "Id", value: pool.body.id }]);
  return pool;
}
function resizePool(ctx, id, body) {
  validateBody(body, "PoolResize");
  const b2 = body;
  const option = optionOf(b2.nodeDeallocationOption, "nodeDeallocationOption");
  const pool = steadyPool(ctx, id, b2);
  pool.body.targetDedicatedNodes = b2.targetDedicatedNodes ?? 0;
  pool.body.targetLowPriorityNodes = b2.targetLowPriorityNodes ?? 0;
  const allowed = nodesAllowed(ctx, pool, { dedicated: pool.body.targetDedicatedNodes, lowPriority: pool.body.targetLowPriorityNodes });
  pool.resizeErrors = allowed.errors;
  const leaving = [];
  const added = [];
  for (const spot of [false, true]) {
    const staying = pool.nodes.filter((n2) => !n2.draining && isSpot(n2) === spot);
    const target = spot ? allowed.lowPriority : allowed.dedicated;
    leaving.push(...[...staying].sort((x, y) => x.running.size - y.running.size).slice(0, Math.max(0, staying.length - target)));
    for (let n2 = staying.length; n2 < target; n2++) added.push(newNode(pool, spot));
  }
  pool.nodes.push(...added);
  pool.allocationState = "resizing";
  pool.allocationStateTransitionTime = now();
  void ctx.track(startNodes(ctx, pool, added));
  void ctx.track(removeNodes(ctx, pool, leaving, option).then(() => settle(ctx, pool)));
  pool.eTag = etag();
  return { status: 202, headers: { etag: pool.eTag } };
}
function removePoolNodes(ctx, id, body) {
  validateBody(body, "NodeRemove");
  const b2 = body;
  if (b2.nodeList.length > 100) throw invalidValue("nodeList", "at most 100 nodes may be removed per request");
  const option = optionOf(b2.nodeDeallocationOption, "nodeDeallocationOption");
  const pool = steadyPool(ctx, id, b2);
  const nodes = [...new Set(b2.nodeList.map((n2) => nodeOf(pool, n2)))];
  const spot = nodes.filter(isSpot).length;
  pool.body.targetDedicatedNodes = Math.max(0, (pool.body.targetDedicatedNodes ?? 0) - (nodes.length - spot));
  pool.body.targetLowPriorityNodes = Math.max(0, (pool.body.targetLowPriorityNodes ?? 0) - spot);
  pool.allocationState = "resizing";
  pool.allocationStateTransitionTime = now();
  void ctx.track(removeNodes(ctx, pool, nodes, option).then(() => settle(ctx, pool)));
  pool.eTag = etag();
  return { status: 202, headers: { etag: pool.eTag } };
}
function settle(ctx, pool) {
  if (pool.nodes.some((n2) => n2.draining === "leavingpool")) return;
  pool.allocationState = "steady";
  pool.allocationStateTransitionTime = now();
  ctx.touch();
}
function nodeOf(pool, nodeId) {
  const node = pool.nodes.find((n2) => n2.id.toLowerCase() === nodeId.toLowerCase());
  if (!node) throw notFound("Node", nodeId);
  return node;
}
function getNode(ctx, poolId, nodeId) {
  return nodeOf(poolOf(ctx, poolId), nodeId);
}
function restartPoolNode(ctx, poolId, nodeId, kind, body) {
  const property = kind === "reboot" ? "nodeRebootOption" : "nodeReimageOption";
  if (body !== void 0) validateBody(body, kind === "reboot" ? "NodeReboot" : "NodeReimage");
  const option = optionOf(body?.[property], property);
  const pool = poolOf(ctx, poolId);
  const node = nodeOf(pool, nodeId);
  if (node.draining || !(node.state === "idle" || node.state === "running")) {
    const code = node.draining === "rebooting" ? "NodeBeingRebooted" : node.draining === "reimaging" ? "NodeBeingReimaged" : node.state === "unusable" ? "NodeStateUnusable" : "OperationInvalidForCurrentState";
    throw BatchErrors.conflict(
      code,
      `A node can be ${kind === "reboot" ? "rebooted" : "reimaged"} only when it is idle or running; ${node.id} is ${node.draining ?? node.state}.`,
      [{ key: "Id", value: node.id }]
    );
  }
  void ctx.track(restartNode(ctx, pool, node, kind === "reboot" ? "rebooting" : "reimaging", option));
  return { status: 202 };
}
function withoutPasswords(value) {
  return JSON.parse(JSON.stringify(value, (k, v) => k === "password" ? void 0 : v));
}
function poolView(ctx, p, version = API_VERSION) {
  const b2 = p.body;
  return {
    id: b2.id,
    ...b2.displayName ? { displayName: b2.displayName } : {},
    url: `${ctx.baseUrl}/pools/${b2.id}`,
    eTag: p.eTag,
    lastModified: p.lastModified,
    creationTime: p.creationTime,
    state: p.state,
    stateTransitionTime: p.stateTransitionTime,
    allocationState: p.allocationState,
    allocationStateTransitionTime: p.allocationStateTransitionTime,
    vmSize: b2.vmSize.toLowerCase(),
    ...b2.virtualMachineConfiguration ? { virtualMachineConfiguration: withoutPasswords(b2.virtualMachineConfiguration) } : {},
    resizeTimeout: b2.resizeTimeout ?? "PT15M",
    ...p.resizeErrors.length ? { resizeErrors: p.resizeErrors } : {},
    currentDedicatedNodes: p.nodes.filter((n2) => !isSpot(n2)).length,
    currentLowPriorityNodes: p.nodes.filter(isSpot).length,
    targetDedicatedNodes: b2.targetDedicatedNodes ?? 0,
    targetLowPriorityNodes: b2.targetLowPriorityNodes ?? 0,
    enableAutoScale: false,
    enableInterNodeCommunication: b2.enableInterNodeCommunication ?? false,
    ...b2.startTask ? { startTask: withoutPasswords(b2.startTask) } : {},
    ...b2.applicationPackageReferences?.length ? { applicationPackageReferences: b2.applicationPackageReferences } : {},
    taskSlotsPerNode: b2.taskSlotsPerNode ?? 1,
    // 2025-06-01 added the pool's default job order.
    taskSchedulingPolicy: version === "2024-07-01.20.0" ? { nodeFillType: "spread" } : { nodeFillType: "spread", jobDefaultOrder: "none" },
    ...b2.metadata ? { metadata: b2.metadata } : {},
    ...p.identities?.length ? { identity: { type: "UserAssigned", userAssignedIdentities: p.identities.map((resourceId) => ({ resourceId })) } } : {}
  };
}
function nodeView(ctx, poolId, n2) {
  return {
    // A draining node (leaving, or waiting to reboot) takes no new task.
    id: n2.id,
    url: `${ctx.baseUrl}/pools/${poolId}/nodes/${n2.id}`,
    state: n2.state,
    schedulingState: n2.draining ? "disabled" : "enabled",
    stateTransitionTime: n2.stateTransitionTime,
    ipAddress: "127.0.0.1",
    vmSize: ctx.pools.get(poolId.toLowerCase())?.body.vmSize.toLowerCase(),
    totalTasksRun: n2.totalTasksRun,
    runningTasksCount: n2.running.size,
    runningTaskSlotsCount: n2.usedSlots,
    totalTasksSucceeded: n2.totalTasksSucceeded,
    isDedicated: !isSpot(n2),
    ...n2.startTaskInfo ? { startTaskInfo: n2.startTaskInfo } : {},
    ...n2.errors ? { errors: n2.errors } : {}
  };
}

// local-batch/resources/arm.ts
var ARM_PREFIX = "/arm";
var KNOWN_PROPERTIES = /* @__PURE__ */ new Set([
  "displayName",
  "vmSize",
  "deploymentConfiguration",
  "scaleSettings",
  "interNodeCommunication",
  "startTask",
  "applicationPackages",
  "taskSlotsPerNode",
  "metadata"
]);
function resourceGroup(ctx) {
  return ctx.options.armResourceGroup ?? "local";
}
function accountId(ctx, subscription) {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup(ctx)}/providers/Microsoft.Batch/batchAccounts/${ctx.options.accountName}`;
}
function poolView2(ctx, subscription, pool) {
  const arm = armPoolBody(pool.body, pool.identities ?? []);
  const identities = pool.identities ?? [];
  return {
    id: `${accountId(ctx, subscription)}/pools/${pool.body.id}`,
    name: pool.body.id,
    type: "Microsoft.Batch/batchAccounts/pools",
    etag: `W/"${pool.eTag}"`,
    ...identities.length ? {
      identity: {
        type: "UserAssigned",
        userAssignedIdentities: Object.fromEntries(
          identities.map((id) => [id, { principalId: localId(`principal:${id}`), clientId: localId(`client:${id}`) }])
        )
      }
    } : {},
    properties: {
      ...arm.properties,
      provisioningState: pool.state === "deleting" ? "Deleting" : "Succeeded",
      allocationState: pool.allocationState === "steady" ? "Steady" : pool.allocationState === "stopping" ? "Stopping" : "Resizing",
      creationTime: pool.creationTime,
      lastModified: pool.lastModified,
      currentDedicatedNodes: pool.nodes.filter((n2) => !n2.lowPriority).length,
      currentLowPriorityNodes: pool.nodes.filter((n2) => n2.lowPriority).length
    }
  };
}
function localId(seed) {
  let h = 0;
  for (const c of seed) h = Math.imul(h, 31) + c.charCodeAt(0) >>> 0;
  const hex = (h.toString(16).padStart(8, "0") + "0".repeat(24)).slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
var SKUS_PATH = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Batch\/locations\/([^/]+)\/virtualMachineSkus$/i;
var GROUP_ACCOUNTS_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts$/i;
function accountView(ctx, subscription) {
  const q = quotasOf(ctx.options.account);
  return {
    id: accountId(ctx, subscription),
    name: ctx.options.accountName,
    type: "Microsoft.Batch/batchAccounts",
    location: location(ctx),
    properties: {
      accountEndpoint: new URL(ctx.baseUrl).host,
      provisioningState: "Succeeded",
      poolAllocationMode: "BatchService",
      dedicatedCoreQuota: q.dedicatedCores,
      lowPriorityCoreQuota: q.lowPriorityCores,
      dedicatedCoreQuotaPerVMFamily: [...new Set(SKUS.map((s2) => s2.family))].map((name) => ({ name, coreQuota: familyQuota(q, name) })),
      dedicatedCoreQuotaPerVMFamilyEnforced: true,
      poolQuota: q.pools,
      activeJobAndJobScheduleQuota: q.activeJobsAndSchedules
    }
  };
}
var location = (ctx) => ctx.options.location ?? "local";
function skuList(url) {
  const filter = url.searchParams.get("$filter");
  let skus = SKUS;
  if (filter) {
    const m = /^familyName eq '([^']*)'$/i.exec(filter.trim());
    if (!m) throw new ArmHttpError(400, "InvalidFilter", `The filter ${filter} is not supported; filter on familyName eq '<family>'.`);
    skus = SKUS.filter((s2) => s2.family.toLowerCase() === m[1].toLowerCase());
  }
  return {
    value: skus.map((s2) => ({
      name: s2.name,
      familyName: s2.family,
      capabilities: [
        { name: "vCPUs", value: String(s2.vCPUs) },
        { name: "MemoryGB", value: String(s2.memoryGB) },
        { name: "GPUs", value: String(s2.gpus ?? 0) },
        { name: "LowPriorityCapable", value: "True" }
      ]
    }))
  };
}
var POOL_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts\/([^/]+)\/pools\/([^/]+)$/i;
var ACCOUNTS_PATH = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts$/i;
function isArmPath(url) {
  return url.pathname === ARM_PREFIX || url.pathname.startsWith(`${ARM_PREFIX}/`);
}
function armHeaders(req) {
  return { "x-ms-request-id": randomUUID5(), "x-ms-correlation-request-id": String(req.headers["x-ms-client-request-id"] ?? randomUUID5()) };
}
var ACCOUNT_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts\/([^/]+)(?:\/(.*))?$/i;
function checkAccount(ctx, group, account) {
  if (group.toLowerCase() !== resourceGroup(ctx).toLowerCase() || account.toLowerCase() !== ctx.options.accountName.toLowerCase()) {
    throw new ArmHttpError(
      404,
      "ResourceNotFound",
      `The Batch account ${group}/${account} was not found; the local service is ${resourceGroup(ctx)}/${ctx.options.accountName}.`
    );
  }
}
async function routeArm(ctx, method, url, body, req) {
  if (!String(req.headers.authorization ?? "").startsWith("Bearer ")) {
    throw new ArmHttpError(
      401,
      "AuthenticationFailed",
      "Authentication failed: Azure Resource Manager takes a bearer token (Microsoft Entra ID), not a Shared Key."
    );
  }
  if (url.searchParams.get("api-version") !== ARM_API_VERSION) {
    throw new ArmHttpError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${url.searchParams.get("api-version")}' is invalid; the local service speaks ${ARM_API_VERSION}.`
    );
  }
  const path = url.pathname.slice(ARM_PREFIX.length).split("/").map(decodeURIComponent).join("/");
  const accounts = ACCOUNTS_PATH.exec(path);
  if (accounts && method === "GET") return { status: 200, body: { value: [accountView(ctx, accounts[1])] } };
  const inGroup = GROUP_ACCOUNTS_PATH.exec(path);
  if (inGroup && method === "GET") {
    const mine = inGroup[2].toLowerCase() === resourceGroup(ctx).toLowerCase();
    return { status: 200, body: { value: mine ? [accountView(ctx, inGroup[1])] : [] } };
  }
  const skus = SKUS_PATH.exec(path);
  if (skus && method === "GET") {
    if (skus[2].toLowerCase() !== location(ctx).toLowerCase())
      throw new ArmHttpError(404, "LocationNotAvailableForResourceType", `The local account is in ${location(ctx)}, not ${skus[2]}.`);
    return { status: 200, body: skuList(url) };
  }
  const inAccount = ACCOUNT_PATH.exec(path);
  const [sub = "", ...appPath] = (inAccount?.[4] ?? "").split("/");
  if (inAccount && sub.toLowerCase() === "applications") {
    checkAccount(ctx, inAccount[2], inAccount[3]);
    return routeApplications(ctx, accountId(ctx, inAccount[1]), method, appPath.filter(Boolean), body);
  }
  const m = POOL_PATH.exec(path);
  if (!m) throw new ArmHttpError(404, "ResourceNotFound", `The resource ${path} was not found on the local service.`);
  const [, subscription, group, account, poolId] = m;
  checkAccount(ctx, group, account);
  const existing = ctx.pools.get(poolId.toLowerCase());
  if (method === "GET") {
    if (!existing) throw new ArmHttpError(404, "ResourceNotFound", `The pool ${poolId} was not found.`);
    return { status: 200, body: poolView2(ctx, subscription, existing) };
  }
  if (method === "DELETE") {
    if (!existing) return { status: 204 };
    deletePool(ctx, poolId);
    return { status: 200 };
  }
  if (method !== "PUT") throw new ArmHttpError(405, "MethodNotAllowed", `${method} is not served for pools here.`);
  if (existing) {
    if (req.headers["if-none-match"] === "*") throw new ArmHttpError(412, "PreconditionFailed", `The pool ${poolId} already exists.`);
    throw new ArmHttpError(409, "PoolUpdateNotSupported", "The local service creates pools through ARM but does not update them.");
  }
  const arm = body;
  for (const key of Object.keys(arm?.properties ?? {})) {
    if (!KNOWN_PROPERTIES.has(key))
      throw new ArmHttpError(400, "InvalidRequestBody", `The property properties.${key} is not supported by the local Batch service.`);
  }
  let converted;
  try {
    converted = dataPlanePool(arm ?? {}, poolId);
    validateBody(converted.pool, "PoolAdd");
  } catch (error) {
    const reason = error instanceof BatchHttpError ? JSON.stringify(error.values) : error.message;
    throw new ArmHttpError(400, "InvalidRequestBody", `The pool body is not valid: ${reason}`);
  }
  try {
    addPool(ctx, converted.pool, converted.identities);
  } catch (error) {
    if (error instanceof BatchHttpError) throw new ArmHttpError(error.status, error.code, error.message);
    throw error;
  }
  return { status: 200, body: poolView2(ctx, subscription, poolOf(ctx, poolId)) };
}

// local-batch/http/console.ts
import { open as open2, stat as stat2 } from "node:fs/promises";
import { join as join6 } from "node:path";
var CONSOLE_PREFIX = "/console";
var COOKIE = "azbr_console";
var EXCHANGE_MINUTES = 5;
var isConsolePath = (url) => url.pathname === "/" || url.pathname === CONSOLE_PREFIX || url.pathname.startsWith(`${CONSOLE_PREFIX}/`);
var escape = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
var enc = encodeURIComponent;
function page(title, body, script = "") {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · local Batch</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}a{color:#0b5cad}h1{font-size:1.3rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:.3rem .7rem;text-align:left}
.state{font-weight:600}.completed,.idle,.steady,.active{color:#1a7f37}.failure,.unusable,.starttaskfailed,.preempted{color:#c62828}
.running{color:#0b5cad}pre{background:#f6f8fa;padding:.7rem;max-height:24rem;overflow:auto;white-space:pre-wrap}nav a{margin-right:1rem}
</style></head><body><nav><a href="${CONSOLE_PREFIX}/">pools and jobs</a><a href="${CONSOLE_PREFIX}/exchanges">REST exchanges</a></nav>
<h1>${escape(title)}</h1>${body}${script ? `<script>${script}</script>` : ""}</body></html>`;
}
var state = (s2) => `<span class="state ${escape(s2)}">${escape(s2)}</span>`;
function nodeRow(n2) {
  return `<tr><td>${escape(n2.id)}</td><td>${state(n2.state)}</td><td>${n2.lowPriority ? "Spot" : "dedicated"}</td><td>${n2.running.size}</td><td>${n2.totalTasksRun}</td></tr>`;
}
function home(ctx) {
  const pools = [...ctx.pools.values()].map(
    (p) => `<h2>pool ${escape(p.body.id)}</h2><p>${escape(p.body.vmSize)} · allocation ${state(p.allocationState)}${p.resizeErrors.length ? ` · resize errors: ${p.resizeErrors.map((e) => escape(e.code)).join(", ")}` : ""}</p>
<table><tr><th>node</th><th>state</th><th>kind</th><th>running</th><th>tasks run</th></tr>${p.nodes.map(nodeRow).join("")}</table>`
  ).join("");
  const jobs = [...ctx.jobs.values()].map((j) => {
    const c = j.tasks.counts;
    return `<tr><td><a href="${CONSOLE_PREFIX}/jobs/${enc(j.body.id)}">${escape(j.body.id)}</a></td><td>${state(j.state)}</td><td>${escape(j.body.poolInfo.poolId)}</td><td>${c.active}</td><td>${c.running}</td><td>${c.succeeded}</td><td>${c.failed}</td></tr>`;
  }).join("");
  return page(
    "pools and jobs",
    `${pools || "<p>no pools</p>"}<h2>jobs</h2><table><tr><th>job</th><th>state</th><th>pool</th><th>active</th><th>running</th><th>succeeded</th><th>failed</th></tr>${jobs}</table>`,
    "setTimeout(() => location.reload(), 2000);"
  );
}
var seconds = (t) => {
  const start = Date.parse(String(t.executionInfo.startTime ?? ""));
  const end = Date.parse(String(t.executionInfo.endTime ?? ""));
  return Number.isNaN(start) ? "" : `${(((Number.isNaN(end) ? Date.now() : end) - start) / 1e3).toFixed(1)} s`;
};
function jobPage(ctx, job, url) {
  const filter = url.searchParams.get("state") ?? "";
  const rows = [...job.tasks.values()].filter((t) => !filter || t.state === filter || filter === "failed" && t.executionInfo.result === "failure").slice(0, 1e3).map((t) => {
    const result = t.state === "completed" ? String(t.executionInfo.result ?? "") : "";
    return `<tr data-task="${escape(t.body.id)}"><td><a href="${CONSOLE_PREFIX}/jobs/${enc(job.body.id)}/tasks/${enc(t.body.id)}">${escape(t.body.id)}</a></td><td>${state(t.state)}${result ? ` ${state(result)}` : ""}</td><td>${escape(t.executionInfo.exitCode)}</td><td>${escape(t.nodeInfo?.nodeId)}</td><td>${seconds(t)}</td><td>${t.executionInfo.retryCount}</td><td>${t.executionInfo.requeueCount}</td></tr>`;
  }).join("");
  const filters = ["", "active", "running", "completed", "failed"].map((s2) => `<a href="?state=${s2}">${s2 || "all"}</a>`).join(" · ");
  return page(
    `job ${job.body.id}`,
    `<p>${state(job.state)} on pool ${escape(job.body.poolInfo.poolId)} · show: ${filters}</p>
<table id="tasks"><tr><th>task</th><th>state</th><th>exit code</th><th>node</th><th>duration</th><th>retries</th><th>requeues</th></tr>${rows}</table>`,
    "setTimeout(() => location.reload(), 2000);"
  );
}
function taskPage(job, t) {
  const base = `${CONSOLE_PREFIX}/jobs/${enc(job.body.id)}/tasks/${enc(t.body.id)}/log`;
  const script = `
for (const file of ["stdout.txt", "stderr.txt"]) {
  const pre = document.getElementById(file); let offset = 0;
  const poll = async () => {
    const r = await fetch("${base}?file=" + file + "&offset=" + offset); const j = await r.json();
    if (j.text) pre.textContent += j.text; offset = j.offset;
    document.getElementById("state").textContent = j.state;
    if (!(j.done && !j.text)) setTimeout(poll, 500);
  };
  poll();
}`;
  return page(
    `task ${t.body.id}`,
    `<p>job <a href="${CONSOLE_PREFIX}/jobs/${enc(job.body.id)}">${escape(job.body.id)}</a> · state <span id="state" class="state">${escape(t.state)}</span> · exit code ${escape(t.executionInfo.exitCode)} · node ${escape(t.nodeInfo?.nodeId)} · retries ${t.executionInfo.retryCount}</p>
<h2>stdout.txt</h2><pre id="stdout.txt"></pre><h2>stderr.txt</h2><pre id="stderr.txt"></pre>`,
    script
  );
}
async function taskLog(ctx, job, t, url) {
  const file = url.searchParams.get("file");
  const done = t.state === "completed";
  if (file !== "stdout.txt" && file !== "stderr.txt" || !t.taskDir) return { text: "", offset: 0, done, state: t.state };
  const offset = Math.max(0, Number(url.searchParams.get("offset")) || 0);
  const path = join6(t.taskDir, file);
  const size = await stat2(path).then(
    (s2) => s2.size,
    () => 0
  );
  if (size <= offset) return { text: "", offset, done, state: t.state };
  const f = await open2(path, "r");
  try {
    const length = Math.min(size - offset, 256 * 1024);
    const buffer = Buffer.alloc(length);
    await f.read(buffer, 0, length, offset);
    const secret = isSecretEnv(t.body, job.body);
    const secrets = [...t.body.environmentSettings ?? [], ...job.body.commonEnvironmentSettings ?? []].filter((e) => e.value && secret(e)).map((e) => e.value);
    let text = buffer.toString("utf8");
    for (const s2 of secrets) text = text.split(s2).join("<redacted>");
    text = text.replace(/([?&](sig|sv|se|sp|st)=)[^&\s"']+/g, "$1<redacted>");
    return { text, offset: offset + length, done, state: t.state };
  } finally {
    await f.close();
  }
}
function exchangesPage(ctx) {
  const since = Date.now() - EXCHANGE_MINUTES * 6e4;
  const rows = ctx.console.exchanges.filter((e) => e.at >= since).slice(-500).reverse().map((e) => `<tr><td>${new Date(e.at).toISOString().slice(11, 23)}</td><td>${escape(e.method)}</td><td>${escape(e.path)}</td><td>${e.status}</td></tr>`).join("");
  return page(
    `REST exchanges of the last ${EXCHANGE_MINUTES} minutes`,
    `<table><tr><th>time (UTC)</th><th>method</th><th>path</th><th>status</th></tr>${rows}</table>`
  );
}
var signedIn = (ctx, req) => String(req.headers.cookie ?? "").split(/;\s*/).includes(`${COOKIE}=${ctx.console.token}`);
function send(res, status, body, type = "text/html; charset=utf-8", extra = {}) {
  res.writeHead(status, {
    "content-type": type,
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
    ...extra
  });
  res.end(body);
}
async function serveConsole(ctx, req, res, url) {
  if (req.method !== "GET") return send(res, 405, page("read-only", "<p>The console only shows; it changes nothing.</p>"));
  if (url.pathname === "/" || url.pathname === CONSOLE_PREFIX) return send(res, 303, "", "text/plain", { location: `${CONSOLE_PREFIX}/` });
  if (url.pathname === `${CONSOLE_PREFIX}/login`) {
    if (url.searchParams.get("token") !== ctx.console.token)
      return send(res, 403, page("sign in", "<p>This login link is not the one the service printed.</p>"));
    return send(res, 303, "", "text/plain", {
      location: `${CONSOLE_PREFIX}/`,
      "set-cookie": `${COOKIE}=${ctx.console.token}; Path=${CONSOLE_PREFIX}; HttpOnly; SameSite=Strict`
    });
  }
  if (!signedIn(ctx, req)) return send(res, 401, page("sign in", "<p>Open the login link the local service printed when it started.</p>"));
  const parts = url.pathname.slice(CONSOLE_PREFIX.length).split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return send(res, 200, home(ctx));
  if (parts[0] === "exchanges" && parts.length === 1) return send(res, 200, exchangesPage(ctx));
  const job = parts[0] === "jobs" ? ctx.jobs.get(String(parts[1]).toLowerCase()) : void 0;
  if (job && parts.length === 2) return send(res, 200, jobPage(ctx, job, url));
  const task = job && parts[2] === "tasks" ? job.tasks.get(String(parts[3]).toLowerCase()) : void 0;
  if (job && task && parts.length === 4) return send(res, 200, taskPage(job, task));
  if (job && task && parts.length === 5 && parts[4] === "log") return send(res, 200, JSON.stringify(await taskLog(ctx, job, task, url)), "application/json");
  return send(res, 404, page("not found", "<p>No such pool, job or task.</p>"));
}

// local-batch/http/packageStorage.ts
import { createHash, randomUUID as randomUUID6 } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir as mkdir5, rename as rename2, rm as rm5 } from "node:fs/promises";
import { dirname as dirname3 } from "node:path";
import { pipeline as pipeline2 } from "node:stream/promises";
var MAX_PACKAGE_BYTES = 256 * 1024 ** 2;
var STORAGE_VERSION = "2025-01-05";
function isPackageStorePath(url) {
  return url.pathname.startsWith(PACKAGE_STORE_PREFIX);
}
function storageError(ctx, req, res, url, status, code, message) {
  const requestId = randomUUID6();
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message.replace(/[<&>]/g, "")}
RequestId:${requestId}
Time:${(/* @__PURE__ */ new Date()).toISOString()}</Message></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "x-ms-request-id": requestId, "x-ms-version": STORAGE_VERSION, "x-ms-error-code": code });
  res.end(req.method === "HEAD" ? void 0 : xml);
  record(ctx, req, url, status);
}
function record(ctx, req, url, status) {
  const shown = ctx.console.exchanges;
  shown.push({ at: Date.now(), method: req.method ?? "GET", path: url.pathname, status });
  ctx.options.onExchange?.({
    method: req.method ?? "GET",
    url: url.toString(),
    requestHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
    status,
    responseHeaders: {}
  });
}
async function servePackageStore(ctx, req, res, url) {
  const blobName = decodeURIComponent(url.pathname.slice(PACKAGE_STORE_PREFIX.length));
  const method = req.method ?? "GET";
  const write = method === "PUT";
  const refused = refuseStorageAccess(ctx, blobName, url.searchParams, write);
  if (refused) {
    req.resume();
    return storageError(ctx, req, res, url, 403, "AuthenticationFailed", `Server failed to authenticate the request. ${refused}`);
  }
  const found = packageOfBlob(ctx, blobName);
  if (!found) {
    req.resume();
    return storageError(ctx, req, res, url, 404, "BlobNotFound", "The specified blob does not exist.");
  }
  if (write) return putBlob(ctx, req, res, url, found, blobName);
  req.resume();
  if (method !== "GET" && method !== "HEAD")
    return storageError(ctx, req, res, url, 405, "UnsupportedHttpVerb", `The resource doesn't support the specified HTTP verb ${method}.`);
  const { pkg } = found;
  if (!pkg.blob) return storageError(ctx, req, res, url, 404, "BlobNotFound", "The specified blob does not exist.");
  res.writeHead(200, {
    "content-type": "application/zip",
    "content-length": String(pkg.blob.size),
    "content-md5": pkg.blob.md5,
    etag: pkg.blob.etag,
    "last-modified": pkg.blob.lastModified,
    "x-ms-blob-type": "BlockBlob",
    "x-ms-request-id": randomUUID6(),
    "x-ms-version": STORAGE_VERSION
  });
  record(ctx, req, url, 200);
  if (method === "HEAD") return void res.end();
  await pipeline2(createReadStream(packageFile(ctx, blobName)), res);
}
function refusePut(req, url, app, pkg) {
  if (url.searchParams.has("comp")) return [400, "UnsupportedQueryParameter", "The local package store takes a package in one Put Blob (no blocks)."];
  if (String(req.headers["x-ms-blob-type"] ?? "") !== "BlockBlob")
    return [400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type."];
  if (Number(req.headers["content-length"] ?? 0) > MAX_PACKAGE_BYTES)
    return [413, "RequestBodyTooLarge", `The local package store takes packages up to ${MAX_PACKAGE_BYTES} bytes.`];
  if (pkg.state === "Active" && !app.allowUpdates)
    return [409, "BlobImmutable", `The package ${app.id} version ${pkg.version} is active and its application does not allow updates.`];
  return void 0;
}
async function putBlob(ctx, req, res, url, { app, pkg }, blobName) {
  const refused = refusePut(req, url, app, pkg);
  if (refused) {
    req.resume();
    return storageError(ctx, req, res, url, ...refused);
  }
  const target = packageFile(ctx, blobName);
  await mkdir5(dirname3(target), { recursive: true });
  const temp = `${target}.${randomUUID6()}.part`;
  const md5 = createHash("md5");
  let size = 0;
  try {
    await pipeline2(
      req,
      async function* (chunks) {
        for await (const c of chunks) {
          size += c.length;
          if (size > MAX_PACKAGE_BYTES) throw new Error("too large");
          md5.update(c);
          yield c;
        }
      },
      createWriteStream(temp)
    );
  } catch {
    await rm5(temp, { force: true });
    if (!res.headersSent && !req.socket.destroyed) storageError(ctx, req, res, url, 400, "InvalidInput", "The blob's body could not be read.");
    return;
  }
  const digest = md5.digest("base64");
  const given = req.headers["content-md5"];
  if (given && given !== digest) {
    await rm5(temp, { force: true });
    return storageError(
      ctx,
      req,
      res,
      url,
      400,
      "Md5Mismatch",
      "The MD5 value specified in the request did not match with the MD5 value calculated by the server."
    );
  }
  await rename2(temp, target);
  pkg.blob = { size, md5: digest, lastModified: (/* @__PURE__ */ new Date()).toUTCString(), etag: `"${etag()}"` };
  ctx.touch();
  res.writeHead(201, {
    etag: pkg.blob.etag,
    "last-modified": pkg.blob.lastModified,
    "content-md5": digest,
    "x-ms-request-id": randomUUID6(),
    "x-ms-version": STORAGE_VERSION,
    "x-ms-request-server-encrypted": "true",
    "content-length": "0"
  });
  res.end();
  return record(ctx, req, url, 201);
}

// local-batch/http/server.ts
var MAX_BODY_BYTES = SERVICE_MAX_BODY_BYTES;
var MAX_BODY_DEPTH = 64;
function tooDeep(value, depth = 0) {
  if (value === null || typeof value !== "object") return false;
  if (depth >= MAX_BODY_DEPTH) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (tooDeep(v, depth + 1)) return true;
    return false;
  }
  for (const k in value) if (tooDeep(value[k], depth + 1)) return true;
  return false;
}
function refuseRemovedProperties(body, path = "") {
  if (body === null || typeof body !== "object") return;
  for (const [k, v] of Object.entries(body)) {
    const p = Array.isArray(body) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    const why2 = Array.isArray(body) ? void 0 : REMOVED_IN_2025[k];
    if (why2 !== void 0) {
      throw BatchErrors.invalidBody(`${k} is not a property of api-version 2025-06-01: ${why2}`, p);
    }
    refuseRemovedProperties(v, p);
  }
}
function rawBatchError(status, reason, error) {
  const body = JSON.stringify(error.body());
  return `HTTP/1.1 ${status} ${reason}\r
content-type: application/json;odata=minimalmetadata\r
content-length: ${Buffer.byteLength(body)}\r
connection: close\r
\r
${body}`;
}
function createRequestHandler(ctx, faults, route2) {
  return async (req, res) => {
    const requestId = randomUUID7();
    const url = parsePath(req, ctx.baseUrl);
    if (!url) return refuseUri(res, requestId);
    if (isConsolePath(url)) return serveConsole(ctx, req, res, url);
    if (isPackageStorePath(url)) return servePackageStore(ctx, req, res, url).catch((error) => ctx.log(`package store: ${error.message}`));
    const read = await readBody(req);
    if (!read) return;
    const x = { req, res, method: req.method ?? "GET", requestId, url, ...read };
    try {
      if (await faults.before() === "reset") return void req.socket.destroy();
      if (isArmPath(url)) return answer(ctx, x, await serveArm(ctx, x));
      const misbehavior = await admit(ctx, faults, x);
      if (misbehavior && misbehave(misbehavior, res)) return;
      const result = await route2(x.method, url, x.body, req);
      if (misbehavior === "repeatNextLink" || misbehavior === "foreignNextLink") breakNextLink(result, url, misbehavior);
      if (x.method !== "GET" && x.method !== "HEAD") ctx.touch();
      if (faults.loseResponse(req, url)) return void req.socket.destroy();
      answer(ctx, x, result);
    } catch (error) {
      answer(ctx, x, errorAnswer(ctx, x, error));
    }
  };
}
function parsePath(req, baseUrl) {
  const raw = req.url ?? "/";
  if (!raw.startsWith("/") || raw.startsWith("//")) return void 0;
  try {
    return new URL(raw, baseUrl);
  } catch {
    return void 0;
  }
}
function refuseUri(res, requestId) {
  const text = JSON.stringify(BatchErrors.invalidUri().body(requestId));
  res.writeHead(400, {
    "content-type": "application/json;odata=minimalmetadata",
    "content-length": String(Buffer.byteLength(text)),
    "request-id": requestId,
    connection: "close"
  });
  res.end(text);
}
async function readBody(req) {
  const chunks = [];
  let size = 0;
  try {
    for await (const c of req) {
      size += c.length;
      if (size <= MAX_BODY_BYTES + 1) chunks.push(c);
    }
  } catch {
    return void 0;
  }
  return { bodyText: Buffer.concat(chunks).toString("utf8"), size };
}
async function serveArm(ctx, x) {
  if (x.bodyText) x.body = JSON.parse(x.bodyText);
  const result = await routeArm(ctx, x.method, x.url, x.body, x.req);
  if (x.method !== "GET") ctx.touch();
  return {
    ...result,
    headers: {
      ...armHeaders(x.req),
      ...result.body !== void 0 ? { "content-type": "application/json; charset=utf-8" } : {},
      ...result.headers ?? {}
    }
  };
}
async function admit(ctx, faults, x) {
  authenticate(x.req, x.url, ctx.options);
  faults.authorize(x.method, x.url);
  await faults.delay(x.method, x.url);
  const misbehavior = faults.misbehavior(x.method, x.url);
  const apiVersion = x.url.searchParams.get("api-version");
  if (!apiVersion) throw BatchErrors.missingQueryParameter("api-version");
  if (!isApiVersion(apiVersion)) throw BatchErrors.unsupportedApiVersion(apiVersion, API_VERSIONS);
  if (x.size > MAX_BODY_BYTES) throw BatchErrors.bodyTooLarge(String(MAX_BODY_BYTES));
  if (x.bodyText) {
    try {
      x.body = JSON.parse(x.bodyText);
    } catch {
      throw BatchErrors.invalidBody("the body is not JSON");
    }
    if (tooDeep(x.body)) throw BatchErrors.invalidBody(`the body nests more than ${MAX_BODY_DEPTH} levels`);
    if (apiVersion === "2025-06-01") refuseRemovedProperties(x.body);
  }
  return misbehavior;
}
function breakNextLink(result, url, how) {
  const link = new URL(url.href);
  if (how === "foreignNextLink") link.host = "elsewhere.example.net";
  result.body["odata.nextLink"] = link.href;
}
function answer(ctx, x, { status, body, headers: extra = {}, raw }) {
  const { req, res } = x;
  const headers = { "request-id": x.requestId };
  if (req.headers["return-client-request-id"] === "true" && req.headers["client-request-id"])
    headers["client-request-id"] = String(req.headers["client-request-id"]);
  const all = { ...headers, ...extra };
  const shown = ctx.console.exchanges;
  shown.push({ at: Date.now(), method: x.method, path: x.url.pathname, status });
  if (shown.length > 2e3) shown.splice(0, shown.length - 1e3);
  ctx.options.onExchange?.({
    method: x.method,
    url: x.url.toString(),
    requestHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
    requestBody: x.body,
    status,
    responseHeaders: all,
    responseBody: raw ? raw.toString("utf8") : body
  });
  if (raw) {
    res.writeHead(status, all);
    res.end(req.method === "HEAD" ? void 0 : raw);
    return;
  }
  if (body === void 0) {
    res.writeHead(status, all);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json;odata=minimalmetadata", "content-length": String(Buffer.byteLength(text)), ...all });
  res.end(text);
}
function errorAnswer(ctx, x, error) {
  if (error instanceof ArmHttpError) return { status: error.status, body: error.body(), headers: armHeaders(x.req) };
  if (isArmPath(x.url) && error instanceof SyntaxError)
    return { status: 400, body: new ArmHttpError(400, "InvalidRequestContent", "The request content is not valid JSON.").body(), headers: armHeaders(x.req) };
  if (error instanceof URIError) return { status: 400, body: BatchErrors.invalidUri("The requested URI has a malformed percent-encoding.").body(x.requestId) };
  if (error instanceof BatchHttpError) return { status: error.status, body: error.body(x.requestId), headers: error.headers };
  ctx.log(`internal error: ${error.stack ?? error}`);
  return { status: 500, body: BatchErrors.internal().body(x.requestId) };
}

// local-batch/persistence.ts
import { existsSync as existsSync2 } from "node:fs";
import { readFile as readFile2, rename as rename3, writeFile as writeFile3 } from "node:fs/promises";
import { join as join7 } from "node:path";
var FILE = "state.json";
var VERSION = 1;
function snapshot(ctx, taskOrder) {
  return {
    version: VERSION,
    savedAt: now(),
    taskOrder,
    // A node on its way out is not saved: after a restart the pool has the nodes it keeps.
    pools: [...ctx.pools.values()].map(({ nodes, abort: _abort, ...pool }) => ({
      ...pool,
      nodeIds: nodes.filter((n2) => n2.draining !== "leavingpool").map((n2) => n2.id),
      spotNodeIds: nodes.filter((n2) => n2.draining !== "leavingpool" && n2.lowPriority).map((n2) => n2.id)
    })),
    jobs: [...ctx.jobs.values()].map(({ tasks, ...job }) => ({ ...job, tasks: [...tasks.values()].map(({ abort: _abort, ...task }) => task) })),
    schedules: [...ctx.schedules.values()].map(({ timer: _timer, ...schedule }) => schedule),
    applications: [...ctx.applications.values()],
    live: [...ctx.live.values()]
  };
}
async function saveState(dataDir, state2) {
  const target = join7(dataDir, FILE);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile3(temp, JSON.stringify(state2));
  await rename3(temp, target);
}
async function loadState(dataDir) {
  const path = join7(dataDir, FILE);
  if (!existsSync2(path)) return void 0;
  const state2 = JSON.parse(await readFile2(path, "utf8"));
  if (state2.version !== VERSION) throw new Error(`${path} is of another version (${state2.version}) of the local Batch service; move it away to start afresh`);
  return state2;
}
function restore(ctx, state2) {
  const pools = [];
  for (const { nodeIds, spotNodeIds = [], ...saved } of state2.pools) {
    const highest = Math.max(0, ...nodeIds.map((id) => Number(/_(\d+)$/.exec(id)?.[1] ?? 0)));
    const pool = {
      ...saved,
      nextNodeIndex: Math.max(saved.nextNodeIndex ?? 0, highest + 1),
      nodes: nodeIds.map((id) => Object.assign(nodeWithId(id), spotNodeIds.includes(id) ? { lowPriority: true } : {})),
      abort: new AbortController(),
      allocationState: "resizing"
    };
    ctx.pools.set(pool.body.id.toLowerCase(), pool);
    pools.push(pool);
  }
  for (const { tasks, ...saved } of state2.jobs) {
    const job = { ...saved, tasks: new TaskTable() };
    for (const task of tasks) {
      const record2 = { ...task };
      if (record2.state === "running" || record2.state === "preparing") {
        record2.state = "active";
        record2.stateTransitionTime = now();
        record2.executionInfo = { ...record2.executionInfo, requeueCount: record2.executionInfo.requeueCount + 1 };
        delete record2.nodeInfo;
      }
      job.tasks.set(record2.body.id.toLowerCase(), record2);
    }
    job.tasks.sortCompletions();
    ctx.jobs.set(job.body.id.toLowerCase(), job);
  }
  for (const saved of state2.schedules) ctx.schedules.set(saved.body.id.toLowerCase(), { ...saved });
  for (const app of state2.applications ?? []) ctx.applications.set(app.id.toLowerCase(), app);
  return { pools, orphans: state2.live };
}

// local-batch/resources/jobs.ts
function checkJobQuota(ctx) {
  const quota = quotasOf(ctx.options.account).activeJobsAndSchedules;
  const active = [...ctx.jobs.values()].filter((j) => j.state !== "completed").length + [...ctx.schedules.values()].filter((s2) => s2.state !== "completed").length;
  if (active >= quota)
    throw BatchErrors.conflict("ActiveJobAndScheduleQuotaReached", "The specified account has reached its quota of active jobs and job schedules.", [
      { key: "ActiveJobAndJobScheduleQuota", value: String(quota) }
    ]);
}
function addJob(ctx, body, scheduleId) {
  if (!scheduleId && !BATCH_ID.test(body.id)) throw invalidValue("id", ID_RULE);
  if (ctx.jobs.has(body.id.toLowerCase())) throw exists("Job", body.id);
  if (!scheduleId) checkJobQuota(ctx);
  if (!body.poolInfo?.poolId) throw invalidValue("poolInfo", "auto pools are not supported by the local Batch service; give poolInfo.poolId");
  checkJobLimits(body);
  const t = now();
  const job = {
    body,
    creationTime: t,
    state: "active",
    stateTransitionTime: t,
    eTag: etag(),
    lastModified: t,
    executionInfo: { startTime: t, poolId: body.poolInfo.poolId },
    tasks: new TaskTable(),
    scheduleId
  };
  ctx.jobs.set(body.id.toLowerCase(), job);
  const m = body.jobManagerTask;
  if (m) insertTask(ctx, job, { ...m, killJobOnCompletion: m.killJobOnCompletion ?? true }, "manager");
  endIfAllComplete(ctx, job);
  ctx.pump();
  return created(ctx, `/jobs/${body.id}`, job);
}
function endIfAllComplete(ctx, job) {
  if (job.state === "active" && job.body.onAllTasksComplete?.toLowerCase() === "terminatejob" && job.tasks.counts.completed === job.tasks.size) {
    endJob(job, "AllTasksComplete");
    void ctx.track(jobRelease(ctx, job));
  }
}
function patchJob(ctx, id, body) {
  validateBody(body, "JobPatch");
  checkJobLimits(body);
  const job = jobOf(ctx, id);
  const next = body.onAllTasksComplete;
  if (next?.toLowerCase() === "noaction" && job.body.onAllTasksComplete?.toLowerCase() === "terminatejob") {
    throw invalidValue("onAllTasksComplete", "cannot be changed from terminatejob to noaction");
  }
  const blocked = jobNotActive(job);
  if (blocked) throw blocked;
  Object.assign(job.body, body);
  endIfAllComplete(ctx, job);
  job.eTag = etag();
  job.lastModified = now();
  ctx.pump();
  return { status: 200, headers: { etag: job.eTag } };
}
function jobNotActive(job) {
  if (job.state === "completed") return BatchErrors.conflict("JobCompleted", "The specified job is already in a completed state.");
  if (job.state === "terminating") return BatchErrors.conflict("JobBeingTerminated", "The specified job is being terminated.");
  if (job.state === "deleting") return BatchErrors.conflict("JobBeingDeleted", "The specified job is being deleted.");
  return void 0;
}
function terminateJob(ctx, id, reason) {
  const job = jobOf(ctx, id);
  if (job.state === "completed") throw jobNotActive(job);
  endJob(job, reason);
  return { status: 202, headers: { etag: job.eTag } };
}
function deleteJob(ctx, id) {
  const job = jobOf(ctx, id);
  for (const t of job.tasks.values()) {
    t.endReason = { code: "TaskEnded", message: "Task Was Ended by User Request" };
    t.abort?.abort(new Error("job deleted"));
  }
  ctx.jobs.delete(id.toLowerCase());
  return { status: 202 };
}
function jobView(ctx, j) {
  const b2 = j.body;
  return {
    id: b2.id,
    ...b2.displayName ? { displayName: b2.displayName } : {},
    usesTaskDependencies: b2.usesTaskDependencies ?? false,
    url: `${ctx.baseUrl}/jobs/${b2.id}`,
    eTag: j.eTag,
    lastModified: j.lastModified,
    creationTime: j.creationTime,
    state: j.state,
    stateTransitionTime: j.stateTransitionTime,
    ...j.previousState ? { previousState: j.previousState } : {},
    priority: b2.priority ?? 0,
    maxParallelTasks: b2.maxParallelTasks ?? -1,
    constraints: { maxWallClockTime: b2.constraints?.maxWallClockTime ?? UNLIMITED_DURATION, maxTaskRetryCount: b2.constraints?.maxTaskRetryCount ?? 0 },
    ...b2.jobManagerTask ? { jobManagerTask: b2.jobManagerTask } : {},
    ...b2.jobPreparationTask ? { jobPreparationTask: b2.jobPreparationTask } : {},
    ...b2.jobReleaseTask ? { jobReleaseTask: b2.jobReleaseTask } : {},
    ...b2.commonEnvironmentSettings ? { commonEnvironmentSettings: b2.commonEnvironmentSettings } : {},
    poolInfo: b2.poolInfo,
    onAllTasksComplete: b2.onAllTasksComplete ?? "noaction",
    onTaskFailure: b2.onTaskFailure ?? "noaction",
    ...b2.metadata ? { metadata: b2.metadata } : {},
    executionInfo: j.executionInfo
  };
}
function taskCounts(job) {
  return { taskCounts: { ...job.tasks.counts }, taskSlotCounts: { ...job.tasks.slotCounts } };
}

// local-batch/resources/schedules.ts
function addSchedule(ctx, body) {
  if (!BATCH_ID.test(body.id)) throw invalidValue("id", ID_RULE);
  if (ctx.schedules.has(body.id.toLowerCase())) throw exists("JobSchedule", body.id);
  checkScheduleLimits(body);
  checkJobQuota(ctx);
  const t = now();
  const record2 = { body, creationTime: t, state: "active", stateTransitionTime: t, eTag: etag(), lastModified: t, jobCount: 0 };
  ctx.schedules.set(body.id.toLowerCase(), record2);
  planNextRun(ctx, record2, Date.parse(body.schedule.doNotRunUntil ?? t));
  return created(ctx, `/jobschedules/${body.id}`, record2);
}
function planNextRun(ctx, s2, at) {
  if (ctx.closed || s2.state !== "active") return;
  const after = s2.body.schedule.doNotRunAfter ? Date.parse(s2.body.schedule.doNotRunAfter) : Infinity;
  if (at > after) {
    s2.state = "completed";
    s2.stateTransitionTime = now();
    return;
  }
  s2.nextRunTime = new Date(at).toISOString();
  s2.timer = setTimeout(
    () => {
      const previous = s2.recentJobId ? ctx.jobs.get(s2.recentJobId.toLowerCase()) : void 0;
      if (!previous || previous.state !== "active") {
        s2.jobCount++;
        const id = `${s2.body.id}:job-${s2.jobCount}`;
        addJob(ctx, { ...s2.body.jobSpecification, id }, s2.body.id);
        s2.recentJobId = id;
        ctx.touch();
      }
      const recurrence = s2.body.schedule.recurrenceInterval;
      const interval = recurrence === void 0 ? void 0 : parseDuration(recurrence);
      if (interval === void 0) {
        s2.nextRunTime = void 0;
        return;
      }
      planNextRun(ctx, s2, Math.max(Date.now(), at + interval / (ctx.options.scheduleTimeScale ?? 1)));
    },
    Math.max(0, at - Date.now())
  );
}
function resumeSchedule(ctx, s2) {
  if (s2.state === "active" && !s2.timer) planNextRun(ctx, s2, s2.nextRunTime ? Date.parse(s2.nextRunTime) : Date.now());
}
function deleteSchedule(ctx, id) {
  const s2 = scheduleOf(ctx, id);
  clearTimeout(s2.timer);
  s2.state = "deleting";
  for (const job of [...ctx.jobs.values()]) if (job.scheduleId?.toLowerCase() === id.toLowerCase()) deleteJob(ctx, job.body.id);
  ctx.schedules.delete(id.toLowerCase());
  return { status: 202 };
}
function scheduleView(ctx, s2) {
  return {
    id: s2.body.id,
    ...s2.body.displayName ? { displayName: s2.body.displayName } : {},
    url: `${ctx.baseUrl}/jobschedules/${s2.body.id}`,
    eTag: s2.eTag,
    lastModified: s2.lastModified,
    creationTime: s2.creationTime,
    state: s2.state,
    stateTransitionTime: s2.stateTransitionTime,
    schedule: s2.body.schedule,
    jobSpecification: s2.body.jobSpecification,
    executionInfo: {
      ...s2.nextRunTime ? { nextRunTime: s2.nextRunTime } : {},
      ...s2.recentJobId ? { recentJob: { id: s2.recentJobId, url: `${ctx.baseUrl}/jobs/${s2.recentJobId}` } } : {}
    },
    ...s2.body.metadata ? { metadata: s2.body.metadata } : {}
  };
}

// local-batch/odata.ts
var TOKEN = /\s*(\(|\)|datetime'[^']*'|'(?:[^']|'')*'|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_/]*)/y;
function get(item, path) {
  let v = item;
  for (const part of path.split("/")) v = v !== null && typeof v === "object" ? v[part] : void 0;
  return v;
}
function invalidFilter(filter, why2) {
  return BatchErrors.invalidQueryValue("$filter", filter, why2);
}
function parseFilter(filter) {
  if (!filter) return () => true;
  const tokens = [];
  TOKEN.lastIndex = 0;
  let m;
  while (TOKEN.lastIndex < filter.length && (m = TOKEN.exec(filter))) tokens.push(m[1]);
  if (filter.slice(TOKEN.lastIndex).trim()) throw invalidFilter(filter, `cannot read "${filter.slice(TOKEN.lastIndex).trim()}"`);
  let i = 0;
  const literal = (t) => {
    if (t.startsWith("datetime'")) return Date.parse(t.slice(9, -1));
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (t === "true" || t === "false") return t === "true";
    if (/^-?\d/.test(t)) return Number(t);
    throw invalidFilter(filter, `expected a literal, got ${t}`);
  };
  const comparison = () => {
    if (tokens[i] === "(") {
      i++;
      const inner = or();
      if (tokens[i++] !== ")") throw invalidFilter(filter, "unbalanced parentheses");
      return inner;
    }
    const field = tokens[i++];
    const op = tokens[i++];
    const raw = tokens[i++];
    if (!field || !op || raw === void 0) throw invalidFilter(filter, "incomplete comparison");
    const value = literal(raw);
    const isDate = raw.startsWith("datetime'");
    const cmp = (a) => {
      if (a === void 0) return void 0;
      const left = isDate ? Date.parse(String(a)) : a;
      return left === value ? 0 : left < value ? -1 : 1;
    };
    const ops = {
      eq: (c) => c === 0,
      ne: (c) => c !== 0,
      gt: (c) => c !== void 0 && c > 0,
      ge: (c) => c !== void 0 && c >= 0,
      lt: (c) => c !== void 0 && c < 0,
      le: (c) => c !== void 0 && c <= 0
    };
    const test = ops[op];
    if (!test) throw invalidFilter(filter, `unknown operator ${op}`);
    return (item) => test(cmp(get(item, field)));
  };
  const and = () => {
    let left = comparison();
    while (tokens[i] === "and") {
      i++;
      const l = left;
      const r = comparison();
      left = (x) => l(x) && r(x);
    }
    return left;
  };
  const or = () => {
    let left = and();
    while (tokens[i] === "or") {
      i++;
      const l = left;
      const r = and();
      left = (x) => l(x) || r(x);
    }
    return left;
  };
  const predicate = or();
  if (i !== tokens.length) throw invalidFilter(filter, `unexpected ${tokens[i]}`);
  return predicate;
}
function selector(selectParam) {
  if (!selectParam) return (item) => item;
  const fields = [
    ...new Set(
      selectParam.split(",").map((s2) => s2.trim()).filter(Boolean)
    )
  ];
  return (item) => {
    const out = {};
    for (const f of fields) if (item[f] !== void 0) out[f] = item[f];
    return out;
  };
}
function select(item, selectParam) {
  if (!selectParam) return item;
  const fields = new Set(
    selectParam.split(",").map((s2) => s2.trim()).filter(Boolean)
  );
  return Object.fromEntries(Object.entries(item).filter(([k]) => fields.has(k)));
}

// local-batch/resources/listing.ts
function one(view, query) {
  return {
    status: 200,
    body: select(view, query.get("$select")),
    headers: { etag: String(view.eTag ?? ""), "last-modified": new Date(String(view.lastModified ?? now())).toUTCString() }
  };
}
function list(items, url, baseUrl) {
  const q = url.searchParams;
  const filtered = items.filter(parseFilter(q.get("$filter")));
  const max = Math.min(Number(q.get("maxresults") ?? 1e3) || 1e3, 1e3);
  const skip = Number(q.get("skiptoken") ?? 0) || 0;
  const page2 = filtered.slice(skip, skip + max).map((i) => select(i, q.get("$select")));
  const body = { value: page2 };
  if (skip + max < filtered.length) {
    const link = new URL(url.pathname, baseUrl);
    link.search = q.toString();
    link.searchParams.set("skiptoken", String(skip + max));
    body["odata.nextLink"] = link.toString();
  }
  return { status: 200, body };
}
var STATE_FILTER = /^\s*state eq '(active|preparing|running|completed)'\s*(?:and\s+stateTransitionTime ge datetime'([^']+)'\s*)?$/;
function listTasks(table, view, url, baseUrl) {
  const q = url.searchParams;
  const filter = q.get("$filter");
  const match = STATE_FILTER.exec(filter ?? "");
  const m = match && (match[2] === void 0 || match[1] === "completed") ? match : null;
  if (filter && !m) return list([...table.values()].sort((a, b2) => a.order - b2.order).map(view), url, baseUrl);
  const max = Math.min(Number(q.get("maxresults") ?? 1e3) || 1e3, 1e3);
  const skip = Number(q.get("skiptoken") ?? 0) || 0;
  let page2;
  let next;
  if (m?.[1] === "completed") {
    const since = m[2] === void 0 ? void 0 : Date.parse(m[2]);
    ({ tasks: page2, next } = table.completedSince(since, q.has("skiptoken") ? skip : void 0, max));
  } else {
    ({ page: page2, next } = pageOf(m ? table.inStateOf(m[1]) : table.values(), skip, max));
  }
  const pick = selector(q.get("$select"));
  const body = { value: page2.map((t) => pick(view(t))) };
  if (next !== void 0) {
    const link = new URL(url.pathname, baseUrl);
    link.search = q.toString();
    link.searchParams.set("skiptoken", String(next));
    body["odata.nextLink"] = link.toString();
  }
  return { status: 200, body };
}
function pageOf(items, skip, max) {
  const page2 = [];
  let i = 0;
  for (const item of items) {
    if (i++ < skip) continue;
    if (page2.length === max) return { page: page2, next: skip + max };
    page2.push(item);
  }
  return { page: page2 };
}

// local-batch/resources/files.ts
import { open as open3 } from "node:fs/promises";
import { join as join8 } from "node:path";
function taskDirOf(ctx, jobId, taskId) {
  const t = taskOf(ctx, jobId, taskId);
  if (!t.taskDir) throw notFound("File", taskId);
  return t.taskDir;
}
async function listTaskFiles(ctx, jobId, taskId, url) {
  const dir = taskDirOf(ctx, jobId, taskId);
  const files = await listFiles(dir, url.searchParams.get("recursive") === "true");
  const items = files.map((f) => ({
    name: f.name,
    url: `${ctx.baseUrl}/jobs/${jobId}/tasks/${taskId}/files/${f.name}`,
    isDirectory: f.isDirectory,
    // An int64: a JSON number under 2024-07-01.20.0, a JSON string from 2025-06-01 on.
    properties: {
      creationTime: f.ctime.toISOString(),
      lastModified: f.mtime.toISOString(),
      contentLength: writeInt64(apiVersionOf(url), f.size),
      contentType: "application/octet-stream"
    }
  }));
  return list(items, url, ctx.baseUrl);
}
async function getTaskFile(ctx, jobId, taskId, path, req) {
  return serveFile(taskDirOf(ctx, jobId, taskId), path, req, `${ctx.baseUrl}/jobs/${jobId}/tasks/${taskId}/files/${path}`);
}
async function getNodeFile(ctx, poolId, nodeId, path, req) {
  const node = getNode(ctx, poolId, nodeId);
  if (!node.dirs) throw notFound("File", path);
  return serveFile(node.dirs.root, path, req, `${ctx.baseUrl}/pools/${poolId}/nodes/${nodeId}/files/${path}`);
}
async function serveFile(dir, path, req, fileUrl) {
  const full = join8(dir, path);
  if (!full.startsWith(dir + "/")) throw notFound("File", path);
  const info = await fileInfo(full);
  if (!info || info.isDirectory) throw notFound("File", path);
  const headers = {
    "content-type": "application/octet-stream",
    "last-modified": info.mtime.toUTCString(),
    etag: `0x${info.mtime.getTime().toString(16).toUpperCase()}`,
    "ocp-creation-time": info.ctime.toUTCString(),
    "ocp-batch-file-isdirectory": "false",
    "ocp-batch-file-url": fileUrl,
    "ocp-batch-file-mode": "0100644"
  };
  if (req.method === "HEAD") return { status: 200, headers: { ...headers, "content-length": String(info.size) }, raw: Buffer.alloc(0) };
  const f = await open3(full, "r");
  try {
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers["ocp-range"] ?? ""));
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
    const length = Math.max(0, end - start + 1);
    const buffer = Buffer.alloc(length);
    if (length > 0) await f.read(buffer, 0, length, start);
    return { status: 200, headers: { ...headers, "content-length": String(length) }, raw: buffer };
  } finally {
    await f.close();
  }
}

// local-batch/scheduler/scheduler.ts
import { mkdir as mkdir6 } from "node:fs/promises";
import { join as join9 } from "node:path";
function dependenciesMet(job, t) {
  const deps = t.body.dependsOn;
  if (!deps) return true;
  const done = (id) => {
    const parent = job.tasks.get(id.toLowerCase());
    return parent?.state === "completed" && parent.executionInfo.result === "success";
  };
  for (const id of deps.taskIds ?? []) if (!done(id)) return false;
  for (const r of deps.taskIdRanges ?? []) for (const parent of job.tasks.inIdRange(r.start, r.end)) if (!done(parent.body.id)) return false;
  return true;
}
function pump(ctx) {
  if (ctx.closed) return;
  for (const job of ctx.jobs.values()) {
    if (job.state !== "active") continue;
    const pool = ctx.pools.get((job.body.poolInfo.poolId ?? "").toLowerCase());
    if (!pool) continue;
    const slotsPerNode = pool.body.taskSlotsPerNode ?? 1;
    const max = job.body.maxParallelTasks ?? -1;
    let running = job.tasks.counts.running;
    const free = () => pool.nodes.reduce((most, n2) => schedulable(n2) ? Math.max(most, slotsPerNode - n2.usedSlots) : most, 0);
    let mostFree = free();
    for (const t of job.tasks.pending()) {
      if (mostFree <= 0 || max > 0 && running >= max) break;
      const slots = t.body.requiredSlots ?? 1;
      if (slots > mostFree || !dependenciesMet(job, t)) continue;
      const node = pool.nodes.filter((n2) => schedulable(n2) && n2.usedSlots + slots <= slotsPerNode).sort((a, b2) => a.usedSlots - b2.usedSlots)[0];
      if (!node) continue;
      running++;
      node.usedSlots += slots;
      node.running.add(t);
      setNodeState(node, "running");
      void ctx.track(execute(ctx, job, pool, node, t));
      mostFree = free();
    }
  }
}
async function runWithRetries(ctx, job, pool, node, t, taskDir, signal) {
  const maxRetries = t.body.constraints?.maxTaskRetryCount ?? job.body.constraints?.maxTaskRetryCount ?? 0;
  const limit = t.body.constraints?.maxWallClockTime;
  const wallClock = limit === void 0 ? void 0 : parseDuration(limit);
  const timer = wallClock !== void 0 ? setTimeout(() => {
    t.endReason = { code: "MaxWallClockTimeExceeded", message: `The task ran longer than its maximum wall clock time (${limit}) and was ended` };
    t.abort?.abort(new Error("wall clock"));
  }, wallClock) : void 0;
  try {
    for (let attempt = 0; ; attempt++) {
      const r = await runAttempt(ctx, nodeTask(ctx, pool, node, job, t.body, t.body.id, taskDir, attempt), signal);
      if (signal.aborted) return r;
      const ok = r.exitCode === 0 && !r.failure;
      if (ok || maxRetries !== -1 && attempt >= maxRetries) return r;
      t.executionInfo.retryCount = attempt + 1;
      t.executionInfo.lastRetryTime = now();
    }
  } finally {
    clearTimeout(timer);
  }
}
async function execute(ctx, job, pool, node, t) {
  const abort = new AbortController();
  t.abort = abort;
  const taskDir = join9(node.dirs.workitems, job.body.id, "job-1", t.body.id);
  t.taskDir = taskDir;
  t.nodeInfo = {
    affinityId: node.id,
    nodeUrl: `${ctx.baseUrl}/pools/${pool.body.id}/nodes/${node.id}`,
    poolId: pool.body.id,
    nodeId: node.id,
    taskRootDirectory: `workitems/${job.body.id}/job-1/${t.body.id}`,
    taskRootDirectoryUrl: `${ctx.baseUrl}/jobs/${job.body.id}/tasks/${t.body.id}/files`
  };
  setTaskState(t, "preparing");
  ctx.touch();
  let failure;
  let exitCode;
  try {
    await mkdir6(join9(taskDir, "wd"), { recursive: true });
    if (!await jobPreparation(ctx, job, pool, node)) {
      failure = { code: "JobPreparationTaskFailed", message: "The job preparation task failed on the node; the task was not run." };
    } else {
      setTaskState(t, "running");
      t.executionInfo.startTime = now();
      ({ exitCode, failure } = await runWithRetries(ctx, job, pool, node, t, taskDir, abort.signal));
    }
    const succeeded = exitCode === 0 && !failure && !t.endReason;
    if (!t.endReason && !requeued.has(t)) {
      try {
        await uploadOutputFiles(t.body.outputFiles, taskDir, succeeded, storageSigner(ctx, pool));
      } catch (error) {
        failure = { code: error.code ?? "FileUploadMiscError", message: error.message };
      }
    }
  } catch (error) {
    failure = error instanceof TaskFailure ? { code: error.code, message: error.message, category: error.category } : { code: "TaskFailed", message: error.message, category: "servererror" };
  } finally {
    node.usedSlots -= t.body.requiredSlots ?? 1;
    node.running.delete(t);
    node.totalTasksRun++;
    if (node.running.size === 0 && node.state === "running") setNodeState(node, "idle");
    if (node.running.size === 0) for (const wake of node.idleWaiters.splice(0)) wake();
  }
  if (requeued.delete(t)) {
    requeueTask(t);
    ctx.touch();
  } else {
    completeTask(ctx, t, exitCode, t.endReason ?? failure, node);
  }
  ctx.pump();
}
function completeTask(ctx, t, exitCode, failure, node) {
  const ok = exitCode === 0 && !failure;
  t.executionInfo.endTime = now();
  t.executionInfo.startTime ??= t.executionInfo.endTime;
  if (exitCode !== void 0 && exitCode >= 0) t.executionInfo.exitCode = exitCode;
  t.executionInfo.result = ok ? "success" : "failure";
  if (!ok) {
    t.executionInfo.failureInfo = failure ? { category: failure.category ?? "usererror", code: failure.code, message: failure.message } : { category: "usererror", code: "FailureExitCode", message: "The task exited with an exit code representing a failure" };
  }
  if (ok && node) node.totalTasksSucceeded++;
  t.abort = void 0;
  setTaskState(t, "completed");
  ctx.touch();
  const job = ctx.jobs.get(t.jobId.toLowerCase());
  if (!job || job.state !== "active") return;
  const managerDone = t.kind === "manager" && t.body.killJobOnCompletion !== false;
  const allDone = job.body.onAllTasksComplete?.toLowerCase() === "terminatejob" && job.tasks.size > 0 && job.tasks.counts.completed === job.tasks.size;
  if (managerDone || allDone) {
    endJob(job, managerDone ? "JMComplete" : "AllTasksComplete");
    void ctx.track(jobRelease(ctx, job));
  }
}

// local-batch/resources/tasks.ts
function refuseTask(ctx, job, body) {
  if (!BATCH_ID.test(body.id)) return invalidValue("id", ID_RULE);
  if (job.tasks.has(body.id.toLowerCase())) return exists("Task", body.id);
  const limit = taskLimitError(job.body, body);
  if (limit) return limit;
  if (body.dependsOn && !job.body.usesTaskDependencies) {
    return BatchErrors.conflict("TaskDependenciesNotSpecifiedOnJob", "The task has dependencies, but the job does not have usesTaskDependencies set.");
  }
  const pool = ctx.pools.get(job.body.poolInfo.poolId.toLowerCase());
  if (body.containerSettings && pool && !pool.body.virtualMachineConfiguration?.containerConfiguration) {
    return BatchErrors.conflict("InvalidPropertyValue", "Container settings are given, but the pool has no container configuration.", [
      { key: "PropertyName", value: "containerSettings" }
    ]);
  }
  return void 0;
}
function activeJob(ctx, jobId) {
  const job = jobOf(ctx, jobId);
  const error = jobNotActive(job);
  if (error) throw error;
  return job;
}
function addTask(ctx, jobId, body) {
  validateBody(body, "TaskAdd");
  const job = activeJob(ctx, jobId);
  const error = refuseTask(ctx, job, body);
  if (error) throw error;
  const t = insertTask(ctx, job, body);
  ctx.pump();
  return created(ctx, `/jobs/${job.body.id}/tasks/${body.id}`, t);
}
function addTaskCollection(ctx, jobId, body) {
  const job = activeJob(ctx, jobId);
  validateBody(body, "TaskCollection");
  const value = body.value;
  if (value.length > MAX_TASKS_PER_REQUEST) {
    throw BatchErrors.bodyTooLarge(`${MAX_TASKS_PER_REQUEST} tasks`);
  }
  let existsBody;
  const results = value.map((task) => {
    if (typeof task.id === "string" && BATCH_ID.test(task.id) && job.tasks.has(task.id.toLowerCase())) {
      existsBody ??= exists("Task", "").body();
      return { status: "clienterror", taskId: task.id, error: { ...existsBody, values: [{ key: "Id", value: task.id }] } };
    }
    const error = refuseTask(ctx, job, task);
    if (error) return { status: "clienterror", taskId: task.id, error: error.body() };
    const t = insertTask(ctx, job, task);
    return { status: "success", taskId: task.id, eTag: t.eTag, lastModified: t.lastModified, location: `${ctx.baseUrl}/jobs/${job.body.id}/tasks/${task.id}` };
  });
  ctx.pump();
  return { status: 200, body: { value: results } };
}
var ENDED_BY_USER = { code: "TaskEnded", message: "Task Was Ended by User Request" };
function deleteTask(ctx, jobId, taskId) {
  const job = jobOf(ctx, jobId);
  const t = taskOf(ctx, jobId, taskId);
  t.endReason = ENDED_BY_USER;
  t.abort?.abort(new Error("task deleted"));
  job.tasks.delete(taskId.toLowerCase());
  return { status: 200 };
}
function terminateTask(ctx, jobId, taskId) {
  const t = taskOf(ctx, jobId, taskId);
  if (t.state === "completed") return { status: 204 };
  t.endReason = ENDED_BY_USER;
  if (t.abort) t.abort.abort(new Error("task terminated"));
  else completeTask(ctx, t, void 0, ENDED_BY_USER);
  return { status: 204 };
}
function taskView(ctx, t) {
  const b2 = t.body;
  const job = ctx.jobs.get(t.jobId.toLowerCase());
  const { killJobOnCompletion: _k, constraints: _c, ...rest } = b2;
  const constraints = {
    maxWallClockTime: b2.constraints?.maxWallClockTime ?? UNLIMITED_DURATION,
    retentionTime: b2.constraints?.retentionTime ?? "P7D",
    maxTaskRetryCount: b2.constraints?.maxTaskRetryCount ?? job?.body.constraints?.maxTaskRetryCount ?? 0
  };
  if (t.kind === "manager") {
    for (const k of ["runExclusive", "allowLowPriorityNode"]) delete rest[k];
  }
  const cs = rest.containerSettings;
  if (cs?.registry && "password" in cs.registry) {
    const { password: _password, ...registry } = cs.registry;
    rest.containerSettings = { ...cs, registry };
  }
  return {
    ...rest,
    url: `${ctx.baseUrl}/jobs/${t.jobId}/tasks/${b2.id}`,
    eTag: t.eTag,
    lastModified: t.lastModified,
    creationTime: t.creationTime,
    state: t.state,
    stateTransitionTime: t.stateTransitionTime,
    ...t.previousState ? { previousState: t.previousState, previousStateTransitionTime: t.previousStateTransitionTime } : {},
    constraints,
    requiredSlots: b2.requiredSlots ?? 1,
    executionInfo: t.executionInfo,
    ...t.nodeInfo ? { nodeInfo: t.nodeInfo } : {}
  };
}

// local-batch/routes.ts
function route(ctx, method, url, body, req) {
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const q = url.searchParams;
  const [root, id = "", sub, subId = "", fileWord, ...filePath] = parts;
  const key = `${method} ${root ?? ""}${parts.length > 1 ? "/{id}" : ""}${sub !== void 0 ? `/${sub}` : ""}${parts.length > 3 ? "/{sub}" : ""}${fileWord !== void 0 ? `/${fileWord}` : ""}${filePath.length ? "/{path}" : ""}`;
  const listOf = (items) => list(items, url, ctx.baseUrl);
  switch (key) {
    case "POST pools":
      return addPool(ctx, body);
    case "GET pools":
      return listOf([...ctx.pools.values()].map((p) => poolView(ctx, p, apiVersionOf(url))));
    case "GET pools/{id}":
      return one(poolView(ctx, poolOf(ctx, id), apiVersionOf(url)), q);
    case "GET applications":
      return listOf(listedApplications(ctx));
    case "GET applications/{id}":
      return one(getApplication(ctx, id), q);
    case "GET supportedimages":
      return listOf(SUPPORTED_IMAGES);
    case "HEAD pools/{id}":
      return { status: ctx.pools.has(id.toLowerCase()) ? 200 : 404 };
    case "DELETE pools/{id}":
      return deletePool(ctx, id);
    case "PATCH pools/{id}":
      return patchPool(ctx, id, body);
    case "POST pools/{id}/resize":
      return resizePool(ctx, id, body);
    case "GET pools/{id}/nodes":
      return listOf(poolOf(ctx, id).nodes.map((n2) => nodeView(ctx, id, n2)));
    case "GET pools/{id}/nodes/{sub}":
      return one(nodeView(ctx, id, getNode(ctx, id, subId)), q);
    case "GET pools/{id}/nodes/{sub}/files/{path}":
    case "HEAD pools/{id}/nodes/{sub}/files/{path}":
      return getNodeFile(ctx, id, subId, filePath.join("/"), req);
    case "POST pools/{id}/removenodes":
      return removePoolNodes(ctx, id, body);
    case "POST pools/{id}/nodes/{sub}/reboot":
      return restartPoolNode(ctx, id, subId, "reboot", body);
    case "POST pools/{id}/nodes/{sub}/reimage":
      return restartPoolNode(ctx, id, subId, "reimage", body);
    case "POST jobs":
      validateBody(body, "JobAdd");
      return addJob(ctx, body);
    case "GET jobs":
      return listOf([...ctx.jobs.values()].map((j) => jobView(ctx, j)));
    case "GET jobs/{id}":
      return one(jobView(ctx, jobOf(ctx, id)), q);
    case "DELETE jobs/{id}":
      return deleteJob(ctx, id);
    case "PATCH jobs/{id}":
      return patchJob(ctx, id, body);
    case "POST jobs/{id}/terminate":
      if (body !== void 0) validateBody(body, "JobTerminate");
      return terminateJob(ctx, id, body?.terminateReason ?? "UserTerminate");
    case "GET jobs/{id}/taskcounts":
      return { status: 200, body: taskCounts(jobOf(ctx, id)) };
    case "POST jobs/{id}/tasks":
      return addTask(ctx, id, body);
    case "POST jobs/{id}/addtaskcollection":
      return addTaskCollection(ctx, id, body);
    case "GET jobs/{id}/tasks":
      return listTasks(jobOf(ctx, id).tasks, (t) => taskView(ctx, t), url, ctx.baseUrl);
    case "GET jobs/{id}/tasks/{sub}":
      return one(taskView(ctx, taskOf(ctx, id, subId)), q);
    case "DELETE jobs/{id}/tasks/{sub}":
      return deleteTask(ctx, id, subId);
    case "POST jobs/{id}/tasks/{sub}/terminate":
      return terminateTask(ctx, id, subId);
    case "GET jobs/{id}/tasks/{sub}/files":
      return listTaskFiles(ctx, id, subId, url);
    case "GET jobs/{id}/tasks/{sub}/files/{path}":
    case "HEAD jobs/{id}/tasks/{sub}/files/{path}":
      return getTaskFile(ctx, id, subId, filePath.join("/"), req);
    case "POST jobschedules":
      validateBody(body, "JobScheduleAdd");
      return addSchedule(ctx, body);
    case "GET jobschedules":
      return listOf([...ctx.schedules.values()].map((s2) => scheduleView(ctx, s2)));
    case "GET jobschedules/{id}":
      return one(scheduleView(ctx, scheduleOf(ctx, id)), q);
    case "HEAD jobschedules/{id}":
      return { status: ctx.schedules.has(id.toLowerCase()) ? 200 : 404 };
    case "DELETE jobschedules/{id}":
      return deleteSchedule(ctx, id);
    default:
      throw BatchErrors.invalidUri(`The requested URI does not represent any resource on the local Batch service: ${method} ${url.pathname}`);
  }
}

// local-batch/service.ts
var SAVE_DELAY_MS = 50;
var LocalBatchService = class {
  constructor(options) {
    this.options = options;
    this.faults = new FaultInjector(options.faults);
    const service = this;
    this.ctx = {
      options,
      pools: this.pools,
      jobs: this.jobs,
      schedules: this.schedules,
      applications: this.applications,
      get baseUrl() {
        return service.baseUrl;
      },
      get closed() {
        return service.closed;
      },
      nextTaskOrder: () => this.taskOrder++,
      track: (p) => this.track(p),
      pump: () => pump(this.ctx),
      touch: () => this.touch(),
      live: /* @__PURE__ */ new Map(),
      get lease() {
        return service.lease;
      },
      log: (m) => this.options.log?.(m),
      console: { token: randomBytes(18).toString("base64url"), exchanges: [] }
    };
  }
  options;
  pools = /* @__PURE__ */ new Map();
  jobs = /* @__PURE__ */ new Map();
  schedules = /* @__PURE__ */ new Map();
  applications = /* @__PURE__ */ new Map();
  server;
  baseUrl = "";
  taskOrder = 0;
  pumpTimer;
  closed = false;
  inflight = /* @__PURE__ */ new Set();
  faults;
  saveTimer;
  saving = Promise.resolve();
  ctx;
  lease;
  get url() {
    return this.baseUrl;
  }
  get executorKind() {
    return this.options.executor.kind;
  }
  /** What fault injection did, so that tests and benchmarks can show the faults really happened. */
  get injected() {
    return this.faults.injected;
  }
  async listen(port = 0, host = "127.0.0.1") {
    const runtimeDir = this.options.runtimeDir ?? defaultRuntimeDir();
    sweepLeases(runtimeDir, (m) => this.options.log?.(m));
    const containers = await this.options.executor.sweep?.() ?? 0;
    if (containers) this.options.log?.(`removed ${containers} container(s) a killed local service left`);
    this.lease = Lease.open(runtimeDir, this.options.dataDir, this.options.ownsDataDir ?? false);
    await mkdir7(this.options.dataDir, { recursive: true });
    const saved = await loadState(this.options.dataDir);
    const restarted = saved ? restore(this.ctx, saved) : void 0;
    if (saved) this.taskOrder = saved.taskOrder;
    for (const handle2 of restarted?.orphans ?? []) endHandle(handle2);
    const handle = createRequestHandler(this.ctx, this.faults, (method, url, body, req) => route(this.ctx, method, url, body, req));
    const t = this.options.timeouts ?? {};
    this.server = createServer(
      { headersTimeout: t.headersMs ?? 1e4, requestTimeout: t.requestMs ?? 3e4, connectionsCheckingInterval: Math.min(t.headersMs ?? 1e4, 1e3) },
      (req, res) => {
        handle(req, res).catch((error) => {
          this.options.log?.(`internal error: ${error?.stack ?? error}`);
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      }
    );
    this.server.keepAliveTimeout = 65e3;
    this.server.timeout = 6e4;
    this.server.maxConnections = this.options.maxConnections ?? 256;
    this.server.on("clientError", (error, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
      const timedOut = error.code === "ERR_HTTP_REQUEST_TIMEOUT";
      const status = tooLarge ? 431 : timedOut ? 408 : 400;
      const reason = tooLarge ? "Request Header Fields Too Large" : timedOut ? "Request Timeout" : "Bad Request";
      const code = tooLarge ? "RequestHeaderTooLarge" : timedOut ? "RequestTimeout" : "InvalidRequest";
      socket.end(rawBatchError(status, reason, BatchErrors.unreadable(status, code, error.code ?? error.message)));
    });
    await new Promise((resolve3) => this.server.listen(port, host, resolve3));
    const address = this.server.address();
    this.baseUrl = `http://${host}:${address.port}`;
    for (const pool of restarted?.pools ?? []) void this.track(startPool(this.ctx, pool));
    for (const schedule of this.schedules.values()) resumeSchedule(this.ctx, schedule);
    this.pumpTimer = setInterval(() => this.pump(), 100);
    return this.baseUrl;
  }
  /**
   * Saves the state soon: changes come in bursts, and one write covers a burst. A write costs what
   * the state weighs (a job of 100,000 tasks is tens of MB), so the next one waits at least nine
   * times as long as the last took: saving takes at most a tenth of the service's time.
   */
  touch() {
    if (this.closed || this.saveTimer) return;
    this.saveTimer = setTimeout(
      () => {
        this.saveTimer = void 0;
        void this.save();
      },
      Math.max(SAVE_DELAY_MS, 9 * this.lastSaveMs)
    );
  }
  lastSaveMs = 0;
  save() {
    const started = performance.now();
    const state2 = snapshot(this.ctx, this.taskOrder);
    this.saving = this.saving.then(() => saveState(this.options.dataDir, state2)).then(() => void (this.lastSaveMs = performance.now() - started)).catch((error) => this.options.log?.(`could not save the state: ${error.message}`));
    return this.saving;
  }
  /**
   * Azure takes back Spot capacity: the pool's Spot nodes (or the one named) are preempted, their
   * running tasks requeued, and they come back as fresh nodes after `backAfterMs` (default 1 s).
   * Returns the ids of the nodes preempted.
   */
  preemptSpotNodes(poolId, options = {}) {
    const pool = this.ctx.pools.get(poolId.toLowerCase());
    if (!pool) throw new Error(`no pool ${poolId}`);
    const nodes = pool.nodes.filter((n2) => n2.lowPriority && !n2.draining && (options.nodeId === void 0 || n2.id === options.nodeId));
    for (const node of nodes) void this.track(preemptNode(this.ctx, pool, node, options.backAfterMs ?? 1e3));
    return nodes.map((n2) => n2.id);
  }
  /** The web console's login link (one token per service start; it sets a cookie for the console's pages). */
  consoleUrl() {
    return `${this.baseUrl}/console/login?token=${this.ctx.console.token}`;
  }
  /** Places runnable tasks on free slots now (it also runs on every change and on a timer). */
  pump() {
    pump(this.ctx);
  }
  /**
   * Stops timers, kills running work (start tasks included), closes the server. The state is
   * saved first, with the work as it was: started again, the service runs it again.
   */
  async close() {
    clearTimeout(this.saveTimer);
    this.saveTimer = void 0;
    if (this.baseUrl) await this.save();
    this.closed = true;
    clearInterval(this.pumpTimer);
    for (const s2 of this.schedules.values()) clearTimeout(s2.timer);
    for (const pool of this.pools.values()) pool.abort.abort(new Error("service closing"));
    for (const job of this.jobs.values()) for (const t of job.tasks.values()) t.abort?.abort(new Error("service closing"));
    await Promise.allSettled([...this.inflight]);
    await new Promise((resolve3) => {
      if (!this.server) return resolve3();
      this.server.closeAllConnections();
      this.server.close(() => resolve3());
    });
    this.lease?.release();
  }
  track(p) {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => {
    });
    return p;
  }
};

// local-batch/start.ts
var ExecutorUnavailableError = class extends Error {
  name = "ExecutorUnavailableError";
};
async function chooseExecutor(choice, dataDir, warn) {
  if (choice === "process") return processExecutor();
  const reachable = await dockerReachable();
  if (reachable) return dockerExecutor(join10(dataDir, "docker-config"));
  if (choice === "docker") {
    throw new ExecutorUnavailableError("--executor docker: no Docker engine answers (set DOCKER_HOST, or start dockerd)");
  }
  warn("no Docker engine answers: tasks run as host processes in their working directories, and container images are not used");
  return processExecutor();
}
async function startLocalBatch(options = {}) {
  const dataDir = options.dataDir ?? await mkdtemp(join10(tmpdir(), "local-batch-"));
  const ownsDataDir = options.dataDir === void 0;
  const executor = await chooseExecutor(options.executor ?? "auto", dataDir, options.warn ?? (() => {
  }));
  const accountName = "local";
  const accountKey = randomBytes2(32).toString("base64");
  const service = new LocalBatchService({
    accountName,
    accountKey,
    dataDir,
    ownsDataDir,
    runtimeDir: options.runtimeDir,
    executor,
    faults: options.faults,
    maxNodesPerPool: options.maxNodesPerPool,
    identityRegistries: options.identityRegistries,
    identityStorage: options.identityStorage,
    onExchange: options.onExchange,
    account: options.account
  });
  const accountUrl = await service.listen();
  const close = async () => {
    await service.close();
    if (ownsDataDir) await rm6(dataDir, { recursive: true, force: true });
  };
  return { service, accountUrl, accountName, accountKey, executor: executor.kind, close, armEndpoint: `${accountUrl}/arm` };
}
export {
  ExecutorUnavailableError,
  chooseExecutor,
  startLocalBatch
};
//# sourceMappingURL=start-5DTNOYDO.js.map
