/**
 * Dead-letter records: what an operator needs to find and judge an event that was not run,
 * never what its sender put in it. A record holds the event's metadata, the field and reason, and
 * of the payload its length, its SHA-256 and a short excerpt with SAS signatures, keys and tokens
 * removed and anything that is not printable text escaped. Making one never throws, whatever the
 * payload: deep, huge, cyclic or binary.
 */
import { createHash } from "node:crypto";

/** Characters of the payload an excerpt keeps. */
export const EXCERPT_CHARS = 240;
/** Characters of a reason a record or a log line keeps. */
export const REASON_CHARS = 400;
/** Nesting the payload's text form follows; deeper values are written as `[...]`. */
const MAX_DEPTH = 24;
/** Characters of the payload's text form that are hashed and measured at most (a message is at most 64 KiB anyway). */
const MAX_TEXT = 4 * 1024 * 1024;

/**
 * Secrets a payload or a reason may carry: SAS query strings and signatures, account keys and
 * connection strings, bearer tokens and JWTs.
 */
export function redactSecrets(text: string): string {
  return (
    text
      .replace(/(https?:\/\/[^\s?"'#]+)\?[^\s"'#]*/g, "$1?<redacted>")
      .replace(/\bsig=[^&\s"']+/gi, "sig=<redacted>")
      // name=value and "name": "value" where the name says secret (AccountKey, client_secret, access_token, ...).
      .replace(/\b([A-Za-z_-]*(?:key|secret|token|password|passwd|signature|sig|credential)[A-Za-z_-]*)=[^;&\s"']+/gi, "$1=<redacted>")
      .replace(/("[A-Za-z_-]*(?:key|secret|token|password|passwd|signature|credential)[A-Za-z_-]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"<redacted>"')
      .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, "Bearer <redacted>")
      .replace(/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, "<redacted token>")
  );
}

/** Non-printable characters (controls, lone surrogates, invisible formatting) as \uXXXX. */
function printable(text: string): string {
  return text.replace(NON_PRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/* eslint-disable no-control-regex -- control characters are what it escapes */
const NON_PRINTABLE =
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/* eslint-enable no-control-regex */

/** A bounded text form of any value: JSON-like, depth-limited, cycles cut, binary as hex. */
export function payloadText(value: unknown): string {
  const seen = new WeakSet<object>();
  let budget = MAX_TEXT;
  const out: string[] = [];
  const push = (s: string) => {
    if (budget <= 0) return;
    out.push(s.length > budget ? s.slice(0, budget) : s);
    budget -= s.length;
  };
  const walk = (v: unknown, depth: number): void => {
    if (budget <= 0) return;
    if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean") return push(String(v));
    if (typeof v === "string") return push(JSON.stringify(v.length > budget ? v.slice(0, budget) : v));
    if (typeof v === "bigint" || typeof v === "symbol" || typeof v === "function") return push(`"[${typeof v}]"`);
    if (v instanceof Uint8Array || v instanceof ArrayBuffer) {
      const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : v;
      return push(`"[${bytes.byteLength} bytes: ${Buffer.from(bytes.subarray(0, 64)).toString("hex")}${bytes.byteLength > 64 ? "..." : ""}]"`);
    }
    if (typeof v !== "object") return push('"[?]"');
    if (seen.has(v)) return push('"[cycle]"');
    if (depth >= MAX_DEPTH) return push('"[...]"');
    seen.add(v);
    try {
      if (Array.isArray(v)) {
        push("[");
        v.forEach((x, i) => {
          if (i) push(",");
          walk(x, depth + 1);
        });
        push("]");
      } else {
        push("{");
        let first = true;
        for (const k of Object.keys(v)) {
          if (!first) push(",");
          first = false;
          push(`${JSON.stringify(k)}:`);
          let child: unknown;
          try {
            child = (v as Record<string, unknown>)[k];
          } catch {
            child = "[unreadable]";
          }
          walk(child, depth + 1);
        }
        push("}");
      }
    } finally {
      seen.delete(v);
    }
  };
  try {
    walk(value, 0);
  } catch {
    out.push('"[unserializable]"');
  }
  return out.join("");
}

export interface PayloadSummary {
  /** Bytes of the payload as delivered (a string's UTF-8, binary's length), or of its text form. */
  bytes: number;
  sha256: string;
  /** The first characters, redacted and escaped. */
  excerpt: string;
}

/** What a record keeps of a payload: never the payload itself. */
export function summarizePayload(payload: unknown): PayloadSummary {
  const raw = typeof payload === "string" ? Buffer.from(payload) : payload instanceof Uint8Array ? Buffer.from(payload) : Buffer.from(payloadText(payload));
  const text = typeof payload === "string" ? payload : payloadText(payload);
  const head = text.slice(0, EXCERPT_CHARS * 2);
  const excerpt = printable(redactSecrets(head)).slice(0, EXCERPT_CHARS);
  return { bytes: raw.byteLength, sha256: createHash("sha256").update(raw).digest("hex"), excerpt: text.length > EXCERPT_CHARS ? `${excerpt}...` : excerpt };
}

/** A reason as a record and a log line keep it: bounded, redacted, printable. */
export function safeReason(reason: string): string {
  const r = printable(redactSecrets(reason));
  return r.length > REASON_CHARS ? `${r.slice(0, REASON_CHARS)}...` : r;
}
