/**
 * The Batch data-plane client: builds URLs with the api-version, runs the pipeline
 * (User-Agent -> request id -> retry -> auth -> log -> undici), turns error bodies into
 * `BatchServiceError`, and pages through lists with `odata.nextLink`.
 *
 * Every error it throws is already redacted with its own secrets (the account key, the bearer
 * tokens it obtained, SAS query strings); the run adds the workload's.
 */
import type { TokenCredential } from "@azure/identity";
import { API_VERSION, timeoutParameter, type ApiVersion } from "../batch/apiVersion.js";
import { Redactor } from "../redact.js";
import { BatchServiceError, parseErrorBody, UnexpectedResponseError } from "./errors.js";
import { createPipeline, type PipelinePolicy, type PipelineRequest, type PipelineResponse, type RequestHooks, type SendRequest } from "./pipeline.js";
import { bearerTokenPolicy } from "./policies/bearerTokenPolicy.js";
import { logPolicy } from "./policies/logPolicy.js";
import { requestIdPolicy } from "./policies/requestIdPolicy.js";
import { retryPolicy, type RetryOptions } from "./policies/retryPolicy.js";
import { sharedKeyPolicy } from "./policies/sharedKeyPolicy.js";
import { userAgentPolicy } from "./policies/userAgentPolicy.js";
import { JsonText, parseJson } from "./json.js";
import { createUndiciTransport } from "./transport.js";
import { ArmClient, type ArmOptions } from "./armClient.js";

export type BatchAuth =
  | { kind: "sharedKey"; accountName: string; accountKey: string }
  | { kind: "entra"; credential: TokenCredential; /** The Batch token scope of the account's cloud (default the public cloud's). */ scope?: string }
  | { kind: "none" };

export interface BatchClientOptions {
  accountUrl: string;
  auth: BatchAuth;
  /** The data plane's api-version (default 2025-06-01); each call is written in that version's wire format. */
  apiVersion?: ApiVersion;
  retry?: RetryOptions;
  /** Per-attempt timeout (default 60 s, and never more than `callTimeoutMs`). */
  timeoutMs?: number;
  /**
   * The most one call may take with its failure retries (default 5 minutes); also bounds each
   * attempt and the waits for response headers and body chunks. Throttling has its own budget
   * (`retry.maxThrottleTimeMs`).
   */
  callTimeoutMs?: number;
  /** Put before `azure-batch-run/<version>` in the User-Agent, e.g. `azure-batch-run-action/1.0`. */
  userAgentPrefix?: string;
  /** Retry and HTTP log hooks for every call; a view from `withHooks` can replace them. */
  hooks?: RequestHooks;
  /** Replaces the undici transport (tests, recorders). */
  transport?: SendRequest;
  /** Extra policies run inside the retry loop, after authentication (recorders, fault injection). */
  policies?: PipelinePolicy[];
  /** Azure Resource Manager, for pools with a managed identity: a credential (Entra ID), and the endpoint. */
  arm?: ArmOptions;
}

/**
 * Query parameters. `timeout` (the service's own time limit, in seconds) is written as the
 * client's api-version spells it (`timeOut` from 2025-06-01 on).
 */
export type Query = Record<string, string | number | boolean | undefined>;

export interface CallOptions {
  query?: Query;
  /** Sent as JSON; a `JsonText` is sent as the text it holds (already serialized). */
  body?: unknown;
  /** Defaults to true except for POST. */
  idempotent?: boolean;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Statuses that are not errors for this call (e.g. 404 on an existence check). */
  accept?: number[];
}

/** `application/json; odata=minimalmetadata` is what the Batch service expects on bodies. */
export const BATCH_CONTENT_TYPE = "application/json; odata=minimalmetadata";

export class BatchClient {
  readonly accountUrl: URL;
  /** The api-version of every data-plane call this client makes. */
  readonly apiVersion: ApiVersion;
  /** Hides this client's secrets: the account key, the tokens it obtained, SAS query strings. */
  readonly redactor: Redactor;
  private readonly pipeline: SendRequest;
  private readonly timeoutMs: number;
  private readonly closeTransport: () => Promise<void>;
  private hooks: RequestHooks;
  /** The management-plane client, when the client was given an Entra ID credential for it. */
  readonly arm?: ArmClient;

  constructor(options: BatchClientOptions) {
    this.accountUrl = new URL(options.accountUrl);
    this.apiVersion = options.apiVersion ?? API_VERSION;
    const callTimeoutMs = options.callTimeoutMs ?? options.retry?.maxRetryTimeMs ?? 5 * 60_000;
    this.timeoutMs = Math.min(options.timeoutMs ?? 60_000, callTimeoutMs);
    this.hooks = options.hooks ?? {};
    const redactor = new Redactor(options.auth.kind === "sharedKey" ? [options.auth.accountKey] : []);
    this.redactor = redactor;
    const wait = Math.min(30_000, this.timeoutMs);
    const undici = options.transport ? undefined : createUndiciTransport({ headersTimeoutMs: wait, bodyTimeoutMs: wait });
    this.closeTransport = async () => undici?.close();
    const auth: PipelinePolicy[] =
      options.auth.kind === "sharedKey"
        ? [sharedKeyPolicy(options.auth.accountName, options.auth.accountKey)]
        : options.auth.kind === "entra"
          ? [bearerTokenPolicy(options.auth.credential, { scope: options.auth.scope, onToken: (t) => redactor.add(t) })]
          : [];
    const transport = options.transport ?? (undici as { send: SendRequest }).send;
    this.pipeline = createPipeline(
      [
        userAgentPolicy(options.userAgentPrefix),
        requestIdPolicy(),
        retryPolicy({ maxRetryTimeMs: callTimeoutMs, ...options.retry }),
        ...auth,
        logPolicy(redactor),
        ...(options.policies ?? []),
      ],
      transport,
    );
    if (options.arm) {
      this.arm = new ArmClient(
        {
          ...options.arm,
          retry: { maxRetryTimeMs: callTimeoutMs, ...options.retry },
          hooks: options.hooks,
          userAgentPrefix: options.userAgentPrefix,
          timeoutMs: this.timeoutMs,
        },
        transport,
        redactor,
      );
    }
  }

  /**
   * A view of this client whose calls report to other hooks (a run's reporter, an invocation's
   * log); it shares the connections and credentials. Close the client, not its views.
   */
  withHooks(hooks: RequestHooks): BatchClient {
    const view = Object.create(this) as BatchClient;
    view.hooks = { ...this.hooks, ...hooks };
    return view;
  }

  /**
   * A view of this client whose calls use another api-version (a workload's `account.apiVersion`);
   * it shares the connections, credentials and hooks. The same client when the version is its own.
   */
  withApiVersion(apiVersion: ApiVersion | undefined): BatchClient {
    if (apiVersion === undefined || apiVersion === this.apiVersion) return this;
    const view = Object.create(this) as BatchClient;
    Object.defineProperty(view, "apiVersion", { value: apiVersion, enumerable: true });
    return view;
  }

  /** The full URL of a path with the api-version and the query. */
  url(path: string, query: Query = {}): URL {
    const url = new URL(this.accountUrl.toString().replace(/\/$/, "") + path);
    const params = new URLSearchParams({ "api-version": this.apiVersion });
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined) params.set(k === "timeout" || k === "timeOut" ? timeoutParameter(this.apiVersion) : k, String(v));
    }
    // URLSearchParams writes spaces as "+", which the service reads as spaces too; %20 is plainer.
    url.search = params.toString().replace(/\+/g, "%20");
    return url;
  }

  /** Sends one call; throws `BatchServiceError` for HTTP errors not listed in `accept`. */
  async send(method: PipelineRequest["method"], pathOrUrl: string | URL, options: CallOptions = {}): Promise<PipelineResponse> {
    const url = typeof pathOrUrl === "string" ? this.url(pathOrUrl, options.query) : pathOrUrl;
    const body = options.body === undefined ? undefined : JsonText.is(options.body) ? options.body.text : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: "application/json", ...(options.headers ?? {}) };
    if (body !== undefined) headers["content-type"] = BATCH_CONTENT_TYPE;
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
      // Never followed: credentials go to the account's host only, and Batch does not redirect.
      const location = response.headers.location;
      const where = location ? ` to ${safeOrigin(location, this.accountUrl)}` : "";
      throw this.redactor.error(
        new UnexpectedResponseError(
          method,
          url.pathname,
          response.status,
          `redirects${where}; not followed (a Batch service does not redirect)`,
          response.headers["request-id"],
        ),
      );
    }
    if (response.status >= 400 && !(options.accept ?? []).includes(response.status)) {
      throw this.redactor.error(
        new BatchServiceError({
          statusCode: response.status,
          body: parseErrorBody(response.bodyText, response.headers["content-type"]),
          requestId: response.headers["request-id"],
          clientRequestId: response.headers["client-request-id"] ?? headers["client-request-id"],
          method,
          path: url.pathname,
        }),
      );
    }
    return response;
  }

  /** Sends one call whose answer is a JSON object; anything else is an `UnexpectedResponseError`. */
  async json<T>(method: PipelineRequest["method"], path: string | URL, options: CallOptions = {}): Promise<T> {
    return parseJson<T>(await this.send(method, path, options), method);
  }

  /**
   * Every item of a list, page by page, following `odata.nextLink` on the same account only; a
   * next link that repeats one already followed ends the listing with an error instead of a loop.
   * `onPage` is told of each page fetched.
   */
  async *list<T>(path: string, options: CallOptions & { onPage?: () => void } = {}): AsyncGenerator<T> {
    let next: string | URL = path;
    let first = true;
    const followed = new Set<string>();
    while (next) {
      const response: PipelineResponse = await this.send("GET", next, first ? options : { signal: options.signal, headers: options.headers });
      first = false;
      options.onPage?.();
      const page = parseJson<{ value?: T[]; "odata.nextLink"?: string }>(response, "GET");
      if (page.value !== undefined && !Array.isArray(page.value)) {
        throw new UnexpectedResponseError(
          "GET",
          response.request?.url?.pathname ?? "?",
          response.status,
          "with a list whose value is not an array",
          response.headers["request-id"],
        );
      }
      for (const item of page.value ?? []) yield item;
      const link = page["odata.nextLink"];
      if (!link) return;
      const nextUrl = new URL(link, this.accountUrl);
      if (nextUrl.origin !== this.accountUrl.origin) {
        throw new UnexpectedResponseError(
          "GET",
          response.request.url.pathname,
          response.status,
          `with an odata.nextLink to another host (${nextUrl.origin}); not followed: credentials go to ${this.accountUrl.origin} only`,
          response.headers["request-id"],
        );
      }
      if (followed.has(nextUrl.href)) {
        throw new UnexpectedResponseError(
          "GET",
          response.request.url.pathname,
          response.status,
          "with an odata.nextLink to a page already read; the listing would never end",
          response.headers["request-id"],
        );
      }
      followed.add(nextUrl.href);
      next = nextUrl;
    }
  }

  async close(): Promise<void> {
    await this.closeTransport();
  }
}

/** The origin of a redirect target, never its path or query (which may hold a token). */
function safeOrigin(location: string, base: URL): string {
  try {
    return new URL(location, base).origin;
  } catch {
    return "an unreadable location";
  }
}
