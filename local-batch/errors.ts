/**
 * Errors the local service answers with, in the Batch error body format: one class, and one
 * factory (`BatchErrors`) with each code Batch answers and the message and values it gives, so that
 * the same failure reads the same wherever the service finds it.
 */
import { randomUUID } from "node:crypto";

type Values = { key: string; value: string }[];

export class BatchHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly values: Values = [],
    /** Headers the answer carries besides the body (a throttled request's retry-after). */
    readonly headers: Record<string, string> = {},
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

/** An error of the ARM side, in Azure Resource Manager's shape (`{ error: { code, message } }`). */
export class ArmHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { error: { code: this.code, message: this.message } };
  }
}

type Kind = "Pool" | "Job" | "Task" | "JobSchedule" | "File" | "Node";
const noun = (kind: Kind) => (kind === "JobSchedule" ? "job schedule" : kind.toLowerCase());
const SYNTAX = "The specified Request Body is not syntactically valid.";

/** Every error the local service answers with, by what happened. */
export const BatchErrors = {
  notFound: (kind: Kind, id: string) => new BatchHttpError(404, `${kind}NotFound`, `The specified ${noun(kind)} does not exist.`, [{ key: "Id", value: id }]),
  exists: (kind: Exclude<Kind, "File" | "Node">, id: string, reason?: string) =>
    new BatchHttpError(409, `${kind}Exists`, `The specified ${noun(kind)} already exists.`, [
      { key: "Id", value: id },
      ...(reason ? [{ key: "Reason", value: reason }] : []),
    ]),
  invalidBody: (reason: string, property?: string) =>
    new BatchHttpError(400, "InvalidRequestBody", SYNTAX, [...(property ? [{ key: "PropertyName", value: property }] : []), { key: "Reason", value: reason }]),
  invalidValue: (property: string, reason: string) =>
    new BatchHttpError(400, "InvalidPropertyValue", "The value provided for one of the properties in the request body is invalid.", [
      { key: "PropertyName", value: property },
      { key: "Reason", value: reason },
    ]),
  invalidUri: (message = "The requested URI is not a path the service knows.") => new BatchHttpError(400, "InvalidUri", message),
  invalidQueryValue: (name: string, value: string, reason: string) =>
    new BatchHttpError(400, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid.", [
      { key: "QueryParameterName", value: name },
      { key: "QueryParameterValue", value },
      { key: "Reason", value: reason },
    ]),
  missingQueryParameter: (name: string) =>
    new BatchHttpError(400, "MissingRequiredQueryParameter", "A query parameter that's mandatory for this request is not specified.", [
      { key: "QueryParameterName", value: name },
    ]),
  unsupportedApiVersion: (version: string, supported: readonly string[]) =>
    new BatchHttpError(400, "InvalidApiVersionParameter", `The api-version ${version} is not supported; the local service speaks ${supported.join(" and ")}.`, [
      { key: "QueryParameterName", value: "api-version" },
    ]),
  bodyTooLarge: (limit: string) =>
    new BatchHttpError(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.", [
      { key: "MaxLimit", value: limit },
    ]),
  unreadable: (status: number, code: string, detail: string) => new BatchHttpError(status, code, `The request could not be read: ${detail}.`),
  /** A conflict with the state of a resource (`JobCompleted`, `PoolBeingResized`, `NodeBeingRebooted`, ...). */
  conflict: (code: string, message: string, values: Values = []) => new BatchHttpError(409, code, message, values),
  authenticationFailed: (detail: string) =>
    new BatchHttpError(
      403,
      "AuthenticationFailed",
      "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
      [{ key: "AuthenticationErrorDetail", value: detail }],
    ),
  authorizationFailure: () => new BatchHttpError(403, "AuthorizationFailure", "This request is not authorized to perform this operation."),
  tooManyRequests: (headers: Record<string, string>) =>
    new BatchHttpError(429, "TooManyRequests", "The server is busy; retry after the given time.", [], headers),
  serverBusy: (headers: Record<string, string>) =>
    new BatchHttpError(503, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.", [], headers),
  internal: () => new BatchHttpError(500, "InternalServerError", "The server encountered an internal error. Please retry the request."),
};

/** The shorthands the resource handlers use most. */
export const { notFound, exists, invalidBody, invalidValue } = BatchErrors;
