/**
 * The Batch data-plane client: URLs with the api-version, Batch's dialect (body content type,
 * `request-id`, `odata.nextLink`, error bodies as `BatchServiceError`) over the base every client
 * shares (`ServiceClient`: send, JSON, paging, hooks) and the one pipeline builder.
 *
 * Every error it throws is already redacted with its own secrets (the account key, the bearer
 * tokens it obtained, SAS query strings); the run adds the workload's.
 */
import type { TokenCredential } from "@azure/identity";
import { API_VERSION, timeoutParameter, type ApiVersion } from "../batch/apiVersion.js";
import { Redactor } from "../redact.js";
import { ArmClient, type ArmOptions } from "./armClient.js";
import { buildPipeline } from "./buildPipeline.js";
import { BatchServiceError, parseErrorBody } from "./errors.js";
import type { PipelinePolicy, RequestHooks, SendRequest } from "./pipeline.js";
import type { RetryOptions } from "./policies/retryPolicy.js";
import { ServiceClient, type BaseCallOptions, type ServiceDialect } from "./serviceClient.js";
import { createUndiciTransport } from "./transport.js";

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

export interface CallOptions extends BaseCallOptions {
  query?: Query;
}

/** `application/json; odata=minimalmetadata` is what the Batch service expects on bodies. */
export const BATCH_CONTENT_TYPE = "application/json; odata=minimalmetadata";

/** How the Batch data plane speaks. */
const BATCH_DIALECT: ServiceDialect = {
  contentType: BATCH_CONTENT_TYPE,
  requestIdHeader: "request-id",
  nextLinkProperty: "odata.nextLink",
  redirectNote: "(a Batch service does not redirect)",
  failure: (response, { method, url, headers }) =>
    new BatchServiceError({
      statusCode: response.status,
      body: parseErrorBody(response.bodyText, response.headers["content-type"]),
      requestId: response.headers["request-id"],
      clientRequestId: response.headers["client-request-id"] ?? headers["client-request-id"],
      method,
      path: url.pathname,
    }),
};

export class BatchClient extends ServiceClient<CallOptions> {
  readonly accountUrl: URL;
  /** The api-version of every data-plane call this client makes. */
  readonly apiVersion: ApiVersion;
  private readonly closeTransport: () => Promise<void>;
  /** The management-plane client, when the client was given an Entra ID credential for it. */
  readonly arm?: ArmClient;

  constructor(options: BatchClientOptions) {
    const accountUrl = new URL(options.accountUrl);
    const callTimeoutMs = options.callTimeoutMs ?? options.retry?.maxRetryTimeMs ?? 5 * 60_000;
    const timeoutMs = Math.min(options.timeoutMs ?? 60_000, callTimeoutMs);
    const redactor = new Redactor(options.auth.kind === "sharedKey" ? [options.auth.accountKey] : []);
    const wait = Math.min(30_000, timeoutMs);
    const undici = options.transport ? undefined : createUndiciTransport({ headersTimeoutMs: wait, bodyTimeoutMs: wait });
    const transport = options.transport ?? (undici as { send: SendRequest }).send;
    const retry = { maxRetryTimeMs: callTimeoutMs, ...options.retry };
    const { auth } = options;
    const pipeline = buildPipeline(
      {
        dialect: "batch",
        auth: auth.kind === "entra" ? { kind: "bearer", credential: auth.credential, scope: auth.scope } : auth,
        retry,
        redactor,
        userAgentPrefix: options.userAgentPrefix,
        policies: options.policies,
      },
      transport,
    );
    super(accountUrl, BATCH_DIALECT, pipeline, timeoutMs, redactor, options.hooks);
    this.accountUrl = accountUrl;
    this.apiVersion = options.apiVersion ?? API_VERSION;
    this.closeTransport = async () => undici?.close();
    if (options.arm) {
      this.arm = new ArmClient({ ...options.arm, retry, hooks: options.hooks, userAgentPrefix: options.userAgentPrefix, timeoutMs }, transport, redactor);
    }
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

  protected urlOf(path: string, options: CallOptions): URL {
    return this.url(path, options.query);
  }

  async close(): Promise<void> {
    await this.closeTransport();
  }
}
