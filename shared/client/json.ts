/** Reading JSON answers: an object, or an error that says what came instead, with the call's method, path, status and request id. */
import { UnexpectedResponseError } from "./errors.js";
import type { PipelineResponse } from "./pipeline.js";

/** A JSON object from a response, or an error that says what came instead. */
export function parseJson<T>(response: PipelineResponse, method: string): T {
  const fail = (what: string) =>
    new UnexpectedResponseError(
      method,
      response.request?.url?.pathname ?? "?",
      response.status,
      what,
      response.headers["request-id"] ?? response.headers["x-ms-request-id"],
    );
  if (!response.bodyText) throw fail("with an empty body where a JSON object belongs");
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.bodyText);
  } catch {
    throw fail(`with a body that is not JSON (${response.headers["content-type"] || "no content type"}, ${Buffer.byteLength(response.bodyText)} bytes)`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw fail("with JSON that is not an object");
  return parsed as T;
}

/** A request body already serialized (e.g. task chunks, whose JSON was made to measure them): sent as is. */
const JSON_TEXT: unique symbol = Symbol.for("azure-batch-run.JsonText") as never;

export class JsonText {
  /** A brand that holds across copies of this module (a bundle and its source side by side). */
  readonly [JSON_TEXT] = true;
  constructor(readonly text: string) {}

  static is(value: unknown): value is JsonText {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[JSON_TEXT] === true;
  }
}
