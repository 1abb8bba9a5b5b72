/** Errors of a run that are not service errors, each with its exit code. */

/** The run was stopped by SIGINT/SIGTERM or an abort signal; the job was terminated. */
export class CancelledError extends Error {
  override readonly name = "CancelledError";
}

/** Something about the account's state blocks the run (pool differs, job belongs elsewhere, ...). */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
}

/** Nodes could not be had, or did not become usable. */
export class PoolNotReadyError extends Error {
  override readonly name = "PoolNotReadyError";
}
