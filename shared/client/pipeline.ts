/**
 * A small HTTP pipeline in the manner of `@azure/core-rest-pipeline`: a policy is a plain object
 * `{ name, sendRequest(request, next) }`, and the pipeline folds the policies around one transport.
 */

export interface PipelineRequest {
  method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: URL;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body?: string;
  /**
   * Whether sending it twice is harmless. GET/HEAD/PUT/DELETE are; a POST is only where the
   * caller says so (creates with deterministic ids, whose repeat answers `...Exists`).
   */
  idempotent: boolean;
  signal?: AbortSignal;
  /** Time for one attempt, from send to the end of the body. */
  timeoutMs: number;
  /** Who wants to hear about this call's retries and HTTP attempts (set per client view). */
  hooks?: RequestHooks;
}

/** A retry about to happen: the call, why, and how long until the next attempt. */
export interface RetryInfo {
  /** 1 for the first retry (of failures, or of throttled waits when `throttled`). */
  attempt: number;
  /** Retries of failures allowed per call. */
  maxRetries: number;
  /** The service throttled the call and said when to come back: a wait, not a failure. */
  throttled: boolean;
  /** How long one call may wait out throttling in all. */
  throttleBudgetMs: number;
  delayMs: number;
  /** `HTTP 429`, `HTTP 503`, `ECONNRESET`, ... */
  reason: string;
  method: string;
  path: string;
}

export interface RequestHooks {
  onRetry?: (info: RetryInfo) => void;
  /** One line per HTTP attempt (method, path, status, time, request-id), secrets redacted. */
  log?: (line: string) => void;
}

export interface PipelineResponse {
  status: number;
  headers: Record<string, string>;
  bodyText: string;
  request: PipelineRequest;
}

export type SendRequest = (request: PipelineRequest) => Promise<PipelineResponse>;

export interface PipelinePolicy {
  name: string;
  sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse>;
}

/** First policy outermost: `[a, b]` runs a, then b, then the transport. */
export function createPipeline(policies: PipelinePolicy[], transport: SendRequest): SendRequest {
  return policies.reduceRight<SendRequest>((next, policy) => (request) => policy.sendRequest(request, next), transport);
}

/** A network-level failure (reset, refused, timeout): no HTTP response came back. */
export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(
    message: string,
    readonly code: string,
    /** True when the request certainly never reached the server (the connection was refused). */
    readonly notSent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Credentials may travel over plain http only to this machine (the local Batch service). */
export function assertSecureForCredentials(url: URL): void {
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && LOOPBACK.test(url.hostname)) return;
  throw new Error(`refusing to send Batch credentials over ${url.protocol}//${url.host}: use https (plain http is allowed only for localhost)`);
}
