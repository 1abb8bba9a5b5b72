/**
 * Gives each call a client request id, kept across its retries. Batch's is `client-request-id`
 * (and the service is asked to echo it); Azure Resource Manager's is `x-ms-client-request-id`.
 */
import { randomUUID } from "node:crypto";
import type { PipelinePolicy } from "../pipeline.js";

export function requestIdPolicy(dialect: "batch" | "arm" = "batch"): PipelinePolicy {
  return {
    name: "requestIdPolicy",
    sendRequest(request, next) {
      if (dialect === "arm") {
        request.headers["x-ms-client-request-id"] ??= randomUUID();
        return next(request);
      }
      request.headers["client-request-id"] ??= randomUUID();
      request.headers["return-client-request-id"] = "true";
      return next(request);
    },
  };
}
