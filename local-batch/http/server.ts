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
import { BatchErrors, BatchHttpError } from "../errors.js";
import type { Reply, ServiceContext } from "../state.js";
import { misbehave, type FaultInjector } from "../faults.js";
import { ArmHttpError, armHeaders, isArmPath, routeArm } from "../resources/arm.js";
import { isConsolePath, serveConsole } from "./console.js";
import { isPackageStorePath, servePackageStore } from "./packageStorage.js";

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
      throw BatchErrors.invalidBody(`${k} is not a property of api-version 2025-06-01: ${why}`, p);
    }
    refuseRemovedProperties(v, p);
  }
}

/** The Batch error body as raw bytes, for answers written straight to a socket. */
export function rawBatchError(status: number, reason: string, error: BatchHttpError): string {
  const body = JSON.stringify(error.body());
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json;odata=minimalmetadata\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/** One request on its way through the spine: what the steps read, and what they add to it. */
interface InFlight {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  requestId: string;
  url: URL;
  bodyText: string;
  size: number;
  /** The body once parsed (kept for the recorder, whatever the answer). */
  body?: unknown;
}

/**
 * The service's spine: each request goes through the same named steps, in this order —
 * 1. `parsePath`: a plain path, or 400 InvalidUri;
 * 2. `readBody`: the body, counted to its limit (a peer gone mid-body gets no answer);
 * 3. faults asked for by tests (a reset before anything is read);
 * 4. the ARM side (`serveArm`: bearer tokens, its own api-version and error shape), or
 * 5. `admit`: Shared Key or bearer, the injected faults, api-version, body size, JSON, depth,
 *    properties 2025-06-01 removed;
 * 6. the router, then `answer` (the recorder hears every answer), or `errorAnswer` for anything thrown.
 */
export function createRequestHandler(ctx: ServiceContext, faults: FaultInjector, route: Router) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const url = parsePath(req, ctx.baseUrl);
    if (!url) return refuseUri(res, requestId);
    // The web console: HTML for a browser, signed in by its login link (a browser cannot sign Shared Key).
    if (isConsolePath(url)) return serveConsole(ctx, req, res, url);
    // The package store: blobs of application packages, streamed (they may be far over a request body's limit).
    if (isPackageStorePath(url)) return servePackageStore(ctx, req, res, url).catch((error: unknown) => ctx.log(`package store: ${(error as Error).message}`));
    const read = await readBody(req);
    if (!read) return;
    const x: InFlight = { req, res, method: req.method ?? "GET", requestId, url, ...read };
    try {
      if ((await faults.before()) === "reset") return void req.socket.destroy();
      if (isArmPath(url)) return answer(ctx, x, await serveArm(ctx, x));
      const misbehavior = await admit(ctx, faults, x);
      if (misbehavior && misbehave(misbehavior, res)) return;
      const result = await route(x.method, url, x.body, req);
      if (misbehavior === "repeatNextLink" || misbehavior === "foreignNextLink") breakNextLink(result, url, misbehavior);
      if (x.method !== "GET" && x.method !== "HEAD") ctx.touch();
      if (faults.loseResponse(req, url)) return void req.socket.destroy();
      answer(ctx, x, result);
    } catch (error) {
      answer(ctx, x, errorAnswer(ctx, x, error));
    }
  };
}

/** Step 1: the request's path as a URL; undefined for anything but a plain path ("//x" is a host to the URL parser). */
function parsePath(req: IncomingMessage, baseUrl: string): URL | undefined {
  const raw = req.url ?? "/";
  if (!raw.startsWith("/") || raw.startsWith("//")) return undefined;
  try {
    return new URL(raw, baseUrl);
  } catch {
    return undefined;
  }
}

function refuseUri(res: ServerResponse, requestId: string): void {
  const text = JSON.stringify(BatchErrors.invalidUri().body(requestId));
  res.writeHead(400, {
    "content-type": "application/json;odata=minimalmetadata",
    "content-length": String(Buffer.byteLength(text)),
    "request-id": requestId,
    connection: "close",
  });
  res.end(text);
}

/** Step 2: the body, kept up to one byte over the limit (enough to know it is too large); undefined if the peer went away. */
async function readBody(req: IncomingMessage): Promise<{ bodyText: string; size: number } | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size <= MAX_BODY_BYTES + 1) chunks.push(c as Buffer);
    }
  } catch {
    return undefined;
  }
  return { bodyText: Buffer.concat(chunks).toString("utf8"), size };
}

/** Step 4: the management plane, over the same state. */
async function serveArm(ctx: ServiceContext, x: InFlight): Promise<Reply> {
  if (x.bodyText) x.body = JSON.parse(x.bodyText);
  const result = await routeArm(ctx, x.method, x.url, x.body, x.req);
  if (x.method !== "GET") ctx.touch();
  return {
    ...result,
    headers: {
      ...armHeaders(x.req),
      ...(result.body !== undefined ? { "content-type": "application/json; charset=utf-8" } : {}),
      ...(result.headers ?? {}),
    },
  };
}

/** Step 5: what Batch checks before it routes a request; returns the misbehaviour a test asked of this one, if any. */
async function admit(ctx: ServiceContext, faults: FaultInjector, x: InFlight) {
  authenticate(x.req, x.url, ctx.options);
  faults.authorize(x.method, x.url);
  await faults.delay(x.method, x.url);
  const misbehavior = faults.misbehavior(x.method, x.url);
  const apiVersion = x.url.searchParams.get("api-version");
  if (!apiVersion) throw BatchErrors.missingQueryParameter("api-version");
  if (!isApiVersion(apiVersion)) throw BatchErrors.unsupportedApiVersion(apiVersion, API_VERSIONS);
  if (x.size > MAX_BODY_BYTES) throw BatchErrors.bodyTooLarge(String(MAX_BODY_BYTES));
  if (x.bodyText) {
    try {
      x.body = JSON.parse(x.bodyText);
    } catch {
      throw BatchErrors.invalidBody("the body is not JSON");
    }
    if (tooDeep(x.body)) throw BatchErrors.invalidBody(`the body nests more than ${MAX_BODY_DEPTH} levels`);
    if (apiVersion === "2025-06-01") refuseRemovedProperties(x.body);
  }
  return misbehavior;
}

/** A listing whose next link a test asked to be broken: the same page again, or a link to another host. */
function breakNextLink(result: Reply, url: URL, how: "repeatNextLink" | "foreignNextLink"): void {
  const link = new URL(url.href);
  if (how === "foreignNextLink") link.host = "elsewhere.example.net";
  (result.body as Record<string, unknown>)["odata.nextLink"] = link.href;
}

/** Step 6: the answer, written and told to the recorder. */
function answer(ctx: ServiceContext, x: InFlight, { status, body, headers: extra = {}, raw }: Reply): void {
  const { req, res } = x;
  const headers: Record<string, string> = { "request-id": x.requestId };
  if (req.headers["return-client-request-id"] === "true" && req.headers["client-request-id"])
    headers["client-request-id"] = String(req.headers["client-request-id"]);
  const all = { ...headers, ...extra };
  const shown = ctx.console.exchanges;
  shown.push({ at: Date.now(), method: x.method, path: x.url.pathname, status });
  if (shown.length > 2000) shown.splice(0, shown.length - 1000);
  ctx.options.onExchange?.({
    method: x.method,
    url: x.url.toString(),
    requestHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
    requestBody: x.body,
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
}

/** Anything a step threw, as the answer Batch (or ARM, on its side) would give. */
function errorAnswer(ctx: ServiceContext, x: InFlight, error: unknown): Reply {
  if (error instanceof ArmHttpError) return { status: error.status, body: error.body(), headers: armHeaders(x.req) };
  if (isArmPath(x.url) && error instanceof SyntaxError)
    return { status: 400, body: new ArmHttpError(400, "InvalidRequestContent", "The request content is not valid JSON.").body(), headers: armHeaders(x.req) };
  if (error instanceof URIError) return { status: 400, body: BatchErrors.invalidUri("The requested URI has a malformed percent-encoding.").body(x.requestId) };
  if (error instanceof BatchHttpError) return { status: error.status, body: error.body(x.requestId), headers: error.headers };
  ctx.log(`internal error: ${(error as Error).stack ?? error}`);
  return { status: 500, body: BatchErrors.internal().body(x.requestId) };
}
