/** Sets `client-request-id` (kept across retries of one call) and asks the service to echo it. */
import { randomUUID } from "node:crypto";
import type { PipelinePolicy } from "../pipeline.js";

export function requestIdPolicy(): PipelinePolicy {
  return {
    name: "requestIdPolicy",
    sendRequest(request, next) {
      request.headers["client-request-id"] ??= randomUUID();
      request.headers["return-client-request-id"] = "true";
      return next(request);
    },
  };
}
