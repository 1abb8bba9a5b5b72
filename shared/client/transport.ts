/**
 * The undici transport: one keep-alive connection pool per account origin. undici is loaded with
 * the first request: `validate`, `plan` and `--help` never pay for it, and it is a third of a cold start.
 */
import type { Pool } from "undici";
import { TransportError, type PipelineRequest, type PipelineResponse, type SendRequest } from "./pipeline.js";

export interface UndiciTransport {
  send: SendRequest;
  close(): Promise<void>;
}

export interface TransportOptions {
  connections?: number;
  /** Time to wait for the response headers once the request is sent. */
  headersTimeoutMs?: number;
  /** Longest silence between two chunks of a response body. */
  bodyTimeoutMs?: number;
  /** Largest response body read; a larger one is cut off as an error (a page of tasks is far smaller). */
  maxResponseBytes?: number;
}

/** The most `addtaskcollection` requests a submission may have in flight (the transport holds as many connections). */
export const MAX_SUBMIT_CONCURRENCY = 64;

export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export function createUndiciTransport(options: TransportOptions = {}): UndiciTransport {
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const pools = new Map<string, Pool>();
  let undici: Promise<typeof import("undici")> | undefined;
  const poolFor = async (origin: string): Promise<Pool> => {
    let pool = pools.get(origin);
    if (!pool) {
      const loaded = await (undici ??= import("undici"));
      // A bundle that inlines undici (CommonJS) may give its exports as the namespace's default.
      const Pool = loaded.Pool ?? (loaded as unknown as { default: typeof loaded }).default.Pool;
      // Another request may have made it while undici loaded.
      pool = pools.get(origin);
      if (pool) return pool;
      pool = new Pool(origin, {
        // As many as a submission may have in flight (connections open only as requests need them).
        connections: options.connections ?? MAX_SUBMIT_CONCURRENCY,
        keepAliveTimeout: 30_000,
        pipelining: 1,
        headersTimeout: options.headersTimeoutMs ?? 30_000,
        bodyTimeout: options.bodyTimeoutMs ?? 30_000,
      });
      pools.set(origin, pool);
    }
    return pool;
  };

  const send = async (request: PipelineRequest): Promise<PipelineResponse> => {
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    try {
      const res = await (
        await poolFor(request.url.origin)
      ).request({
        path: `${request.url.pathname}${request.url.search}`,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          res.body.destroy();
          throw new TransportError(
            `${request.method} ${request.url.pathname}: the response is over ${maxBytes / 1024 / 1024} MB; refusing to read more`,
            "RESPONSE_TOO_LARGE",
            false,
          );
        }
        chunks.push(chunk as Buffer);
      }
      const bodyText = Buffer.concat(chunks).toString("utf8");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
      return { status: res.statusCode, headers, bodyText, request };
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason ?? error;
      if (error instanceof TransportError) throw error;
      throw toTransportError(error, timeout.aborted, request);
    }
  };

  return {
    send,
    async close() {
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
    },
  };
}

function toTransportError(error: unknown, timedOut: boolean, request: PipelineRequest): TransportError {
  const where = `${request.method} ${request.url.origin}${request.url.pathname}`;
  if (timedOut) return new TransportError(`${where} timed out after ${request.timeoutMs} ms`, "ETIMEDOUT", false, { cause: error });
  const err = error as { code?: string; cause?: { code?: string }; message?: string };
  const code = err.cause?.code ?? err.code ?? "UNKNOWN";
  // undici's ConnectTimeoutError: the connection was never made, so nothing was sent.
  const notSent = code === "ECONNREFUSED" || (error as { code?: string }).code === "UND_ERR_CONNECT_TIMEOUT";
  return new TransportError(`${where} failed: ${code} ${err.message ?? ""}`.trim(), code, notSent, { cause: error });
}
