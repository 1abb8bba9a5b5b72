/** Signs each attempt with the account key (a fresh `ocp-date` per attempt, as retries re-sign). */
import { assertSecureForCredentials, type PipelinePolicy } from "../pipeline.js";
import { signSharedKey } from "../sharedKey.js";

export function sharedKeyPolicy(accountName: string, accountKey: string): PipelinePolicy {
  return {
    name: "sharedKeyPolicy",
    sendRequest(request, next) {
      assertSecureForCredentials(request.url);
      request.headers["ocp-date"] = new Date().toUTCString();
      if (request.body !== undefined) request.headers["content-length"] = String(Buffer.byteLength(request.body));
      request.headers.authorization = signSharedKey(request, accountName, accountKey);
      return next(request);
    },
  };
}
