/**
 * What a run owns, known even when an answer is lost, and jobs that end only after their last task
 * is in.
 *
 * - Each run has an id, written into the metadata of the pool and the job it creates. When the
 *   answer to a create is lost and the retry meets `PoolExists` / `JobExists`, reading that id back
 *   says whether this run created it: `created` is then true exactly when it did, and cleanup
 *   removes exactly that.
 * - `onAllTasksComplete: terminateJob` on the job at creation would end it as soon as the tasks
 *   added *so far* complete, while later chunks are still on their way (Batch's REST reference
 *   advises the same): the job is created with `noaction`, and the spec's value is set with one
 *   PATCH once every chunk is acknowledged.
 */
import { randomUUID } from "node:crypto";
import { REDACTION_METADATA, SECRET_ENV } from "../batch/redaction.js";
import type { EnvironmentSetting, JobAddParameter, MetadataItem } from "../batch/types.js";
import { BatchServiceError } from "../client/errors.js";
import type { BatchClient } from "../client/batchClient.js";

/** The metadata name under which a run writes its id. */
export const RUN_ID_METADATA = "azure-batch-run.runId";

export function newRunId(): string {
  return randomUUID();
}

/** The body with this run's id in its metadata (any earlier value of that name replaced). */
export function withRunId<T extends { metadata?: MetadataItem[] }>(body: T, runId: string): T {
  return { ...body, metadata: [...(body.metadata ?? []).filter((m) => m.name !== RUN_ID_METADATA), { name: RUN_ID_METADATA, value: runId }] };
}

/** Whether the metadata read back names this run as the creator. */
export function createdByRun(metadata: MetadataItem[] | undefined, runId: string): boolean {
  return (metadata ?? []).some((m) => m.name === RUN_ID_METADATA && m.value === runId);
}

/** The job body to create (with `noaction`), and whether the spec wants it to end once its tasks are done. */
export function deferJobEnd(body: JobAddParameter): { body: JobAddParameter; endWhenDone: boolean } {
  if (body.onAllTasksComplete !== "terminatejob") return { body, endWhenDone: false };
  return { body: { ...body, onAllTasksComplete: "noaction" }, endWhenDone: true };
}

/** The PATCH that lets the job end once its tasks are done: sent after the last chunk is acknowledged. */
export function endWhenDonePatch(jobId: string): { method: "PATCH"; path: string; body: { onAllTasksComplete: "terminatejob" } } {
  return { method: "PATCH", path: `/jobs/${encodeURIComponent(jobId)}`, body: { onAllTasksComplete: "terminatejob" } };
}

/** Sets the job to end when its tasks are done; a job that has ended already (by another hand) is left as it is. */
export async function endJobWhenTasksDone(client: BatchClient, jobId: string, signal?: AbortSignal): Promise<void> {
  const patch = endWhenDonePatch(jobId);
  try {
    await client.send(patch.method, patch.path, { body: patch.body, signal });
  } catch (error) {
    if (error instanceof BatchServiceError && ["JobCompleted", "JobBeingTerminated", "JobBeingDeleted", "JobNotFound"].includes(error.code)) return;
    throw error;
  }
}

/** How long a job this project creates may run when the spec does not say (`job.maxWallClock`): a crashed run does not hold quota for ever. */
export const DEFAULT_JOB_MAX_WALL_CLOCK = "P7D";

/**
 * The job a run creates: the spec's, with the defaults that make a job end itself — at most
 * `DEFAULT_JOB_MAX_WALL_CLOCK` unless the spec says, and, for a run that waits and the spec silent,
 * ending once its tasks are done (`endByDefault`: set only on a job the run created; a job it
 * reuses keeps its own setting). An active job holds one of the account's active job quota.
 */
export function jobForRun(
  body: JobAddParameter,
  spec: { onAllTasksComplete?: string; maxWallClock?: string },
  wait: boolean,
  secrets: readonly string[] = [],
): { body: JobAddParameter; endWhenDone: boolean; endByDefault: boolean } {
  const defaulted: JobAddParameter = {
    ...body,
    // Its tasks name the environment variables that carry secrets (AZBR_SECRET_ENV); its own common ones are listed here.
    metadata: [
      ...(body.metadata ?? []),
      {
        name: REDACTION_METADATA,
        value: `by-source:${(body.commonEnvironmentSettings ?? [])
          .filter((e) => e.value && secrets.some((s) => s && e.value!.includes(s)))
          .map((e) => e.name)
          .join(",")}`,
      },
    ],
  };
  if (spec.maxWallClock === undefined) defaulted.constraints = { ...(body.constraints ?? {}), maxWallClockTime: DEFAULT_JOB_MAX_WALL_CLOCK };
  const endByDefault = spec.onAllTasksComplete === undefined && wait;
  if (endByDefault) defaulted.onAllTasksComplete = "terminatejob";
  return { ...deferJobEnd(defaulted), endByDefault };
}

/**
 * Redaction by source. A task's environment variable that carries one of the workload's secrets
 * (a value that came from a secret environment variable, whatever its own name) is named in the
 * task's `AZBR_SECRET_ENV`; a job so made says so in its metadata. Readers of task output (`logs`,
 * followers, the Action) then redact those values and those of secret-like names, and show the rest
 * (`QUALITY: draft`). Tasks of jobs without the mark keep every environment value hidden.
 */
export { REDACTION_METADATA, SECRET_ENV };

/** The body with its secret-carrying environment names listed in AZBR_SECRET_ENV (none: no variable added). */
export function markSecretEnv<T extends { environmentSettings?: EnvironmentSetting[] }>(body: T, secrets: readonly string[]): T {
  const names = (body.environmentSettings ?? []).filter((e) => e.value && secrets.some((s) => s && e.value!.includes(s))).map((e) => e.name);
  if (names.length === 0) return body;
  return { ...body, environmentSettings: [...(body.environmentSettings ?? []), { name: SECRET_ENV, value: names.join(",") }] };
}
