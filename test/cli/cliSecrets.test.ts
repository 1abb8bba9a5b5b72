/**
 * No secret value in anything the CLI prints or leaves behind, whatever command: secrets under
 * names that do not look secret (found by where they flow), under secret-like names, in a registry
 * password and a SAS query, and a failing task that prints them.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, test } from "vitest";
import { EXIT, main } from "../../cli/main.js";
import { processExecutor } from "../../local-batch/runtime/executors.js";
import { LocalBatchService } from "../../local-batch/service.js";

const SECRETS = { DBPW: "db-Pass/word+42=", API_TOKEN: "tok-0123456789abcdef", REG_PW: "registry-pw-7x!", QS: "sv=2024-01-01&sp=rw&sig=S1gnatureValue%3D" };
const forms = (s: string) => [s, encodeURIComponent(s), Buffer.from(s).toString("base64")];

const work = mkdtempSync(join(tmpdir(), "azbr-cli-secrets-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function specText(jobId: string, taskId = "leak"): string {
  return `
pool:
  id: secrets-pool
  vmSize: Standard_D2s_v3
  image: { publisher: microsoft-dsvm, offer: ubuntu-hpc, sku: "2404" }
  container:
    type: dockerCompatible
    registries: [ { server: myacr.azurecr.io, username: puller, password: "{{ env.REG_PW }}" } ]
job:
  id: ${jobId}
  env: { REGION_KEY: "{{ env.API_TOKEN }}" }
tasks:
  list:
    - id: ${taskId}
      image: myacr.azurecr.io/app:1
      command: /bin/sh -c 'echo "out $DB_PASSWORD $TOKEN $REGION_KEY"; echo "err $DB_PASSWORD" >&2; exit 3'
      env: { DB_PASSWORD: "{{ env.DBPW }}", TOKEN: "{{ env.API_TOKEN }}" }
      outputs: [ { pattern: "*.txt", container: "https://acct.blob.core.windows.net/out?{{ env.QS }}", when: taskSuccess } ]
`;
}

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (out += c));
  const code = await main(args, { stdout, stderr: stderr as unknown as NodeJS.WriteStream, env });
  return { code, out };
}

function leaks(text: string): string[] {
  return Object.entries(SECRETS).flatMap(([name, value]) =>
    forms(value)
      .filter((f) => text.includes(f))
      .map((f) => `${name} as ${f}`),
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe("secrets in every CLI command", () => {
  test("validate, plan, run with a failing task, status, logs, an invalid spec, run --local", async () => {
    const key = Buffer.from("cli secrets test key").toString("base64");
    const dataDir = join(work, "service");
    const service = new LocalBatchService({ accountName: "local", accountKey: key, dataDir, executor: processExecutor() });
    const url = await service.listen();
    const env = { ...SECRETS, AZURE_BATCH_ACCESS_KEY: key, AZURE_BATCH_ACCOUNT: "local" };
    const spec = join(work, "spec.yaml");
    writeFileSync(spec, specText("secrets-job"));
    const outputs: Record<string, string> = {};
    try {
      const run = async (name: string, args: string[], expected: number) => {
        const r = await cli(args, env);
        outputs[name] = r.out;
        expect({ name, code: r.code }).toEqual({ name, code: expected });
      };
      await run("validate", ["validate", spec], EXIT.ok);
      await run("plan json", ["plan", spec, "--format", "json"], EXIT.ok);
      await run("plan text", ["plan", spec], EXIT.ok);
      await run("run", ["run", spec, "--account-url", url, "--poll-interval", "0.05", "--debug"], EXIT.taskFailed);
      await run("status", ["status", "secrets-job", "--account-url", url], EXIT.taskFailed);
      await run("logs", ["logs", "secrets-job", "leak", "--account-url", url], EXIT.ok);
      await run("logs stderr", ["logs", "secrets-job", "leak", "--account-url", url, "--file", "stderr.txt"], EXIT.ok);
      writeFileSync(join(work, "invalid.yaml"), specText("secrets-job", '"bad id {{ env.DBPW }}"'));
      await run("invalid", ["validate", join(work, "invalid.yaml")], EXIT.invalid);

      // The task really printed them, and the service has them: what is redacted was there.
      const taskDir = service.jobs.get("secrets-job")!.tasks.get("leak")!.taskDir!;
      expect(filesUnder(taskDir).some((f) => f.endsWith("stdout.txt"))).toBe(true);
      expect(outputs.logs).toContain("out <redacted> <redacted> <redacted>");
      expect(outputs.run).toContain("FAIL leak");
      expect(outputs.invalid).toContain("tasks.list[0].id");
    } finally {
      await service.close();
    }

    // run --local: its account's state (task output included) in the account's folder, nothing in the temp dir.
    const temp = join(work, "tmp");
    rmSync(temp, { recursive: true, force: true });
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    try {
      (await import("node:fs")).mkdirSync(temp);
      writeFileSync(join(work, "local.yaml"), specText("secrets-local"));
      const local = await cli(["run", join(work, "local.yaml"), "--local", "--executor", "process", "--poll-interval", "0.05"], {
        ...env,
        AZBR_LOCAL_DIR: join(work, "home"),
      });
      outputs.local = local.out;
      expect(local.code).toBe(EXIT.taskFailed);
      expect(filesUnder(temp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }

    for (const [name, text] of Object.entries(outputs)) expect({ name, leaks: leaks(text) }).toEqual({ name, leaks: [] });
  });

  test("one redactor: run's failure tail hides what logs hides, a value written inline in the spec included", async () => {
    const key = Buffer.from("cli one redactor key").toString("base64");
    const service = new LocalBatchService({ accountName: "local", accountKey: key, dataDir: join(work, "one"), executor: processExecutor() });
    const url = await service.listen();
    const inline = "inline-Literal-Key-9f8e7d";
    const spec = join(work, "inline.yaml");
    writeFileSync(
      spec,
      specText("inline-job")
        .replace(
          'env: { DB_PASSWORD: "{{ env.DBPW }}", TOKEN: "{{ env.API_TOKEN }}" }',
          `env: { DB_PASSWORD: "{{ env.DBPW }}", TOKEN: "{{ env.API_TOKEN }}", SERVICE_KEY: "${inline}" }`,
        )
        .replace('echo "err $DB_PASSWORD" >&2', 'echo "err $DB_PASSWORD $SERVICE_KEY" >&2'),
    );
    try {
      const env = { ...SECRETS, AZURE_BATCH_ACCESS_KEY: key, AZURE_BATCH_ACCOUNT: "local" };
      const run = await cli(["run", spec, "--account-url", url, "--poll-interval", "0.05"], env);
      const logs = await cli(["logs", "inline-job", "leak", "--account-url", url, "--file", "stderr.txt"], env);
      expect(run.code).toBe(EXIT.taskFailed);
      expect(run.out).toContain("err <redacted> <redacted>");
      expect(logs.out).toContain("err <redacted> <redacted>");
      for (const text of [run.out, logs.out]) expect(text).not.toContain(inline);
    } finally {
      await service.close();
    }
  });
});
