/**
 * Shared Key signing exactly as "Authenticate requests to the Azure Batch service" defines it:
 * HMAC-SHA256 over the verb, the standard headers in order, the `ocp-` headers, and the
 * canonicalized resource (`/{account}{path}` plus the sorted, decoded query parameters).
 */
import { createHmac } from "node:crypto";

const STANDARD_HEADERS = [
  "content-encoding",
  "content-language",
  "content-length",
  "content-md5",
  "content-type",
  "date",
  "if-modified-since",
  "if-match",
  "if-none-match",
  "if-unmodified-since",
  "range",
] as const;

export interface SignableRequest {
  method: string;
  url: URL;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body?: string;
}

export function stringToSign(request: SignableRequest, accountName: string): string {
  const lines: string[] = [request.method.toUpperCase()];
  for (const name of STANDARD_HEADERS) {
    if (name === "content-length") {
      const length = request.headers["content-length"] ?? (request.body ? String(Buffer.byteLength(request.body)) : undefined);
      // A POST without a body is sent with Content-Length: 0, and signed so.
      lines.push(length ?? (request.method.toUpperCase() === "POST" ? "0" : ""));
    } else if (name === "date" && request.headers["ocp-date"]) {
      lines.push("");
    } else {
      lines.push(request.headers[name] ?? "");
    }
  }
  const ocp = Object.keys(request.headers)
    .filter((h) => h.toLowerCase().startsWith("ocp-"))
    .map((h) => h.toLowerCase())
    .sort()
    .map((h) => `${h}:${(request.headers[h] ?? "").replace(/\s+/g, " ").trim()}\n`)
    .join("");
  return `${lines.join("\n")}\n${ocp}${canonicalizedResource(request.url, accountName)}`;
}

export function canonicalizedResource(url: URL, accountName: string): string {
  let out = `/${accountName}${url.pathname || "/"}`;
  const params = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) {
    const key = name.toLowerCase();
    params.set(key, [...(params.get(key) ?? []), value]);
  }
  for (const name of [...params.keys()].sort()) out += `\n${name}:${(params.get(name) ?? []).sort().join(",")}`;
  return out;
}

export function signSharedKey(request: SignableRequest, accountName: string, accountKey: string): string {
  const signature = createHmac("sha256", Buffer.from(accountKey, "base64")).update(stringToSign(request, accountName), "utf8").digest("base64");
  return `SharedKey ${accountName}:${signature}`;
}
