/** Sets `User-Agent`: `[prefix ]azure-batch-run/<version> Node/<version> (<platform>; <arch>)`, as the Azure SDKs do. */
import { arch, platform } from "node:os";
import { VERSION } from "../../version.js";
import type { PipelinePolicy } from "../pipeline.js";

export function userAgentString(prefix?: string): string {
  const own = `azure-batch-run/${VERSION} Node/${process.versions.node} (${platform()}; ${arch()})`;
  return prefix ? `${prefix} ${own}` : own;
}

export function userAgentPolicy(prefix?: string): PipelinePolicy {
  const value = userAgentString(prefix);
  return {
    name: "userAgentPolicy",
    sendRequest(request, next) {
      request.headers["user-agent"] = value;
      return next(request);
    },
  };
}
