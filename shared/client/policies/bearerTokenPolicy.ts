/**
 * Microsoft Entra ID bearer tokens from any `@azure/identity` credential: cached, refreshed ahead
 * of expiry, with at most one refresh in flight.
 */
import type { AccessToken, TokenCredential } from "@azure/identity";
import { assertSecureForCredentials, type PipelinePolicy } from "../pipeline.js";

/** The Batch resource's scope. The double slash is right: the resource id itself ends in "/". */
export const BATCH_SCOPE = "https://batch.core.windows.net//.default";

export interface BearerTokenOptions {
  scope?: string;
  /** Refresh this long before expiry. */
  refreshWindowMs?: number;
  now?: () => number;
  /** Told each token obtained, so that it can be redacted wherever it might show up. */
  onToken?: (token: string) => void;
}

export function bearerTokenPolicy(credential: TokenCredential, options: BearerTokenOptions = {}): PipelinePolicy {
  const scope = options.scope ?? BATCH_SCOPE;
  const refreshWindowMs = options.refreshWindowMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let token: AccessToken | undefined;
  let refreshing: Promise<AccessToken> | undefined;

  const refresh = (signal?: AbortSignal): Promise<AccessToken> => {
    refreshing ??= (async () => {
      try {
        const fresh = await credential.getToken(scope, { abortSignal: signal });
        if (!fresh) throw new Error(`the credential returned no token for ${scope}`);
        token = fresh;
        options.onToken?.(fresh.token);
        return fresh;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  const currentToken = async (signal?: AbortSignal): Promise<string> => {
    const t = now();
    if (token && token.expiresOnTimestamp - t > refreshWindowMs) return token.token;
    if (token && token.expiresOnTimestamp - t > 30_000) {
      // Inside the refresh window but still valid: refresh now, and keep the current token if that fails.
      try {
        return (await refresh(signal)).token;
      } catch {
        return token.token;
      }
    }
    return (await refresh(signal)).token;
  };

  return {
    name: "bearerTokenPolicy",
    async sendRequest(request, next) {
      assertSecureForCredentials(request.url);
      request.headers.authorization = `Bearer ${await currentToken(request.signal)}`;
      return next(request);
    },
  };
}
