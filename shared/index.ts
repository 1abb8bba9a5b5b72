/**
 * azure-batch-run: run container workloads on Azure Batch from one declarative spec.
 *
 * This module is the core's one public API; the CLI (`cli/`), the GitHub Action (`action/`) and
 * the Azure Function app (`functions/`) use nothing else. The flow:
 *
 * ```ts
 * import { loadSpec, createBatchClient, runWorkload, classifyError } from "azure-batch-run";
 *
 * const workload = loadSpec(text, { env: { REG_PASSWORD: process.env.REG_PASSWORD } });
 * const client = createBatchClient({ accountUrl, credential: new DefaultAzureCredential() });
 * try {
 *   const result = await runWorkload(client, workload, reporter, { signal });
 * } catch (error) {
 *   switch (classifyError(error)) { ... }   // usage | task | service | auth | cancelled
 * } finally {
 *   await client.close();
 * }
 * ```
 *
 * Errors thrown here are already redacted: the workload's secrets, the account key, bearer
 * tokens and SAS query strings never reach a message. Reporter messages are redacted too.
 *
 * @packageDocumentation
 */

// ---- the workload spec: load and validate -------------------------------------------------------

/**
 * `loadSpec(text, options)` parses YAML or JSON; `loadSpecObject(data, options)` takes data a
 * wrapper built. Both resolve templates (`{{ vars.* }}`, `{{ env.* }}` from `options.env` only,
 * wrapper roots such as `{{ event.* }}`), expand `forEach`, check every Batch rule, and throw a
 * `SpecError` listing every problem with its field path. Nothing touches the network.
 */
export { loadSpec, loadSpecObject, parseSpecText, type LoadOptions, type Workload } from "./workload/load.js";
export { TaskSet, type ResolvedTask } from "./workload/expand.js";
export type { WorkloadSpec, WorkloadSpecInput } from "./workload/schema.js";
/** The spec's JSON Schema, for editors (`schema/workload.schema.json` is generated from it). */
export { workloadJsonSchema } from "./workload/schema.js";

// ---- what a spec becomes ------------------------------------------------------------------------

/** The mutating REST calls a workload produces (Pool_Add, Job_Add or JobSchedule_Add, Task_AddCollection chunks), without any network. */
export { plan, planCalls, type PlannedCall } from "./run/plan.js";
/** The Azure Resource Manager pool body and path, for pools with a managed identity. */
export { translateArmPool, armPoolPath, ARM_API_VERSION } from "./translate/armPool.js";

// ---- running it ---------------------------------------------------------------------------------

/**
 * Ensures the pool (waiting for a usable node), creates the job, adds the tasks, follows them to
 * the end (unless `wait: false`), and cleans up per the policy in a `finally`. Task failures are
 * a result (`succeeded: false`), not an error; `created` says what the run created.
 */
export { runWorkload, type RunOptions, type RunResult, type CleanupPolicy } from "./run/run.js";
/** Does the spec fit the account? Cores per VM family, Spot cores, pools, active jobs, VM size, image: `preflight` reports, `assertFits` gates. */
export { deployPackage, type DeployPackageOptions, type DeployPackageResult } from "./run/deployPackage.js";
export { zipFolder } from "./run/zip.js";
export { listForEachBlobs, loadSpecWithBlobs, loadSpecTextWithBlobs, describeSource, type BlobListOptions } from "./run/listBlobs.js";
export { BlobListing, type BlobItem, type BlobListingSource } from "./workload/blobItems.js";
export { blobSourcesOf, type BlobSourceAt } from "./workload/load.js";
export { appPackageEnvName, applicationResourceId, MAX_POOL_PACKAGES, type AccountCoordinates } from "./batch/applications.js";
export { preflight, assertFits, type PreflightReport, type PreflightCheck, type PreflightOptions } from "./run/preflight.js";

/**
 * For events: makes sure the pool exists (never waits for nodes) and the job exists, adds the
 * tasks, and returns at once with `added | existed | failed` per task. Idempotent and safe to
 * call concurrently for the same work.
 */
export { DEFAULT_SUBMIT_CONCURRENCY, MAX_SUBMIT_CONCURRENCY } from "./run/addTaskCollection.js";
export { createdByRun, RUN_ID_METADATA } from "./run/ownership.js";
export { submitTasks, jobGenerationId, type SubmitOptions, type SubmitResult, type SubmittedTask, type SubmittedStatus } from "./run/submit.js";

/** A job's state and task counts; terminating a job; deleting what a run created (an Action's post step). */
export { getJobStatus, terminateJob, cleanup, type JobStatus, type TerminateOutcome, type CleanupTarget, type CleanupResult } from "./run/jobControl.js";

/** A task's output file (`stdout.txt`, `stderr.txt`): its tail read with a byte range; `readTaskOutput` redacts it with the task's own secrets. */
export { readTaskFileTail, readTaskOutput, taskOutputRedactor, lastLines, listTaskFiles, type TaskFile } from "./run/taskLogs.js";

// ---- events: what the Function app (and `plan --event`) turn into a workload ---------------------

/**
 * Trigger payloads (a blob, an Event Grid or CloudEvents event, a queue message, a timer firing)
 * as one `BatchEvent` with a task id derived from it; `EventSpec` fills a spec's `{{ event.* }}`
 * from one, checking the values it uses; `eventFromSample` reads a sample event file.
 */
export {
  blobEvent,
  eventGridEvent,
  queueEvent,
  timerEvent,
  blobFromUrl,
  blobTaskId,
  safeFileName,
  queueMessageJsonSchema,
  QueueMessage,
  InvalidEventError,
  BLOB_CREATED,
  MAX_BLOB_NAME,
  MAX_FILE_NAME_BYTES,
  type BatchEvent,
  type InputBlob,
} from "./events/events.js";
export { EventSpec, eventFromSample, INPUT_FIELDS, type EventLoadOptions } from "./events/eventSpec.js";

// ---- the client ---------------------------------------------------------------------------------

/**
 * `createBatchClient({ accountUrl, credential })` with any `@azure/identity` credential or
 * `{ accountKey }` (Shared Key). `hooks.log` receives one redacted line per HTTP attempt,
 * `userAgentPrefix` goes before `azure-batch-run/<version>` in the User-Agent.
 */
export {
  createBatchClient,
  createLocalBatchClient,
  lazyEntraCredential,
  LOCAL_SUBSCRIPTION,
  type LocalBatchAccount,
  authFromEnvironment,
  armFromAuth,
  entraOptions,
  resolveAccountUrl,
  type BatchCredential,
  type CreateBatchClientOptions,
} from "./client/credentials.js";
export { BatchClient, type BatchAuth, type BatchClientOptions } from "./client/batchClient.js";
export type { PipelinePolicy, PipelineRequest, PipelineResponse, RequestHooks, RetryInfo } from "./client/pipeline.js";
export { BATCH_SCOPE } from "./client/policies/bearerTokenPolicy.js";
export { CLOUDS, cloudNamed, cloudOfAccountUrl, type Cloud, type CloudName } from "./client/clouds.js";
/** Azure Resource Manager, for pools with a managed identity (`client.arm`, made by `createBatchClient` from an Entra ID credential). */
export { ArmClient, ArmError, ARM_ENDPOINT, ARM_SCOPE, type ArmOptions } from "./client/armClient.js";
export { findBatchAccount, type ArmCoordinates } from "./run/armPool.js";

// ---- what a run tells its wrapper ----------------------------------------------------------------

export { silentReporter, describeRetry, type ProgressReporter, type TaskOutcome } from "./run/reporter.js";
export type { TaskCounts, CloudTask } from "./batch/types.js";
/** Live output of running tasks: ranged reads from the last offset, whole lines, redacted. */
export { followTaskOutput, type OutputChunk, type FollowOptions, type FollowStats } from "./run/followOutput.js";
/** A completed task as an outcome (result, exit code, retries, requeues, node, duration, failure). */
export { outcomeOf } from "./run/waitForTasks.js";

// ---- errors ---------------------------------------------------------------------------------------

/** `classifyError(error)`: `usage | task | service | auth | cancelled`, for each wrapper to map to its exit codes or statuses. */
export { classifyError, type ErrorCategory } from "./classify.js";
export { SpecError, type SpecIssue } from "./workload/errors.js";
export { UsageError } from "./errors.js";
export { ConflictError, CancelledError, PoolNotReadyError, QuotaReachedError, TasksFailedError } from "./run/errors.js";
export { BatchServiceError, UnexpectedResponseError } from "./client/errors.js";
export { TransportError } from "./client/pipeline.js";

// ---- secrets and versions -------------------------------------------------------------------------

/** Hides known secret values, SAS query strings and authorization values in text, values and errors. */
export { Redactor } from "./redact.js";
/** The data plane's api-versions: `API_VERSION` (2025-06-01) by default, 2024-07-01.20.0 when a spec or a client asks for it. */
export { API_VERSION, API_VERSIONS, isApiVersion, type ApiVersion } from "./batch/apiVersion.js";
export { VERSION } from "./version.js";
