/** Shared Key verification (the same canonicalisation the client signs with) and dev-mode bearer tokens. */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { signSharedKey } from "../shared/client/sharedKey.js";
import { BatchHttpError } from "./errors.js";

export interface AuthConfig {
  accountName: string;
  accountKey: string;
  /** Accept any `Bearer` token (no Entra ID here). */
  acceptBearer?: boolean;
}

const failed = (detail: string) =>
  new BatchHttpError(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.", [
    { key: "AuthenticationErrorDetail", value: detail },
  ]);

export function authenticate(req: IncomingMessage, url: URL, body: string, config: AuthConfig): void {
  const authorization = req.headers.authorization;
  if (!authorization) throw failed("The Authorization header is missing.");
  if (authorization.startsWith("Bearer ")) {
    if (config.acceptBearer) return;
    throw failed("Bearer tokens are not accepted: start the local service with bearer tokens allowed, or use Shared Key.");
  }
  const date = req.headers["ocp-date"] ?? req.headers.date;
  if (!date || Math.abs(Date.now() - Date.parse(String(date))) > 15 * 60_000) throw failed("The request's ocp-date is missing or more than 15 minutes off.");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== "authorization") headers[k] = Array.isArray(v) ? v.join(",") : v;
  const expected = signSharedKey({ method: req.method ?? "GET", url, headers, body: body || undefined }, config.accountName, config.accountKey);
  const a = Buffer.from(expected);
  const b = Buffer.from(authorization);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw failed("The MAC signature found in the HTTP request is not the same as any computed signature.");
}
