/**
 * Keeps secrets out of everything a person or a log sees: known secret values (registry passwords,
 * account keys, tokens, secret environment values), also URL-encoded, and the query strings of
 * signed URLs (SAS: `sig=`), and `Bearer` / `SharedKey` authorization values.
 */

const SAS_URL = /(https?:\/\/[^\s"'?#]+)\?[^\s"'#]*\bsig=[^\s"'#]*/gi;
const BEARER = /\b(Bearer|SharedKey)\s+[A-Za-z0-9._~+/=:-]+/g;
export const REDACTED = "<redacted>";

export class Redactor {
  private readonly secrets = new Set<string>();
  private ordered?: string[];

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Registers a value to hide. Very short values are ignored: hiding "a" would garble every line. */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4) return;
    this.secrets.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.secrets.add(encoded);
    this.ordered = undefined;
  }

  /** A redactor that hides these values as well as this one's. */
  with(secrets: Iterable<string | undefined>): Redactor {
    return new Redactor([...this.secrets, ...secrets]);
  }

  text(input: string): string {
    let out = input.replace(SAS_URL, "$1?<SAS redacted>").replace(BEARER, `$1 ${REDACTED}`);
    // Longest first, so that a secret that contains another is hidden whole.
    this.ordered ??= [...this.secrets].sort((a, b) => b.length - a.length);
    for (const s of this.ordered) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }

  /** Redacts every string inside a JSON-like value (for printed bodies). */
  value<T>(input: T): T {
    if (typeof input === "string") return this.text(input) as T;
    if (Array.isArray(input)) return input.map((v) => this.value(v)) as T;
    if (input !== null && typeof input === "object") {
      return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, k === "password" && typeof v === "string" ? REDACTED : this.value(v)])) as T;
    }
    return input;
  }

  /**
   * Redacts an error in place and returns it: its message and stack, the string fields the core's
   * errors carry (the service's message, its `values`, issues), and its causes. The error keeps
   * its class, so `instanceof` and `classifyError` still work on it.
   */
  error<E>(error: E, seen = new Set<unknown>()): E {
    if (error === null || typeof error !== "object" || seen.has(error)) return error;
    seen.add(error);
    const e = error as Record<string, unknown>;
    for (const key of ["message", "stack", "serviceMessage"]) {
      if (typeof e[key] === "string") this.assign(e, key, this.text(e[key] as string));
    }
    for (const key of ["values", "issues"]) {
      if (Array.isArray(e[key])) this.assign(e, key, this.value(e[key]));
    }
    if (e.cause !== undefined) this.error(e.cause, seen);
    if (Array.isArray(e.errors)) for (const inner of e.errors) this.error(inner, seen);
    return error;
  }

  private assign(target: Record<string, unknown>, key: string, value: unknown): void {
    try {
      Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: Object.prototype.propertyIsEnumerable.call(target, key) });
    } catch {
      // A frozen or exotic object: leave it; the caller's own output is still redacted.
    }
  }
}
