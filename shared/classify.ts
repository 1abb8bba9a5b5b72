/**
 * One classification of every error the core (or a wrapper) can end with, which each wrapper maps
 * to its own exit codes or statuses: the CLI to 2 / 1 / 3 / 3 / 130, the Action to a failed step,
 * the Function app to a retry or a dead letter.
 */
import { ArmError } from "./client/armClient.js";
import { BatchServiceError } from "./client/errors.js";
import { UsageError } from "./errors.js";
import { CancelledError, ConflictError, TasksFailedError } from "./run/errors.js";
import { SpecError } from "./workload/errors.js";

/**
 * - `usage`: the input is wrong (spec, arguments, a conflict with the account that the spec must
 *   resolve, a job or task named that does not exist); retrying the same thing fails the same way.
 * - `task`: the work ran and failed.
 * - `service`: the Batch service or the network failed; a retry later may succeed.
 * - `auth`: credentials are missing, wrong or not allowed.
 * - `cancelled`: the caller aborted.
 */
export type ErrorCategory = "usage" | "task" | "service" | "auth" | "cancelled";

const AUTH_ERROR_NAMES = /^(AuthenticationError|AggregateAuthenticationError|CredentialUnavailableError|AuthenticationRequiredError)$/;
const NOT_FOUND_CODES = /^(JobNotFound|TaskNotFound|PoolNotFound|NodeNotFound|JobScheduleNotFound)$/;
const AUTH_CODES = /^(AuthenticationFailed|AuthorizationFailure|AuthorizationPermissionMismatch|InvalidAuthenticationInfo|AccountIsDisabled)$/;

export function classifyError(error: unknown): ErrorCategory {
  if (error instanceof SpecError || error instanceof UsageError || error instanceof ConflictError) return "usage";
  if ((error as { code?: unknown })?.code !== undefined && String((error as { code: unknown }).code).startsWith("ERR_PARSE_ARGS")) return "usage";
  if (error instanceof TasksFailedError) return "task";
  if (error instanceof CancelledError || (error as Error)?.name === "AbortError") return "cancelled";
  if (
    (error instanceof BatchServiceError || error instanceof ArmError) &&
    (error.statusCode === 401 || error.statusCode === 403 || AUTH_CODES.test(error.code))
  )
    return "auth";
  if (AUTH_ERROR_NAMES.test((error as Error)?.name ?? "")) return "auth";
  // A job, task, pool or node named by the caller that is not there: the input is wrong, a retry finds it no more.
  if (error instanceof BatchServiceError && error.statusCode === 404 && NOT_FOUND_CODES.test(error.code)) return "usage";
  return "service";
}
