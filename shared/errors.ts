/**
 * The one error every layer may throw: bad arguments or inputs of a caller (a flag, an Action
 * input, an event the trigger cannot use, credentials options that do not go together).
 * The run's own errors are in `run/errors.ts`; `classifyError` sorts them all.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
