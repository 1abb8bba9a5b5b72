/**
 * Fault injection for tests and benchmarks: latency, throttling (429) and "server busy" (503) with
 * Retry-After, connection resets before anything is done, and "commit then fail" (the change is
 * made, the response is lost). The counters say what was injected, so that a test can show that
 * the faults it relies on really happened.
 */
import type { IncomingMessage } from "node:http";
import { BatchHttpError } from "../errors.js";

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
  random?: () => number;
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
      throw Object.assign(new BatchHttpError(429, "TooManyRequests", "The server is busy; retry after the given time."), { headers });
    }
    if (this.hit(f.unavailableShare, this.injected.unavailable)) {
      this.injected.unavailable++;
      throw Object.assign(new BatchHttpError(503, "ServerBusy", "The server is currently unable to receive requests. Please retry your request."), { headers });
    }
    return undefined;
  }

  /** After authentication: throws the 403 of a request the caller's role does not allow. */
  authorize(method: string, url: URL): void {
    if (this.faults.forbid?.(method, url.pathname)) {
      throw new BatchHttpError(403, "AuthorizationFailure", "This request is not authorized to perform this operation.");
    }
  }

  /** After a request was carried out: true when its response is to be lost. */
  loseResponse(req: IncomingMessage, url: URL): boolean {
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
