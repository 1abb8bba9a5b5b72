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

/** Parses a Batch error body; tolerant of non-JSON bodies from proxies. */
export function parseErrorBody(text: string): BatchErrorBody | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as BatchErrorBody;
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return { message: { value: text.slice(0, 200) } };
  }
}
