/**
 * One log line per HTTP attempt, for wrappers that route it to `core.debug` or `context.log`:
 * method, path and query, status (or the network error), time taken and `request-id`. Never a
 * header or a body, and the line goes through the client's redactor (SAS query strings, keys,
 * tokens) before anyone sees it.
 */
import type { Redactor } from "../../redact.js";
import type { PipelinePolicy } from "../pipeline.js";

export function logPolicy(redactor: Redactor, now: () => number = Date.now): PipelinePolicy {
  return {
    name: "logPolicy",
    async sendRequest(request, next) {
      const log = request.hooks?.log;
      if (!log) return next(request);
      const started = now();
      // Decoded, so that it reads as sent and a SAS inside a query value is recognised and hidden.
      const target = `${request.method} ${request.url.pathname}${decodeQuery(request.url.search)}`;
      try {
        const response = await next(request);
        const id = response.headers["request-id"];
        log(redactor.text(`${target} -> ${response.status} in ${now() - started} ms${id ? ` (request-id ${id})` : ""}`));
        return response;
      } catch (error) {
        const reason = (error as { code?: string }).code ?? (error as Error).name ?? "error";
        log(redactor.text(`${target} -> ${reason} after ${now() - started} ms`));
        throw error;
      }
    },
  };
}

function decodeQuery(search: string): string {
  try {
    return decodeURIComponent(search);
  } catch {
    return search;
  }
}
