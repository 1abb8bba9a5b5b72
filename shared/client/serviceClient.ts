/**
 * What the Batch and the ARM client share: one call through the pipeline (every error redacted
 * with the client's secrets, redirects never followed, an error answer turned into the service's
 * error), JSON answers, lists paged on the client's own host only and never twice, and views with
 * other hooks. Each client says how its service differs: its URLs, body content type, request-id
 * header, next-link property and error shape.
 */
import type { Redactor } from "../redact.js";
import { UnexpectedResponseError } from "./errors.js";
import { JsonText, parseJson } from "./json.js";
import type { PipelineRequest, PipelineResponse, RequestHooks, SendRequest } from "./pipeline.js";

export interface BaseCallOptions {
  /** Sent as JSON; a `JsonText` is sent as the text it holds (already serialized). */
  body?: unknown;
  /** Defaults to true except for POST. */
  idempotent?: boolean;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Statuses that are not errors for this call (e.g. 404 on an existence check). */
  accept?: number[];
}

/** How one service speaks, where the two differ. */
export interface ServiceDialect {
  /** The content type of request bodies. */
  contentType: string;
  /** The response header with the service's request id. */
  requestIdHeader: string;
  /** The property of a list page that links to the next page. */
  nextLinkProperty: string;
  /** Said after "redirects ...; not followed", e.g. why the service never redirects. */
  redirectNote?: string;
  /** The error an answer of 400 or more becomes. */
  failure(response: PipelineResponse, call: { method: string; url: URL; headers: Record<string, string> }): Error;
}

export abstract class ServiceClient<O extends BaseCallOptions> {
  protected hooks: RequestHooks;

  protected constructor(
    /** Where calls and next links may go: credentials are sent to this origin only. */
    protected readonly origin: URL,
    private readonly dialect: ServiceDialect,
    private readonly pipeline: SendRequest,
    private readonly timeoutMs: number,
    /** Hides this client's secrets: keys, the tokens it obtained, SAS query strings. */
    readonly redactor: Redactor,
    hooks: RequestHooks = {},
  ) {
    this.hooks = hooks;
  }

  /** The full URL of a path, with the call's query. */
  protected abstract urlOf(path: string, options: O): URL;

  /**
   * A view of this client whose calls report to other hooks (a run's reporter, an invocation's
   * log); it shares the connections and credentials. Close the client, not its views.
   */
  withHooks(hooks: RequestHooks): this {
    const view = Object.create(this) as this;
    view.hooks = { ...this.hooks, ...hooks };
    return view;
  }

  /** Sends one call; throws the service's error for HTTP errors not listed in `accept`. */
  async send(method: PipelineRequest["method"], pathOrUrl: string | URL, options: O = {} as O): Promise<PipelineResponse> {
    const url = typeof pathOrUrl === "string" ? this.urlOf(pathOrUrl, options) : pathOrUrl;
    const body = options.body === undefined ? undefined : JsonText.is(options.body) ? options.body.text : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: "application/json", ...(options.headers ?? {}) };
    if (body !== undefined) headers["content-type"] = this.dialect.contentType;
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
    const accepted = (options.accept ?? []).includes(response.status);
    if (response.status >= 300 && response.status < 400 && !accepted) {
      // Never followed: credentials go to the client's own host only, and neither service redirects.
      const location = response.headers.location;
      const where = location ? ` to ${safeOrigin(location, this.origin)}` : "";
      throw this.redactor.error(
        new UnexpectedResponseError(
          method,
          url.pathname,
          response.status,
          `redirects${where}; not followed${this.dialect.redirectNote ? ` ${this.dialect.redirectNote}` : ""}`,
          response.headers[this.dialect.requestIdHeader],
        ),
      );
    }
    if (response.status >= 400 && !accepted) throw this.redactor.error(this.dialect.failure(response, { method, url, headers }));
    return response;
  }

  /** Sends one call whose answer is a JSON object; anything else is an `UnexpectedResponseError`. */
  async json<T>(method: PipelineRequest["method"], path: string | URL, options: O = {} as O): Promise<T> {
    return parseJson<T>(await this.send(method, path, options), method);
  }

  /**
   * Every item of a list, page by page, following the next link on the same host only; a next link
   * that repeats one already followed ends the listing with an error instead of a loop. `onPage` is
   * told of each page fetched.
   */
  async *list<T>(path: string, options: O & { onPage?: () => void } = {} as O): AsyncGenerator<T> {
    const property = this.dialect.nextLinkProperty;
    const link = `${/^[aeiou]/i.test(property) ? "an" : "a"} ${property}`;
    let next: string | URL = path;
    let first = true;
    const followed = new Set<string>();
    while (next) {
      const response: PipelineResponse = await this.send("GET", next, first ? options : ({ signal: options.signal, headers: options.headers } as O));
      first = false;
      options.onPage?.();
      const page = parseJson<{ value?: T[] } & Record<string, unknown>>(response, "GET");
      const unexpected = (what: string) =>
        new UnexpectedResponseError("GET", response.request?.url?.pathname ?? "?", response.status, what, response.headers[this.dialect.requestIdHeader]);
      if (page.value !== undefined && !Array.isArray(page.value)) throw unexpected("with a list whose value is not an array");
      for (const item of page.value ?? []) yield item;
      const target = page[property];
      if (typeof target !== "string" || !target) return;
      const nextUrl = new URL(target, this.origin);
      if (nextUrl.origin !== this.origin.origin)
        throw unexpected(`with ${link} to another host (${nextUrl.origin}); not followed: credentials go to ${this.origin.origin} only`);
      if (followed.has(nextUrl.href)) throw unexpected(`with ${link} to a page already read; the listing would never end`);
      followed.add(nextUrl.href);
      next = nextUrl;
    }
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
