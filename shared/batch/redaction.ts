/**
 * How this project marks, on what it sends to Batch, which environment values carry secrets, so
 * that whoever later shows a task's output (`logs`, a follower, the Action, the local service's
 * console) redacts by the value's source and not only by its name. The core writes the marks; the
 * readers apply `isSecretEnv`.
 */

/** Names (of environment variables, or of the fields they land in) that say a value is secret. */
export const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|SAS|CREDENTIAL|CONNECTION_?STRING/i;
/** A task's variable listing its variables whose values carry a secret (comma separated). */
export const SECRET_ENV = "AZBR_SECRET_ENV";
/** The job's metadata item saying its tasks are so marked (`by-source:<its own common names>`). */
export const REDACTION_METADATA = "azure-batch-run.redaction";

type Setting = { name?: string; value?: string };

/**
 * Which of a task's and its job's environment values to hide: for a job marked by source, those
 * listed and those with secret-like names; for any other job, every one (nothing says which are safe).
 */
export function isSecretEnv(task: { environmentSettings?: Setting[] }, job: { metadata?: Setting[] }): (e: Setting) => boolean {
  const mark = job.metadata?.find((m) => m.name === REDACTION_METADATA)?.value;
  if (!mark?.startsWith("by-source:")) return (e) => e.name !== SECRET_ENV;
  const listed = new Set([
    ...mark.slice("by-source:".length).split(","),
    ...(task.environmentSettings?.find((e) => e.name === SECRET_ENV)?.value?.split(",") ?? []),
  ]);
  return (e) => e.name !== undefined && e.name !== SECRET_ENV && (listed.has(e.name) || SECRET_NAME.test(e.name));
}
