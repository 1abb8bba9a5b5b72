/**
 * Keeps secrets out of everything a person or a log sees: known secret values (registry passwords,
 * account keys, tokens) and the query strings of signed URLs (SAS: `sig=`).
 */

const SAS_URL = /(https?:\/\/[^\s"'?#]+)\?[^\s"'#]*\bsig=[^\s"'#]*/gi;
const BEARER = /\b(Bearer|SharedKey)\s+[A-Za-z0-9._~+/=:-]+/g;

export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Registers a value to hide. Very short values are ignored: hiding "a" would garble every line. */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  text(input: string): string {
    let out = input.replace(SAS_URL, "$1?<SAS redacted>").replace(BEARER, "$1 <redacted>");
    for (const s of this.secrets) out = out.split(s).join("<redacted>");
    return out;
  }

  /** Redacts every string inside a JSON-like value (for printed bodies). */
  value<T>(input: T): T {
    if (typeof input === "string") return this.text(input) as T;
    if (Array.isArray(input)) return input.map((v) => this.value(v)) as T;
    if (input !== null && typeof input === "object") {
      return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, k === "password" && typeof v === "string" ? "<redacted>" : this.value(v)])) as T;
    }
    return input;
  }
}
