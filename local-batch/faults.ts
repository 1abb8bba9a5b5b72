/**
 * Fault injection for tests and benchmarks: latency, throttling (429) and "server busy" (503) with
 * Retry-After, connection resets before anything is done, and "commit then fail" (the change is
 * made, the response is lost). The counters say what was injected, so that a test can show that
 * the faults it relies on really happened.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BatchErrors } from "./errors.js";

export interface FaultOptions {
  /** Added to every request. */
  latencyMs?: number;
  /** Share of requests answered 429 with Retry-After. */
  throttleShare?: number;
  /** Share answered 503 with Retry-After. */
  unavailableShare?: number;
  /** Share whose connection is reset before anything is done. */
  resetShare?: number;
  /** Share of mutating requests carried out, whose response is then lost (connection reset). */
  commitThenFailShare?: number;
  /** Retry-After given with 429/503, in ms (sent as retry-after-ms and, rounded up, Retry-After). */
  retryAfterMs?: number;
  /**
   * Make sure each configured fault happens at least once whatever the dice say: the first request
   * is reset, the next throttled, the next answered 503, and the first response of each kind of
   * mutating call (POST pools, POST jobs, addtaskcollection, ...) is lost after the commit.
   */
  atLeastOnce?: boolean;
  /**
   * Requests the caller is not authorized for, answered 403 `AuthorizationFailure` after
   * authentication, as Batch answers a principal whose role lacks the permission (e.g. one that
   * may add tasks but not delete jobs or pools).
   */
  forbid?: (method: string, path: string) => boolean;
  /** Milliseconds to hold a request before it is carried out, chosen per request (deterministic tests). */
  delayOf?: (method: string, path: string) => number;
  /** Mutating requests carried out whose response is then lost, chosen per request (deterministic tests). */
  loseResponseOf?: (method: string, path: string) => boolean;
  /** Answers that no Batch service gives, for testing clients: chosen per request. */
  misbehave?: (method: string, path: string) => Misbehavior | undefined;
  random?: () => number;
}

/**
 * - `html`, `empty`, `garbage`: a 200 whose body is an HTML page, nothing, or not JSON;
 * - `truncated`: fewer bytes than its Content-Length, then the connection drops;
 * - `redirect`: a 302 to another host;
 * - `repeatNextLink`, `foreignNextLink`: a list page whose odata.nextLink is itself, or on another host;
 * - `huge`: a body of 40 MB;
 * - `neverStarts`: no answer at all; `neverEnds`: headers and the start of a body, then silence.
 */
export type Misbehavior = "html" | "empty" | "garbage" | "truncated" | "redirect" | "repeatNextLink" | "foreignNextLink" | "huge" | "neverStarts" | "neverEnds";

/** Writes a misbehaving answer; false for the kinds that change a routed answer instead (next links). */
export function misbehave(kind: Misbehavior, res: ServerResponse): boolean {
  const json = { "content-type": "application/json;odata=minimalmetadata" };
  switch (kind) {
    case "html":
      res.writeHead(200, { "content-type": "text/html" }).end("<html><body><h1>502 Bad Gateway</h1></body></html>");
      return true;
    case "empty":
      res.writeHead(200, json).end();
      return true;
    case "garbage":
      res.writeHead(200, json).end("\u0000\u00ff{]this is not json");
      return true;
    case "truncated":
      res.writeHead(200, { ...json, "content-length": "1000" });
      res.write('{"value": [', () => res.socket?.destroy());
      return true;
    case "redirect":
      res.writeHead(302, { location: "https://login.example.net/steal?token=redirect-token-value" }).end();
      return true;
    case "huge": {
      res.writeHead(200, json);
      const mb = " ".repeat(1024 * 1024);
      res.write('{"value": [], "pad": "');
      for (let i = 0; i < 40 && res.writable; i++) res.write(mb);
      res.end('"}');
      return true;
    }
    case "neverStarts":
      return true;
    case "neverEnds":
      res.writeHead(200, json);
      res.write('{"value": [');
      return true;
    default:
      return false;
  }
}

export interface InjectedFaults {
  throttled: number;
  unavailable: number;
  resets: number;
  lostResponses: string[];
}

export class FaultInjector {
  readonly injected: InjectedFaults = { throttled: 0, unavailable: 0, resets: 0, lostResponses: [] };
  private readonly lostKinds = new Set<string>();
  private readonly random: () => number;

  constructor(private readonly faults: FaultOptions = {}) {
    this.random = faults.random ?? Math.random;
  }

  private hit(share: number | undefined, count: number): boolean {
    if (!share) return false;
    return Boolean(this.faults.atLeastOnce && count === 0) || this.random() < share;
  }

  /**
   * Before the request is handled: "reset" when the connection is to be dropped; throws the
   * 429/503 to answer with; undefined to go on.
   */
  async before(): Promise<"reset" | undefined> {
    const f = this.faults;
    if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (this.hit(f.resetShare, this.injected.resets)) {
      this.injected.resets++;
      return "reset";
    }
    const retryAfter = f.retryAfterMs ?? 1000;
    const headers = { "retry-after-ms": String(retryAfter), "retry-after": String(Math.max(1, Math.ceil(retryAfter / 1000))) };
    if (this.hit(f.throttleShare, this.injected.throttled)) {
      this.injected.throttled++;
      throw BatchErrors.tooManyRequests(headers);
    }
    if (this.hit(f.unavailableShare, this.injected.unavailable)) {
      this.injected.unavailable++;
      throw BatchErrors.serverBusy(headers);
    }
    return undefined;
  }

  /** After authentication: throws the 403 of a request the caller's role does not allow. */
  /** Holds a request the `delayOf` option picks. */
  async delay(method: string, url: URL): Promise<void> {
    const ms = this.faults.delayOf?.(method, url.pathname) ?? 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  authorize(method: string, url: URL): void {
    if (this.faults.forbid?.(method, url.pathname)) {
      throw BatchErrors.authorizationFailure();
    }
  }

  misbehavior(method: string, url: URL): Misbehavior | undefined {
    return this.faults.misbehave?.(method, url.pathname);
  }

  /** After a request was carried out: true when its response is to be lost. */
  loseResponse(req: IncomingMessage, url: URL): boolean {
    if (req.method !== "GET" && req.method !== "HEAD" && this.faults.loseResponseOf?.(req.method ?? "", url.pathname)) {
      this.injected.lostResponses.push(`${req.method} ${url.pathname}`);
      return true;
    }
    const share = this.faults.commitThenFailShare;
    if (!share || req.method === "GET" || req.method === "HEAD") return false;
    const kind = `${req.method} ${url.pathname.split("/").pop()}`;
    const first = Boolean(this.faults.atLeastOnce && !this.lostKinds.has(kind));
    if (!first && this.random() >= share) return false;
    this.lostKinds.add(kind);
    this.injected.lostResponses.push(`${req.method} ${url.pathname}`);
    return true;
  }
}
