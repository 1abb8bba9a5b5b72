/**
 * The Azure Resource Manager client, for what only the management plane can do (a pool with a
 * managed identity). The same pipeline as the data plane — User-Agent, request id, retry (429 with
 * Retry-After waited out), bearer token, log — with the management scope and ARM's error shape
 * (`{ error: { code, message, details } }`) turned into one line with ARM's request ids.
 */
import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/identity";
import type { Redactor } from "../redact.js";
import { parseJson } from "./json.js";
import { UnexpectedResponseError } from "./errors.js";
import { createPipeline, type PipelineRequest, type PipelineResponse, type RequestHooks, type SendRequest } from "./pipeline.js";
import { bearerTokenPolicy } from "./policies/bearerTokenPolicy.js";
import { logPolicy } from "./policies/logPolicy.js";
import { retryPolicy, type RetryOptions } from "./policies/retryPolicy.js";
import { userAgentPolicy } from "./policies/userAgentPolicy.js";

export const ARM_ENDPOINT = "https://management.azure.com";
/** The management plane's scope (a single slash here, unlike Batch's). */
export const ARM_SCOPE = "https://management.azure.com/.default";

export interface ArmOptions {
  credential: TokenCredential;
  /** Default `https://management.azure.com`; the local Batch service serves ARM under a path of its own. */
  endpoint?: string;
  /** The token scope of that cloud's ARM (default the public cloud's). */
  scope?: string;
}

/** An error answer of Azure Resource Manager, with the ids its support asks for. */
export class ArmError extends Error {
  override readonly name = "ArmError";
  readonly statusCode: number;
  readonly code: string;
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly details: { code?: string; message?: string }[];

  constructor(init: { statusCode: number; bodyText: string; method: string; path: string; headers: Record<string, string> }) {
    let error: { code?: string; message?: string; details?: { code?: string; message?: string }[] } | undefined;
    try {
      error = (JSON.parse(init.bodyText) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    const code = error?.code ?? `HTTP${init.statusCode}`;
    const details = error?.details ?? [];
    const requestId = init.headers["x-ms-request-id"];
    const correlationId = init.headers["x-ms-correlation-request-id"];
    const ids = [requestId && `x-ms-request-id ${requestId}`, correlationId && `x-ms-correlation-request-id ${correlationId}`].filter(Boolean).join(", ");
    const more = details.length ? ` [${details.map((d) => `${d.code ?? "?"}: ${d.message ?? ""}`).join("; ")}]` : "";
    super(`${code}: ${error?.message ?? "no message"}${more} (HTTP ${init.statusCode} on ${init.method} ${init.path}${ids ? `, ${ids}` : ""})`);
    this.statusCode = init.statusCode;
    this.code = code;
    this.requestId = requestId;
    this.correlationId = correlationId;
    this.details = details;
  }
}

export interface ArmCallOptions {
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  idempotent?: boolean;
  accept?: number[];
  signal?: AbortSignal;
}

export class ArmClient {
  readonly endpoint: URL;
  private readonly pipeline: SendRequest;
  private readonly timeoutMs: number;
  private hooks: RequestHooks;

  constructor(
    options: ArmOptions & { retry?: RetryOptions; hooks?: RequestHooks; userAgentPrefix?: string; timeoutMs: number },
    private readonly transport: SendRequest,
    readonly redactor: Redactor,
  ) {
    this.endpoint = new URL(options.endpoint ?? ARM_ENDPOINT);
    this.hooks = options.hooks ?? {};
    this.pipeline = createPipeline(
      [
        userAgentPolicy(options.userAgentPrefix),
        { name: "armRequestIdPolicy", sendRequest: (request, next) => ((request.headers["x-ms-client-request-id"] ??= randomUUID()), next(request)) },
        retryPolicy(options.retry),
        bearerTokenPolicy(options.credential, { scope: options.scope ?? ARM_SCOPE, onToken: (t) => redactor.add(t) }),
        logPolicy(redactor),
      ],
      this.transport,
    );
    this.timeoutMs = options.timeoutMs;
  }

  withHooks(hooks: RequestHooks): ArmClient {
    const view = Object.create(this) as ArmClient;
    view.hooks = { ...this.hooks, ...hooks };
    return view;
  }

  async send(method: PipelineRequest["method"], path: string | URL, options: ArmCallOptions = {}): Promise<PipelineResponse> {
    const url = typeof path === "string" ? new URL(this.endpoint.toString().replace(/\/$/, "") + path) : path;
    if (typeof path === "string") for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: "application/json", ...(options.headers ?? {}) };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: PipelineResponse;
    try {
      response = await this.pipeline({
        method,
        url,
        headers,
        body,
        idempotent: options.idempotent ?? method !== "POST",
        signal: options.signal,
        timeoutMs: this.timeoutMs,
        hooks: this.hooks,
      });
    } catch (error) {
      throw this.redactor.error(error);
    }
    if (response.status >= 300 && response.status < 400 && !(options.accept ?? []).includes(response.status)) {
      throw this.redactor.error(
        new UnexpectedResponseError(method, url.pathname, response.status, "redirects; not followed", response.headers["x-ms-request-id"]),
      );
    }
    if (response.status >= 400 && !(options.accept ?? []).includes(response.status)) {
      throw this.redactor.error(
        new ArmError({ statusCode: response.status, bodyText: response.bodyText, method, path: url.pathname, headers: response.headers }),
      );
    }
    return response;
  }

  async json<T>(method: PipelineRequest["method"], path: string | URL, options: ArmCallOptions = {}): Promise<T> {
    return parseJson<T>(await this.send(method, path, options), method);
  }

  /** Every item of an ARM list, following `nextLink` on the same host only and never twice. */
  async *list<T>(path: string, options: ArmCallOptions = {}): AsyncGenerator<T> {
    let next: string | URL = path;
    let first = true;
    const followed = new Set<string>();
    while (next) {
      const page: { value?: T[]; nextLink?: string } = await this.json("GET", next, first ? options : { signal: options.signal });
      first = false;
      for (const item of page.value ?? []) yield item;
      if (!page.nextLink) return;
      const url = new URL(page.nextLink, this.endpoint);
      if (url.origin !== this.endpoint.origin || followed.has(url.href)) {
        throw new UnexpectedResponseError(
          "GET",
          url.pathname,
          200,
          url.origin !== this.endpoint.origin ? `with a nextLink to another host (${url.origin}); not followed` : "with a nextLink to a page already read",
        );
      }
      followed.add(url.href);
      next = url;
    }
  }
}
