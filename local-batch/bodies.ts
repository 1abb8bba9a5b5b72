/**
 * Request bodies the local service accepts, property by property. Anything else is refused with
 * the service's `InvalidRequestBody` naming the property, never silently ignored: a workload that
 * runs here must not depend on a property this service would drop.
 */
import { invalidBody, invalidValue } from "./errors.js";

type FieldType = "string" | "number" | "boolean" | "any" | { shape: string } | { array: FieldType };
type Shape = Record<string, FieldType>;

const s = "string" as const;
const n = "number" as const;
const b = "boolean" as const;
const shape = (name: string) => ({ shape: name });
const array = (t: FieldType) => ({ array: t });

/** The fields every kind of task body has. */
const TASK_COMMON: Shape = {
  commandLine: s,
  containerSettings: shape("TaskContainerSettings"),
  resourceFiles: array(shape("ResourceFile")),
  environmentSettings: array(shape("EnvironmentSetting")),
  userIdentity: shape("UserIdentity"),
};

const SHAPES: Record<string, Shape> = {
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
    containerHostBatchBindMounts: array(shape("BindMount")),
  },
  ResourceFile: {
    httpUrl: s,
    storageContainerUrl: s,
    autoStorageContainerName: s,
    blobPrefix: s,
    filePath: s,
    fileMode: s,
    identityReference: shape("IdentityReference"),
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
    osDisk: shape("OSDisk"),
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
    metadata: array(shape("Metadata")),
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
    applicationPackageReferences: array(shape("ApplicationPackageReference")),
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
    metadata: array(shape("Metadata")),
  },
  JobPatch: {
    priority: n,
    maxParallelTasks: n,
    allowTaskPreemption: b,
    onAllTasksComplete: s,
    constraints: shape("JobConstraints"),
    poolInfo: shape("PoolInfo"),
    metadata: array(shape("Metadata")),
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
    applicationPackageReferences: array(shape("ApplicationPackageReference")),
  },
  TaskCollection: { value: array(shape("TaskAdd")) },
};
SHAPES.JobAdd = { id: s, ...SHAPES.JobSpecification };

const REQUIRED: Record<string, string[]> = {
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
  ApplicationPackageReference: ["applicationId"],
};

const ENUMS: Record<string, string[]> = {
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
  "JobAdd.onTaskFailure": ["noaction", "performexitoptionsjobaction"],
};

function check(value: unknown, type: FieldType, path: string, shapeName?: string, field?: string): void {
  if (typeof type === "string") {
    if (type === "any") return;
    const ok = type === "number" ? typeof value === "number" && Number.isFinite(value) : typeof value === type;
    if (!ok) throw invalidValue(path, `expected a ${type}`);
    const allowed = shapeName && field ? ENUMS[`${shapeName}.${field}`] : undefined;
    // The service reads enum values case-insensitively.
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

function checkShape(value: unknown, name: string, path: string): void {
  const fields = SHAPES[name] as Shape;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalidValue(path || "body", "expected an object");
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    const type = fields[k];
    if (!type) throw invalidBody(`the property ${p} is not recognised, or not supported by the local Batch service`, p);
    if (v === null || v === undefined) continue;
    check(v, type, p, name, k);
  }
  for (const r of REQUIRED[name] ?? []) {
    if ((value as Record<string, unknown>)[r] === undefined)
      throw invalidBody(`the required property ${path ? `${path}.` : ""}${r} is missing`, path ? `${path}.${r}` : r);
  }
}

/** Throws the service's error for a body this service cannot accept. */
export function validateBody(body: unknown, shapeName: keyof typeof SHAPES | "JobAdd"): void {
  checkShape(body, shapeName, "");
}
