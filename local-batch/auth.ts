/**
 * Authentication as the Batch service does it: Shared Key signatures verified, and bearer tokens
 * accepted only in dev mode (there is no Entra ID here).
 *
 * The verifier is written from the documented algorithm ("Authenticate requests to the Azure
 * Batch service") and shares no code with the client's signer, so that a canonicalisation bug in
 * one cannot be hidden by the same bug in the other.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { BatchErrors } from "./errors.js";

export interface AuthConfig {
  accountName: string;
  accountKey: string;
  /** Accept any `Bearer` token (no Entra ID here). */
  acceptBearer?: boolean;
}

const failed = BatchErrors.authenticationFailed;

/** The headers whose values stand, in this order, one per line, between the verb and the ocp- headers. */
const SIGNED_HEADERS = [
  "Content-Encoding",
  "Content-Language",
  "Content-Length",
  "Content-MD5",
  "Content-Type",
  "Date",
  "If-Modified-Since",
  "If-Match",
  "If-None-Match",
  "If-Unmodified-Since",
  "Range",
];

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name.toLowerCase()];
  return value === undefined ? "" : Array.isArray(value) ? value.join(",") : value;
}

/** The string the client must have signed, from the request as it arrived. */
export function expectedStringToSign(req: IncomingMessage, url: URL, accountName: string): string {
  const hasOcpDate = req.headers["ocp-date"] !== undefined;
  const standard = SIGNED_HEADERS.map((name) => (name === "Date" && hasOcpDate ? "" : header(req, name)));
  const ocpLines: string[] = [];
  for (const name of Object.keys(req.headers)
    .map((h) => h.toLowerCase())
    .filter((h) => h.startsWith("ocp-"))
    .sort()) {
    ocpLines.push(`${name}:${header(req, name).replace(/\s+/g, " ").trim()}\n`);
  }
  const byName: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams.entries()) (byName[name.toLowerCase()] ??= []).push(value);
  const resource = [
    `/${accountName}${url.pathname}`,
    ...Object.keys(byName)
      .sort()
      .map((name) => `${name}:${(byName[name] ?? []).sort().join(",")}`),
  ].join("\n");
  return [(req.method ?? "GET").toUpperCase(), ...standard].join("\n") + "\n" + ocpLines.join("") + resource;
}

export function authenticate(req: IncomingMessage, url: URL, config: AuthConfig): void {
  const authorization = req.headers.authorization;
  if (!authorization) throw failed("The Authorization header is missing.");
  if (authorization.startsWith("Bearer ")) {
    if (config.acceptBearer) return;
    throw failed("Bearer tokens are not accepted: start the local service with bearer tokens allowed, or use Shared Key.");
  }
  const date = req.headers["ocp-date"] ?? req.headers.date;
  if (!date || Math.abs(Date.now() - Date.parse(String(date))) > 15 * 60_000) throw failed("The request's ocp-date is missing or more than 15 minutes off.");
  const match = /^SharedKey ([^:]+):(.+)$/.exec(authorization);
  if (!match || match[1] !== config.accountName) throw failed(`The Authorization header must be "SharedKey ${config.accountName}:<signature>".`);
  const mac = createHmac("sha256", Buffer.from(config.accountKey, "base64"))
    .update(expectedStringToSign(req, url, config.accountName), "utf8")
    .digest();
  const given = Buffer.from(match[2] as string, "base64");
  if (given.length !== mac.length || !timingSafeEqual(given, mac))
    throw failed("The MAC signature found in the HTTP request is not the same as any computed signature.");
}
