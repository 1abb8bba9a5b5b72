/**
 * The Azure Resource Manager client, for what only the management plane can do (a pool with a
 * managed identity, quotas, application packages). The same base and pipeline builder as the data
 * plane — User-Agent, request id, retry (429 with Retry-After waited out), bearer token, log — with
 * the management scope, `nextLink` paging and ARM's error shape (`{ error: { code, message,
 * details } }`) turned into one line with ARM's request ids.
 */
import type { TokenCredential } from "@azure/identity";
import type { Redactor } from "../redact.js";
import { buildPipeline } from "./buildPipeline.js";
import type { RequestHooks, SendRequest } from "./pipeline.js";
import type { RetryOptions } from "./policies/retryPolicy.js";
import { ServiceClient, type BaseCallOptions, type ServiceDialect } from "./serviceClient.js";

export const ARM_ENDPOINT = "https://management.azure.com";
/** The management plane's scope (a single slash here, unlike Batch's). */
export const ARM_SCOPE = "https://management.azure.com/.default";

export interface ArmOptions {
  credential: TokenCredential;
  /** Default `https://management.azure.com`; the local Batch service serves ARM under a path of its own. */
  endpoint?: string;
  /** The token scope of that cloud's ARM (default the public cloud's). */
  scope?: string;
  /** The account's subscription when the client knows it (the local service's); a spec's `account.subscription` comes first. */
  subscription?: string;
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

export interface ArmCallOptions extends BaseCallOptions {
  query?: Record<string, string>;
}

/** How Azure Resource Manager speaks. */
const ARM_DIALECT: ServiceDialect = {
  contentType: "application/json",
  requestIdHeader: "x-ms-request-id",
  nextLinkProperty: "nextLink",
  failure: (response, { method, url }) =>
    new ArmError({ statusCode: response.status, bodyText: response.bodyText, method, path: url.pathname, headers: response.headers }),
};

export class ArmClient extends ServiceClient<ArmCallOptions> {
  readonly endpoint: URL;
  readonly subscription?: string;

  constructor(
    options: ArmOptions & { retry?: RetryOptions; hooks?: RequestHooks; userAgentPrefix?: string; timeoutMs: number },
    transport: SendRequest,
    redactor: Redactor,
  ) {
    const endpoint = new URL(options.endpoint ?? ARM_ENDPOINT);
    const pipeline = buildPipeline(
      {
        dialect: "arm",
        auth: { kind: "bearer", credential: options.credential, scope: options.scope ?? ARM_SCOPE },
        retry: options.retry ?? {},
        redactor,
        userAgentPrefix: options.userAgentPrefix,
      },
      transport,
    );
    super(endpoint, ARM_DIALECT, pipeline, options.timeoutMs, redactor, options.hooks);
    this.endpoint = endpoint;
    this.subscription = options.subscription;
  }

  protected urlOf(path: string, options: ArmCallOptions): URL {
    const url = new URL(this.endpoint.toString().replace(/\/$/, "") + path);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    return url;
  }
}
