/** Errors from the Batch service, with everything needed to find the call in Azure's logs. */
import type { BatchErrorBody } from "../batch/types.js";

export class BatchServiceError extends Error {
  override readonly name = "BatchServiceError";
  readonly statusCode: number;
  /** The Batch error code, e.g. `JobExists`, `PoolNotFound`, `RequestBodyTooLarge`. */
  readonly code: string;
  readonly serviceMessage: string;
  readonly values: { key?: string; value?: string }[];
  readonly requestId?: string;
  readonly clientRequestId?: string;

  constructor(init: { statusCode: number; body?: BatchErrorBody; requestId?: string; clientRequestId?: string; method: string; path: string }) {
    const code = init.body?.code ?? `HTTP${init.statusCode}`;
    // The service appends "RequestId:...\nTime:..." to its message; the request id is shown once, below.
    const serviceMessage = (init.body?.message?.value ?? "")
      .split("\n")
      .filter((line) => !/^(RequestId|Time):/.test(line.trim()))
      .join(" ")
      .trim();
    const values = init.body?.values ?? [];
    const details = values
      .filter((v) => v.key && !/^(RequestId|Time)$/.test(v.key))
      .map((v) => `${v.key}=${v.value ?? ""}`)
      .join(", ");
    const parts = [`${code}: ${serviceMessage || "no message"}`];
    if (details) parts.push(`[${details}]`);
    parts.push(`(HTTP ${init.statusCode} on ${init.method} ${init.path}${init.requestId ? `, request-id ${init.requestId}` : ""})`);
    super(parts.join(" "));
    this.statusCode = init.statusCode;
    this.code = code;
    this.serviceMessage = serviceMessage;
    this.values = values;
    this.requestId = init.requestId;
    this.clientRequestId = init.clientRequestId;
  }
}

/**
 * Parses a Batch error body. A body that is not one (an HTML page from a proxy, garbage, nothing)
 * is described rather than quoted: its type and size say enough, and its text could be anything.
 */
export function parseErrorBody(text: string, contentType?: string): BatchErrorBody | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as BatchErrorBody;
    if (typeof parsed === "object" && parsed !== null && (typeof parsed.code === "string" || typeof parsed.message?.value === "string")) return parsed;
  } catch {
    // described below
  }
  return { message: { value: `the response is not a Batch error (${contentType || "no content type"}, ${Buffer.byteLength(text)} bytes)` } };
}

/**
 * The service answered something a Batch service does not: a redirect, an empty or non-JSON body
 * where JSON belongs, a list whose next page repeats one already read. One line with the call,
 * the status and the request id.
 */
export class UnexpectedResponseError extends Error {
  override readonly name = "UnexpectedResponseError";
  constructor(
    readonly method: string,
    readonly path: string,
    readonly statusCode: number,
    what: string,
    readonly requestId?: string,
  ) {
    super(`${method} ${path}: HTTP ${statusCode} ${what}${requestId ? ` (request-id ${requestId})` : ""}`);
  }
}
