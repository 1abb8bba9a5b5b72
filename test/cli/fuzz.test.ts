/**
 * A fuzz target of our own: seeded mutations of the example specs (and a richer one), run through
 * the CLI's `plan` as a user would. Every input must end in exit 0 or 2 — never a crash, which the
 * CLI would report as exit 3 — with no secret in what it prints, and every plan it accepts must
 * validate against the official REST definition.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, test } from "vitest";
import { EXIT, main } from "../../cli/main.js";
import { validateArmCall, validateCall } from "../helpers/oav.js";
import { batchSpecMissing, mgmtSpecMissing } from "../helpers/requirements.js";

const SEED = 0x5eed_2026;
const INPUTS = 3000;

const SECRETS = { REG_PASSWORD: "fuzz-Registry/Pass+word1", API_TOKEN: "fuzz-api-token-0123456789", SAS_KEY: "sv=2024-01-01&sp=r&sig=fuzzSignature%3D" };
const forms = (s: string) => [s, encodeURIComponent(s), Buffer.from(s).toString("base64")];

const RICH = `
pool:
  id: rich
  vmSize: Standard_NC6s_v3
  image: { publisher: microsoft-dsvm, offer: ubuntu-hpc, sku: "2404" }
  nodes: { dedicated: 1, spot: 1 }
  taskSlotsPerNode: 4
  container:
    type: dockerCompatible
    prefetch: [ "myacr.azurecr.io/app:1" ]
    registries: [ { server: myacr.azurecr.io, username: puller, password: "{{ env.REG_PASSWORD }}" } ]
  startTask: { command: "/bin/sh -c 'echo start'", image: "myacr.azurecr.io/app:1", retries: 2 }
job:
  id: rich-{{ vars.run }}
  maxWallClock: PT2H
  env: { STAGE: prod }
  preparation: { command: /prep }
  release: { command: /release }
tasks:
  defaults:
    image: myacr.azurecr.io/app:1
    mounts: [ { source: Task }, { source: Shared, readOnly: true } ]
    env: { TOKEN: "{{ env.API_TOKEN }}" }
  list:
    - id: "{{ item }}"
      command: /app/run {{ item }}
      forEach: { range: [1, 6] }
      outputs: [ { pattern: "out/*.txt", container: "https://acct.blob.core.windows.net/out?{{ env.SAS_KEY }}", when: taskSuccess } ]
    - id: merge
      command: ""
      dependsOn: [ { range: [1, 6] } ]
      requiredSlots: 2
    - id: "z-{{ item.a }}-{{ item.b }}"
      command: /zip {{ item.a }}
      forEach: { product: { a: [x, y], b: [1, 2] } }
      dependsOn: [ "merge" ]
`;

const CORPUS = [
  readFileSync(new URL("../../examples/render.yaml", import.meta.url), "utf8"),
  readFileSync(new URL("../../examples/acr.yaml", import.meta.url), "utf8"),
  RICH,
];

/** mulberry32: small, seeded, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALUES = [
  "{{ env.REG_PASSWORD }}",
  "{{ env.API_TOKEN }}",
  "x{{ env.SAS_KEY }}",
  "{{ env.NOT_SET }}",
  "{{ vars.nope }}",
  "{{ item }}",
  "{{ task.id }}",
  "{{ item.c }}",
  "-1",
  "0",
  "2147483647",
  "2147483648",
  "1e309",
  "-0",
  "3.5",
  '""',
  "null",
  "~",
  "[]",
  "{}",
  "[[[[[[[[]]]]]]]]",
  "true",
  '"\\u0000"',
  '"a\\u001bb"',
  "__proto__",
  "constructor",
  "&anchor x",
  "*anchor",
  "!!binary aGVsbG8=",
  "|",
  ">-",
  `"${"x".repeat(70)}"`,
  `"${"y".repeat(5000)}"`,
  "PT",
  "P",
  "PT30M",
  "P1D",
  "Task",
  "Shared",
  "containerImageDefault",
  "criCompatible",
  "frame-*",
  "*",
  "{ range: [1, 5] }",
  "{ range: [5, 1] }",
  "{ range: [0, 2147483647] }",
  "[1, 100000]",
  "[1, 200000, 1]",
  "[1, 10, 0]",
  "batch.node.windows amd64",
  "--entrypoint /x",
  "--gpus all",
  "admin",
  "nonadmin",
];
const INSERTS = ["{", "}", "[", "]", ":", ",", "'", '"', "&a ", "*a", "- ", "\t", "  ", "#", "{{", "}}", "\u0000", "%", "!", "|"];

function mutate(text: string, random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  let lines = text.split("\n");
  const rounds = random() < 0.7 ? 1 : 2;
  for (let r = 0; r < rounds; r++) {
    const i = Math.floor(random() * lines.length);
    const line = lines[i] ?? "";
    switch (Math.floor(random() * 6.3)) {
      case 0: {
        // Replace a value after a key, or a list item.
        const m = /^(\s*(?:- )?[A-Za-z_$][\w$-]*:\s*|\s*- )(.*)$/.exec(line);
        if (m) lines[i] = `${m[1]}${pick(VALUES)}`;
        break;
      }
      case 1:
        lines.splice(i, 1);
        break;
      case 2:
        lines.splice(i, 0, line);
        break;
      case 3:
        lines.splice(i, 0, pick(pick(CORPUS).split("\n")));
        break;
      case 4: {
        const at = Math.floor(random() * (line.length + 1));
        lines[i] = line.slice(0, at) + pick(INSERTS) + line.slice(at);
        break;
      }
      case 5: {
        // A key that only some levels know.
        const indent = /^\s*/.exec(line)![0];
        lines.splice(i, 0, `${indent}${pick(["__proto__", "extra", "image", "env", "forEach", "dependsOn", "mounts", "id", "cleanup"])}: ${pick(VALUES)}`);
        break;
      }
      default:
        lines = lines.map((l) => l.replace(/\b\d+\b/, () => pick(["0", "-5", "99999999999", "256", "257", "65"])));
    }
  }
  return lines.join("\n");
}

const dir = mkdtempSync(join(tmpdir(), "azbr-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function plan(text: string, n: number): Promise<{ code: number; out: string; err: string }> {
  const file = join(dir, `input-${n % 16}.yaml`);
  writeFileSync(file, text);
  const stdout = new PassThrough();
  const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  (stderr as unknown as PassThrough).on("data", (c: Buffer) => (err += c));
  const code = await main(["plan", file, "--var", "run=7", "--format", "json"], { stdout, stderr, env: { ...SECRETS } });
  return { code, out, err };
}

describe.skipIf(batchSpecMissing || mgmtSpecMissing)("fuzzing the front door", () => {
  test(`${INPUTS} seeded mutations of the examples: exit 0 or 2, no secret shown, every accepted plan valid`, async () => {
    const random = prng(SEED);
    const outcomes = { accepted: 0, refused: 0 };
    const crashes: string[] = [];
    const leaks: string[] = [];
    const accepted = new Map<string, { method: string; path: string; query: Record<string, string>; body: unknown; plane?: "arm" }>();
    // Output the CLI does not control (a library's process warning) would bypass its redaction.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    for (let n = 0; n < INPUTS; n++) {
      const input = mutate(CORPUS[n % CORPUS.length]!, random);
      const r = await plan(input, n);
      if (r.code === EXIT.ok) outcomes.accepted++;
      else if (r.code === EXIT.invalid) outcomes.refused++;
      else crashes.push(`input ${n} exit ${r.code}: ${r.err.trim().slice(0, 300)}\n---\n${input.slice(0, 2000)}`);
      for (const secret of Object.values(SECRETS))
        for (const form of forms(secret)) if (`${r.out}${r.err}`.includes(form)) leaks.push(`input ${n} shows ${form}`);
      if (r.code === EXIT.ok) for (const call of JSON.parse(r.out)) accepted.set(JSON.stringify(call), call);
    }
    process.off("warning", onWarning);
    expect(crashes).toEqual([]);
    expect(leaks).toEqual([]);
    expect(warnings).toEqual([]);
    // Not vacuous: the mutations reach both sides of the door.
    expect(outcomes.accepted).toBeGreaterThan(INPUTS / 10);
    expect(outcomes.refused).toBeGreaterThan(INPUTS / 10);

    const invalid: string[] = [];
    for (const call of accepted.values()) {
      // ARM calls (pools with a managed identity) against the management-plane definition; the
      // coordinates found at run time stand as placeholders in a plan.
      const { request } =
        call.plane === "arm"
          ? await validateArmCall({ ...call, path: call.path.replace("{resourceGroup}", "rg").replace("{accountName}", "account") })
          : await validateCall(call);
      if (request.errors.length > 0) invalid.push(`${call.method} ${call.path}: ${JSON.stringify(request.errors).slice(0, 400)}`);
    }
    expect(invalid).toEqual([]);
    console.log(`fuzz: ${INPUTS} inputs (seed ${SEED}): ${outcomes.accepted} accepted, ${outcomes.refused} refused; ${accepted.size} distinct calls validated`);
  }, 120_000);
});
