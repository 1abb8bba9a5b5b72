/** Errors the local service answers with, in the Batch error body format. */
import { randomUUID } from "node:crypto";

export class BatchHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly values: { key: string; value: string }[] = [],
  ) {
    super(message);
  }

  body(requestId: string = randomUUID()): Record<string, unknown> {
    return {
      "odata.metadata": "https://localhost/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element",
      code: this.code,
      message: { lang: "en-US", value: `${this.message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}` },
      ...(this.values.length ? { values: this.values } : {}),
    };
  }
}

export const notFound = (kind: "Pool" | "Job" | "Task" | "JobSchedule" | "File" | "Node", id: string) =>
  new BatchHttpError(404, `${kind}NotFound`, `The specified ${kind === "JobSchedule" ? "job schedule" : kind.toLowerCase()} does not exist.`, [
    { key: "Id", value: id },
  ]);

export const exists = (kind: "Pool" | "Job" | "Task" | "JobSchedule", id: string) =>
  new BatchHttpError(409, `${kind}Exists`, `The specified ${kind === "JobSchedule" ? "job schedule" : kind.toLowerCase()} already exists.`, [
    { key: "Id", value: id },
  ]);

export const invalidBody = (reason: string, property?: string) =>
  new BatchHttpError(400, "InvalidRequestBody", "The specified Request Body is not syntactically valid.", [
    ...(property ? [{ key: "PropertyName", value: property }] : []),
    { key: "Reason", value: reason },
  ]);

export const invalidValue = (property: string, reason: string) =>
  new BatchHttpError(400, "InvalidPropertyValue", "The value provided for one of the properties in the request body is invalid.", [
    { key: "PropertyName", value: property },
    { key: "Reason", value: reason },
  ]);
