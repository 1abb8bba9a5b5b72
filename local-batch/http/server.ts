/**
 * The HTTP side of the local Batch service: reads the request within its limits, applies the
 * faults asked for, checks the Shared Key signature and the api-version, hands the request to the
 * router and writes its answer (or the Batch error body) back, telling the recorder about both.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { API_VERSIONS, isApiVersion, REMOVED_IN_2025 } from "../../shared/batch/apiVersion.js";
import { SERVICE_MAX_BODY_BYTES } from "../../shared/batch/limits.js";
import { authenticate } from "../auth.js";
import { BatchHttpError } from "../errors.js";
import type { Reply, ServiceContext } from "../state.js";
import { misbehave, type FaultInjector } from "../faults.js";
import { ArmHttpError, armHeaders, isArmPath, routeArm } from "../resources/arm.js";

/** Batch's limit on a request body. */
export const MAX_BODY_BYTES = SERVICE_MAX_BODY_BYTES;

export type Router = (method: string, url: URL, body: unknown, req: IncomingMessage) => Promise<Reply> | Reply;

/** Nesting a request body may have; Batch's own bodies need about ten levels. */
const MAX_BODY_DEPTH = 64;

/** Recursion at most MAX_BODY_DEPTH deep: no stack of tuples to allocate for every value of every body. */
function tooDeep(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== "object") return false;
  if (depth >= MAX_BODY_DEPTH) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (tooDeep(v, depth + 1)) return true;
    return false;
  }
  for (const k in value) if (tooDeep((value as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

/** Properties 2025-06-01 removed (certificates, node communication mode, resource tags), wherever they stand in a body. */
function refuseRemovedProperties(body: unknown, path = ""): void {
  if (body === null || typeof body !== "object") return;
  for (const [k, v] of Object.entries(body)) {
    const p = Array.isArray(body) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    const why = Array.isArray(body) ? undefined : REMOVED_IN_2025[k];
    if (why !== undefined) {
      throw new BatchHttpError(400, "InvalidRequestBody", "The specified Request Body is not syntactically valid.", [
        { key: "PropertyName", value: p },
        { key: "Reason", value: `${k} is not a property of api-version 2025-06-01: ${why}` },
      ]);
    }
    refuseRemovedProperties(v, p);
  }
}

/** The Batch error body as raw bytes, for answers written straight to a socket. */
export function rawBatchError(status: number, reason: string, error: BatchHttpError): string {
  const body = JSON.stringify(error.body());
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json;odata=minimalmetadata\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

// eslint-disable-next-line max-lines-per-function -- the request's steps in order (limits, body, auth, route, answer, errors) over one request's state
export function createRequestHandler(ctx: ServiceContext, faults: FaultInjector, route: Router) {
  // eslint-disable-next-line max-lines-per-function -- the same steps, as the handler the server calls
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    let url: URL;
    try {
      // A path like "//" is a URL with a host and no path to the URL parser: refuse what is not a plain path.
      if (!(req.url ?? "/").startsWith("/") || (req.url ?? "").startsWith("//")) throw new TypeError("not a path");
      url = new URL(req.url ?? "/", ctx.baseUrl);
    } catch {
      const text = JSON.stringify(new BatchHttpError(400, "InvalidUri", "The requested URI is not a path the service knows.").body(requestId));
      res.writeHead(400, {
        "content-type": "application/json;odata=minimalmetadata",
        "content-length": String(Buffer.byteLength(text)),
        "request-id": requestId,
        connection: "close",
      });
      res.end(text);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size <= MAX_BODY_BYTES + 1) chunks.push(c as Buffer);
      }
    } catch {
      // The client went away mid-body: nobody to answer.
      return;
    }
    const bodyText = Buffer.concat(chunks).toString("utf8");
    const headers: Record<string, string> = { "request-id": requestId };
    if (req.headers["return-client-request-id"] === "true" && req.headers["client-request-id"])
      headers["client-request-id"] = String(req.headers["client-request-id"]);
    let parsedBody: unknown;

    const reply = ({ status, body, headers: extra = {}, raw }: Reply) => {
      const all = { ...headers, ...extra };
      ctx.options.onExchange?.({
        method: req.method ?? "GET",
        url: url.toString(),
        requestHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        requestBody: parsedBody,
        status,
        responseHeaders: all,
        responseBody: raw ? raw.toString("utf8") : body,
      });
      if (raw) {
        res.writeHead(status, all);
        res.end(req.method === "HEAD" ? undefined : raw);
        return;
      }
      if (body === undefined) {
        res.writeHead(status, all);
        res.end();
        return;
      }
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json;odata=minimalmetadata", "content-length": String(Buffer.byteLength(text)), ...all });
      res.end(text);
    };

    try {
      if ((await faults.before()) === "reset") return void req.socket.destroy();
      if (isArmPath(url)) {
        // The management plane: bearer tokens, its own api-version and error shape.
        if (bodyText) parsedBody = JSON.parse(bodyText);
        const result = routeArm(ctx, req.method ?? "GET", url, parsedBody, req);
        if (req.method !== "GET") ctx.touch();
        return reply({
          ...result,
          headers: {
            ...armHeaders(req),
            ...(result.body !== undefined ? { "content-type": "application/json; charset=utf-8" } : {}),
            ...(result.headers ?? {}),
          },
        });
      }
      authenticate(req, url, ctx.options);
      faults.authorize(req.method ?? "GET", url);
      await faults.delay(req.method ?? "GET", url);
      const bad = faults.misbehavior(req.method ?? "GET", url);
      if (bad && misbehave(bad, res)) return;
      const apiVersion = url.searchParams.get("api-version");
      if (!isApiVersion(apiVersion)) {
        throw new BatchHttpError(
          400,
          apiVersion ? "InvalidApiVersionParameter" : "MissingRequiredQueryParameter",
          apiVersion
            ? `The api-version ${apiVersion} is not supported; the local service speaks ${API_VERSIONS.join(" and ")}.`
            : "A query parameter that's mandatory for this request is not specified.",
          [{ key: "QueryParameterName", value: "api-version" }],
        );
      }
      if (size > MAX_BODY_BYTES) {
        throw new BatchHttpError(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.", [
          { key: "MaxLimit", value: String(MAX_BODY_BYTES) },
        ]);
      }
      if (bodyText) {
        try {
          parsedBody = JSON.parse(bodyText);
        } catch {
          throw new BatchHttpError(400, "InvalidRequestBody", "The specified Request Body is not syntactically valid.", [
            { key: "Reason", value: "the body is not JSON" },
          ]);
        }
        if (tooDeep(parsedBody)) {
          throw new BatchHttpError(400, "InvalidRequestBody", "The specified Request Body is not syntactically valid.", [
            { key: "Reason", value: `the body nests more than ${MAX_BODY_DEPTH} levels` },
          ]);
        }
        if (apiVersion === "2025-06-01") refuseRemovedProperties(parsedBody);
      }
      const result = await route(req.method ?? "GET", url, parsedBody, req);
      if (bad === "repeatNextLink" || bad === "foreignNextLink") {
        const link = new URL(url.href);
        if (bad === "foreignNextLink") link.host = "elsewhere.example.net";
        (result.body as Record<string, unknown>)["odata.nextLink"] = link.href;
      }
      if (req.method !== "GET" && req.method !== "HEAD") ctx.touch();
      if (faults.loseResponse(req, url)) return void req.socket.destroy();
      reply(result);
    } catch (error) {
      if (error instanceof ArmHttpError) {
        reply({ status: error.status, body: error.body(), headers: armHeaders(req) });
      } else if (isArmPath(url) && error instanceof SyntaxError) {
        reply({ status: 400, body: new ArmHttpError(400, "InvalidRequestContent", "The request content is not valid JSON.").body(), headers: armHeaders(req) });
      } else if (error instanceof URIError) {
        reply({ status: 400, body: new BatchHttpError(400, "InvalidUri", "The requested URI has a malformed percent-encoding.").body(requestId) });
      } else if (error instanceof BatchHttpError) {
        reply({ status: error.status, body: error.body(requestId), headers: (error as BatchHttpError & { headers?: Record<string, string> }).headers ?? {} });
      } else {
        ctx.log(`internal error: ${(error as Error).stack ?? error}`);
        reply({
          status: 500,
          body: new BatchHttpError(500, "InternalServerError", "The server encountered an internal error. Please retry the request.").body(requestId),
        });
      }
    }
  };
}
