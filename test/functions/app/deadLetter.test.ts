/** The Function app's dead-letter writer: bounded, redacted, and it never throws, whatever the payload. */
import { describe, expect, test } from "vitest";
import { payloadText, redactSecrets, safeReason, summarizePayload } from "../../../functions/app/deadLetter.js";

describe("dead-letter records", () => {
  test.each<[string, () => unknown]>([
    [
      "a cycle",
      () => {
        const a: Record<string, unknown> = { name: "a" };
        a.self = a;
        return a;
      },
    ],
    [
      "100,000 levels of nesting",
      () => {
        let v: unknown = "leaf";
        for (let i = 0; i < 100_000; i++) v = { a: v };
        return v;
      },
    ],
    ["a BigInt, a symbol and a function", () => ({ n: 10n, s: Symbol("x"), f: () => 1 })],
    [
      "a getter that throws",
      () =>
        Object.defineProperty({}, "boom", {
          enumerable: true,
          get: () => {
            throw new Error("no");
          },
        }),
    ],
    ["8 MB of binary", () => new Uint8Array(8 * 1024 * 1024).fill(0xff)],
    ["a 20 MB string", () => "x".repeat(20 * 1024 * 1024)],
  ])("%s: summarized without throwing, the excerpt bounded", (_name, make) => {
    const summary = summarizePayload(make());
    expect(summary.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(summary.bytes).toBeGreaterThan(0);
    expect(summary.excerpt.length).toBeLessThanOrEqual(243);
  });

  test("secrets go from excerpts and reasons: SAS signatures and query strings, keys, tokens, JWTs; non-text is escaped", () => {
    const text =
      'https://a.blob.core.windows.net/c/b?sv=2025&sig=SIGVALUE AccountKey=KEYVALUE;x "client_secret": "CSVALUE" Bearer TOKVALUE eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SIGNATUREPART \u0000\u202e';
    const out = summarizePayload(text).excerpt + safeReason(text);
    for (const secret of ["SIGVALUE", "KEYVALUE", "CSVALUE", "TOKVALUE", "SIGNATUREPART"]) expect(out).not.toContain(secret);
    expect(out).toContain("\\u0000");
    expect(out).toContain("\\u202e");
    expect(redactSecrets("sig=abc&se=2030")).toBe("sig=<redacted>&se=2030");
    expect(payloadText({ a: [1, "two", null] })).toBe('{"a":[1,"two",null]}');
  });
});
