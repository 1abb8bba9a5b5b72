/**
 * The one way a client's pipeline is built, for the Batch data plane and Azure Resource Manager
 * alike: User-Agent -> client request id -> retry (throttling waited out, failures within a time
 * bound) -> authentication -> log -> any extra policies -> the transport. Tokens the
 * authentication obtains are added to the client's redactor as they come.
 */
import type { TokenCredential } from "@azure/identity";
import type { Redactor } from "../redact.js";
import { createPipeline, type PipelinePolicy, type SendRequest } from "./pipeline.js";
import { bearerTokenPolicy } from "./policies/bearerTokenPolicy.js";
import { logPolicy } from "./policies/logPolicy.js";
import { requestIdPolicy } from "./policies/requestIdPolicy.js";
import { retryPolicy, type RetryOptions } from "./policies/retryPolicy.js";
import { sharedKeyPolicy } from "./policies/sharedKeyPolicy.js";
import { userAgentPolicy } from "./policies/userAgentPolicy.js";

/** How a call proves who sends it. */
export type PipelineAuth =
  | { kind: "sharedKey"; accountName: string; accountKey: string }
  | { kind: "bearer"; credential: TokenCredential; /** Default the Batch scope of the public cloud. */ scope?: string }
  | { kind: "none" };

export interface PipelineOptions {
  dialect: "batch" | "arm";
  auth: PipelineAuth;
  retry: RetryOptions;
  redactor: Redactor;
  userAgentPrefix?: string;
  /** Run inside the retry loop, after authentication (recorders, fault injection). */
  policies?: PipelinePolicy[];
}

export function buildPipeline(options: PipelineOptions, transport: SendRequest): SendRequest {
  const { auth, redactor } = options;
  const authPolicies =
    auth.kind === "sharedKey"
      ? [sharedKeyPolicy(auth.accountName, auth.accountKey)]
      : auth.kind === "bearer"
        ? [bearerTokenPolicy(auth.credential, { scope: auth.scope, onToken: (t) => redactor.add(t) })]
        : [];
  return createPipeline(
    [
      userAgentPolicy(options.userAgentPrefix),
      requestIdPolicy(options.dialect),
      retryPolicy(options.retry),
      ...authPolicies,
      logPolicy(redactor),
      ...(options.policies ?? []),
    ],
    transport,
  );
}
