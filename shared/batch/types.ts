/**
 * The subset of the Azure Batch REST model that this project sends and reads: the same under
 * api-versions 2025-06-01 and 2024-07-01.20.0 for everything here (`apiVersion.ts` holds the
 * differences). Names follow `BatchService.json` exactly; the contract tests check every body we
 * build against the definition of its own version with Microsoft's `oav`.
 */

export { API_VERSION, API_VERSIONS, type ApiVersion } from "./apiVersion.js";

export interface EnvironmentSetting {
  name: string;
  value?: string;
}
export interface ComputeNodeIdentityReference {
  resourceId?: string;
}

export interface ContainerRegistry {
  registryServer?: string;
  username?: string;
  password?: string;
  identityReference?: ComputeNodeIdentityReference;
}

export interface ContainerHostBatchBindMountEntry {
  source?: "Shared" | "Startup" | "VfsMounts" | "Task" | "JobPrep" | "Applications";
  isReadOnly?: boolean;
}

export interface TaskContainerSettings {
  imageName: string;
  containerRunOptions?: string;
  registry?: ContainerRegistry;
  workingDirectory?: "taskWorkingDirectory" | "containerImageDefault";
  containerHostBatchBindMounts?: ContainerHostBatchBindMountEntry[];
}

export interface ResourceFile {
  httpUrl?: string;
  storageContainerUrl?: string;
  blobPrefix?: string;
  filePath?: string;
  fileMode?: string;
  identityReference?: ComputeNodeIdentityReference;
}

export interface OutputFile {
  filePattern: string;
  destination: { container: { containerUrl: string; path?: string; identityReference?: ComputeNodeIdentityReference } };
  uploadOptions: { uploadCondition: "tasksuccess" | "taskfailure" | "taskcompletion" };
}

export interface UserIdentity {
  username?: string;
  autoUser?: { scope?: "task" | "pool"; elevationLevel?: "nonadmin" | "admin" };
}

export interface TaskConstraints {
  maxWallClockTime?: string;
  retentionTime?: string;
  maxTaskRetryCount?: number;
}

export interface StartTask {
  commandLine: string;
  containerSettings?: TaskContainerSettings;
  resourceFiles?: ResourceFile[];
  environmentSettings?: EnvironmentSetting[];
  userIdentity?: UserIdentity;
  maxTaskRetryCount?: number;
  waitForSuccess?: boolean;
}

export interface ContainerConfiguration {
  type: "dockerCompatible" | "criCompatible";
  containerImageNames?: string[];
  containerRegistries?: ContainerRegistry[];
}

export interface ImageReference {
  publisher?: string;
  offer?: string;
  sku?: string;
  version?: string;
  virtualMachineImageId?: string;
}

export interface VirtualMachineConfiguration {
  imageReference: ImageReference;
  nodeAgentSKUId: string;
  containerConfiguration?: ContainerConfiguration;
  osDisk?: { diskSizeGB?: number };
}

/** A package installed on a node: the pool's (application id fully qualified) or a task's. */
export interface ApplicationPackageReference {
  applicationId: string;
  version?: string;
}

export interface MetadataItem {
  name: string;
  value: string;
}

export interface PoolAddParameter {
  id: string;
  displayName?: string;
  vmSize: string;
  virtualMachineConfiguration?: VirtualMachineConfiguration;
  resizeTimeout?: string;
  targetDedicatedNodes?: number;
  targetLowPriorityNodes?: number;
  enableAutoScale?: boolean;
  autoScaleFormula?: string;
  autoScaleEvaluationInterval?: string;
  enableInterNodeCommunication?: boolean;
  startTask?: StartTask;
  applicationPackageReferences?: ApplicationPackageReference[];
  taskSlotsPerNode?: number;
  metadata?: MetadataItem[];
}

export interface JobManagerTask {
  id: string;
  displayName?: string;
  commandLine: string;
  containerSettings?: TaskContainerSettings;
  resourceFiles?: ResourceFile[];
  outputFiles?: OutputFile[];
  environmentSettings?: EnvironmentSetting[];
  constraints?: TaskConstraints;
  requiredSlots?: number;
  killJobOnCompletion?: boolean;
  userIdentity?: UserIdentity;
  runExclusive?: boolean;
  applicationPackageReferences?: ApplicationPackageReference[];
  allowLowPriorityNode?: boolean;
}

export interface JobPreparationTask {
  id?: string;
  commandLine: string;
  containerSettings?: TaskContainerSettings;
  resourceFiles?: ResourceFile[];
  environmentSettings?: EnvironmentSetting[];
  constraints?: TaskConstraints;
  waitForSuccess?: boolean;
  userIdentity?: UserIdentity;
  rerunOnNodeRebootAfterSuccess?: boolean;
}

export interface JobReleaseTask {
  id?: string;
  commandLine: string;
  containerSettings?: TaskContainerSettings;
  resourceFiles?: ResourceFile[];
  environmentSettings?: EnvironmentSetting[];
  maxWallClockTime?: string;
  retentionTime?: string;
  userIdentity?: UserIdentity;
}

export interface JobSpecification {
  displayName?: string;
  priority?: number;
  maxParallelTasks?: number;
  usesTaskDependencies?: boolean;
  onAllTasksComplete?: "noaction" | "terminatejob";
  onTaskFailure?: "noaction" | "performexitoptionsjobaction";
  constraints?: { maxWallClockTime?: string; maxTaskRetryCount?: number };
  jobManagerTask?: JobManagerTask;
  jobPreparationTask?: JobPreparationTask;
  jobReleaseTask?: JobReleaseTask;
  commonEnvironmentSettings?: EnvironmentSetting[];
  poolInfo: { poolId: string };
  metadata?: MetadataItem[];
}

export interface JobAddParameter extends JobSpecification {
  id: string;
}

export interface JobScheduleAddParameter {
  id: string;
  displayName?: string;
  schedule: { doNotRunUntil?: string; doNotRunAfter?: string; startWindow?: string; recurrenceInterval?: string };
  jobSpecification: JobSpecification;
  metadata?: MetadataItem[];
}

export interface TaskAddParameter {
  id: string;
  displayName?: string;
  commandLine: string;
  containerSettings?: TaskContainerSettings;
  resourceFiles?: ResourceFile[];
  outputFiles?: OutputFile[];
  environmentSettings?: EnvironmentSetting[];
  constraints?: TaskConstraints;
  requiredSlots?: number;
  userIdentity?: UserIdentity;
  dependsOn?: { taskIds?: string[]; taskIdRanges?: { start: number; end: number }[] };
  applicationPackageReferences?: ApplicationPackageReference[];
}

export interface BatchErrorBody {
  code?: string;
  message?: { lang?: string; value?: string };
  values?: { key?: string; value?: string }[];
}

export interface TaskAddResult {
  status: "success" | "clienterror" | "servererror";
  taskId: string;
  eTag?: string;
  error?: BatchErrorBody;
}

export interface TaskCounts {
  active: number;
  running: number;
  completed: number;
  succeeded: number;
  failed: number;
}

/** True when a parsed `taskCounts` holds the five counts as numbers. */
export function isTaskCounts(value: unknown): value is TaskCounts {
  const v = value as Record<string, unknown> | undefined;
  return v !== undefined && v !== null && ["active", "running", "completed", "succeeded", "failed"].every((k) => Number.isInteger(v[k]));
}

export interface TaskExecutionInfo {
  startTime?: string;
  endTime?: string;
  exitCode?: number;
  result?: "success" | "failure";
  retryCount: number;
  requeueCount: number;
  failureInfo?: { category: "usererror" | "servererror"; code?: string; message?: string; details?: { name?: string; value?: string }[] };
}

export interface CloudTask {
  id: string;
  state?: "active" | "preparing" | "running" | "completed";
  stateTransitionTime?: string;
  commandLine?: string;
  containerSettings?: TaskContainerSettings;
  environmentSettings?: EnvironmentSetting[];
  executionInfo?: TaskExecutionInfo;
  nodeInfo?: { nodeId?: string; poolId?: string };
}

export interface CloudPool {
  id: string;
  metadata?: MetadataItem[];
  state?: "active" | "deleting";
  allocationState?: "steady" | "resizing" | "stopping";
  vmSize?: string;
  virtualMachineConfiguration?: VirtualMachineConfiguration;
  taskSlotsPerNode?: number;
  targetDedicatedNodes?: number;
  targetLowPriorityNodes?: number;
  currentDedicatedNodes?: number;
  currentLowPriorityNodes?: number;
  enableAutoScale?: boolean;
  autoScaleFormula?: string;
  startTask?: StartTask;
  applicationPackageReferences?: ApplicationPackageReference[];
  resizeErrors?: { code?: string; message?: string; values?: { name?: string; value?: string }[] }[];
  /** Set for pools created with managed identities (through Azure Resource Manager). */
  identity?: { type?: "UserAssigned" | "None"; userAssignedIdentities?: { resourceId?: string; clientId?: string; principalId?: string }[] };
}

export interface ComputeNode {
  id: string;
  state?: string;
  startTaskInfo?: { state?: string; exitCode?: number; failureInfo?: { code?: string; message?: string } };
  errors?: { code?: string; message?: string }[];
}

export interface CloudJob {
  id: string;
  metadata?: MetadataItem[];
  state?: "active" | "disabling" | "disabled" | "enabling" | "terminating" | "completed" | "deleting";
  poolInfo?: { poolId?: string };
  executionInfo?: { terminateReason?: string; schedulingError?: { code?: string; message?: string } };
}
