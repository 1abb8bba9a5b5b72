/** The CLI contract: commands, output streams, exit codes, and no secret in any output. */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { EXIT, main } from "../../cli/main.js";
import { batchError, sendJson, startServer } from "../helpers/server.js";
import { startScriptedBatch } from "../helpers/scriptedBatch.js";
import { baseSpec, merge } from "../helpers/specs.js";

const dir = mkdtempSync(join(tmpdir(), "azbr-cli-"));
const SECRET_ENV = {
  API_TOKEN: "tok-9f8e7d6c5b4a",
  REG_PASSWORD: "pw-Zq8-very-secret",
  OUT_SAS: "sv=2024-01-01&se=2030-01-01&sp=rw&sig=SECRETsig%2Babc%3D",
  AZURE_BATCH_ACCESS_KEY: Buffer.from("account-key-secret").toString("base64"),
};

function specFile(patch: Record<string, any> = {}, name = `spec-${Math.random().toString(16).slice(2)}.yaml`): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(merge(baseSpec(), patch)));
  return path;
}

async function cli(args: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  (stderr as unknown as PassThrough).on("data", (d) => (err += d));
  const code = await main(args, { stdout, stderr, env: { ...SECRET_ENV, ...env } });
  return { code, stdout: out, stderr: err };
}

const secretSpec = {
  pool: { container: { type: "dockerCompatible", registries: [{ server: "reg.example.com", username: "me", password: "{{ env.REG_PASSWORD }}" }] } },
  tasks: {
    list: [
      {
        id: "t1",
        command: "/app/run",
        env: { API_TOKEN: "{{ env.API_TOKEN }}" },
        outputs: [{ pattern: "out/**", container: "https://acct.blob.core.windows.net/results?{{ env.OUT_SAS }}" }],
      },
    ],
  },
};

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose) await c();
  toClose = [];
});

describe("validate and plan", () => {
  test("plan and validate need no secrets: unset secret references are placeholders, and run says what it needs", async () => {
    const empty = { REG_PASSWORD: undefined, API_TOKEN: undefined, OUT_SAS: undefined } as unknown as Record<string, string>;
    const file = specFile(secretSpec);
    const planned = await cli(["plan", file, "--format", "json"], empty);
    expect(planned.code).toBe(EXIT.ok);
    const calls = JSON.parse(planned.stdout);
    expect(calls[0].body.virtualMachineConfiguration.containerConfiguration.containerRegistries[0].password).toBe("<redacted>");
    expect(calls[2].body.value[0].environmentSettings).toEqual([
      { name: "API_TOKEN", value: "<redacted>" },
      { name: "AZBR_SECRET_ENV", value: "API_TOKEN" },
    ]);
    expect(calls[2].body.value[0].outputFiles[0].destination.container.containerUrl).toBe("https://acct.blob.core.windows.net/results?<redacted>");
    expect(planned.stderr).toBe(["API_TOKEN", "OUT_SAS", "REG_PASSWORD"].map((n) => `note: ${n} is not set: shown as <redacted>; run will need it\n`).join(""));
    const validated = await cli(["validate", file], { ...empty, API_TOKEN: "set-token-value" });
    expect(validated).toEqual({
      code: EXIT.ok,
      stdout: "valid: pool pool-1, job job-1, 1 task\nsecrets run will need: API_TOKEN, OUT_SAS (not set here), REG_PASSWORD (not set here)\n",
      stderr: "",
    });
    const run = await cli(["run", file, "--account-url", "https://acct.westeurope.batch.azure.com"], empty);
    expect(run.code).toBe(EXIT.invalid);
    expect(run.stderr).toContain('pool.container.registries[0].password: unknown variable "env.REG_PASSWORD"');
  });

  test("every example plans as it is, without --var or secrets", async () => {
    const examples = readdirSync(new URL("../../examples", import.meta.url)).filter((f) => f.endsWith(".yaml"));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const name of examples) {
      const r = await cli(["plan", fileURLToPath(new URL(`../../examples/${name}`, import.meta.url))], {});
      // Only the note that a secret the spec reads is not set here (a container URL with its SAS, say).
      const stderr = r.stderr.replace(/^note: [A-Z_]+ is not set: shown as <redacted>; run will need it\n/gm, "");
      expect({ name, code: r.code, stderr }).toEqual({ name, code: EXIT.ok, stderr: "" });
    }
  });

  test("validate: exit 0 with a summary on stdout", async () => {
    const r = await cli(["validate", specFile()]);
    expect(r).toEqual({ code: EXIT.ok, stdout: "valid: pool pool-1, job job-1, 1 task\n", stderr: "" });
  });

  test("validate: exit 2 with every problem on stderr, field paths first", async () => {
    const r = await cli(["validate", specFile({ job: { id: "bad id" }, pool: { container: { type: "podman" } } })]);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^invalid spec:\n/);
    expect(r.stderr).toContain("  pool.container.type: ");
  });

  test("plan --format json: one {method, path, query, body} per REST call, secrets redacted", async () => {
    const r = await cli(["plan", specFile(secretSpec), "--format", "json"]);
    expect(r.code).toBe(EXIT.ok);
    const calls = JSON.parse(r.stdout);
    expect(calls.map((c: any) => Object.keys(c))).toEqual(Array(4).fill(["method", "path", "query", "body"]));
    // The job a waiting run creates ends itself: created with noaction and a 7-day wall clock, set to terminatejob once its tasks are in.
    expect(calls.map((c: any) => `${c.method} ${c.path}`)).toEqual(["POST /pools", "POST /jobs", "POST /jobs/job-1/addtaskcollection", "PATCH /jobs/job-1"]);
    expect(calls[1].body).toMatchObject({ onAllTasksComplete: "noaction", constraints: { maxWallClockTime: "P7D" } });
    expect(calls[3].body).toEqual({ onAllTasksComplete: "terminatejob" });
    expect(calls[0].query).toEqual({ "api-version": "2025-06-01" });
    expect(calls[0].body.virtualMachineConfiguration.containerConfiguration.containerRegistries[0]).toEqual({
      registryServer: "reg.example.com",
      username: "me",
      password: "<redacted>",
    });
    expect(calls[2].body.value[0].outputFiles[0].destination.container.containerUrl).toBe("https://acct.blob.core.windows.net/results?<SAS redacted>");
    expect(calls[2].body.value[0].environmentSettings).toEqual([
      { name: "API_TOKEN", value: "<redacted>" },
      // The names whose values carry a secret, for readers of the task's output (redaction by source).
      { name: "AZBR_SECRET_ENV", value: "API_TOKEN" },
    ]);
    expect(r.stdout).not.toContain(SECRET_ENV.REG_PASSWORD);
    expect(r.stdout).not.toContain(SECRET_ENV.API_TOKEN);
    expect(r.stdout).not.toContain("SECRETsig");
  });

  test("plan needs no credentials or account", async () => {
    const r = await cli(["plan", specFile()], { AZURE_BATCH_ACCESS_KEY: "" });
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout.trim().split("\n")).toEqual(["POST /pools", "POST /jobs", "POST /jobs/job-1/addtaskcollection  (1 task)", "PATCH /jobs/job-1"]);
  });

  test.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["plan"], /missing <spec>/],
    [["plan", "/nonexistent/spec.yaml"], /cannot read spec \/nonexistent\/spec\.yaml: there is no such file/],
    [["plan", "x.yaml", "--bogus"], /unknown option --bogus \(azure-batch-run --help lists them\)/],
    [["plan", "x.yaml", "--var", "novalue"], /--var "novalue": expected name=value/],
    [["run", "x.yaml", "--cleanup", "everything"], /--cleanup "everything": expected job, pool or none/],
    [["run", "x.yaml", "--poll-interval", "soon"], /--poll-interval "soon": expected seconds/],
    [["run", "x.yaml", "--concurrency", "0"], /--concurrency "0": expected a whole number from 1 to 64 \(default 32\)/],
    [["run", "x.yaml", "--concurrency", "65"], /--concurrency "65": expected a whole number from 1 to 64/],
    [["run", "x.yaml", "--concurrency", "2.5"], /--concurrency "2.5": expected a whole number/],
    [["plan", "x.yaml", "--concurrency", "4"], /--concurrency/],
    [[], /usage: azure-batch-run/],
  ])("bad arguments %j: exit 2", async (args, message) => {
    const r = await cli(args as string[]);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.stderr).toMatch(message);
  });

  test("run without any account: exit 2 naming the three ways to give one", async () => {
    const r = await cli(["run", specFile()]);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.stderr).toMatch(/account\.url.*--account-url.*AZURE_BATCH_ACCOUNT_URL/);
  });
});

describe("run against a service", () => {
  test("exit 0 when every task succeeds; the summary on stdout, progress on stderr; no secret anywhere", async () => {
    const service = await startScriptedBatch();
    toClose.push(service.close);
    const r = await cli(["run", specFile(secretSpec), "--account-url", service.url, "--poll-interval", "0.01", "--cleanup", "job"]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^job job-1 on pool pool-1\nok {3}t1 {2}exit 0 {2}3\.0s\n1 succeeded, 0 failed\n$/);
    expect(r.stderr).toContain("created pool pool-1");
    expect(r.stderr).toContain("deleted job job-1");
    for (const secret of Object.values(SECRET_ENV)) {
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
    // The password does travel, once, to the service that needs it.
    expect(service.requests.find((q) => q.path === "/pools" && q.method === "POST")!.body).toContain(SECRET_ENV.REG_PASSWORD);
  });

  test("a spec's foreign account.url is refused before any request (exit 2); through --account-url the caller's endpoint is used", async () => {
    const service = await startScriptedBatch();
    toClose.push(service.close);
    const foreign = specFile({ account: { url: "https://collector.example.com" } });
    const refused = await cli(["run", foreign, "--poll-interval", "0.01"], { AZURE_BATCH_ACCOUNT_URL: service.url });
    expect(refused.code).toBe(EXIT.invalid);
    expect(refused.stderr).toMatch(/account\.url: https:\/\/collector\.example\.com is not an Azure Batch endpoint .* give that endpoint with --account-url/);
    expect(service.requests).toEqual([]);
    const explicit = await cli(["run", foreign, "--account-url", service.url, "--poll-interval", "0.01"]);
    expect(explicit.code).toBe(EXIT.ok);
    expect(service.requests.length).toBeGreaterThan(0);
  });

  test("--concurrency bounds the addtaskcollection requests in flight; without it, the default (32)", async () => {
    const many = specFile({ tasks: { list: [{ id: "t{{ item }}", command: "/bin/true", forEach: { range: [1, 4000] } }] } });
    for (const [args, most] of [
      [["--concurrency", "3"], 3],
      [[], 32],
    ] as const) {
      const service = await startScriptedBatch({ addDelayMs: 200 });
      toClose.push(service.close);
      const r = await cli(["run", many, "--account-url", service.url, "--no-wait", ...args]);
      expect(r.code).toBe(EXIT.ok);
      expect(service.adds.maxInFlight).toBe(most);
    }
  });

  test("exit 1 when a task fails, with its log tail", async () => {
    const service = await startScriptedBatch({ exitCodeOf: () => 7 });
    toClose.push(service.close);
    const r = await cli(["run", specFile(), "--account-url", service.url, "--poll-interval", "0.01"]);
    expect(r.code).toBe(EXIT.taskFailed);
    expect(r.stdout).toContain("FAIL t1  exit 7");
    expect(r.stderr).toContain("the last line of stderr.txt for t1");
  });

  test("exit 3 on an auth error, classified as such, with the code and request-id", async () => {
    const server = await startServer((_req, res) =>
      sendJson(res, 403, batchError("AuthenticationFailed", "Server failed to authenticate the request."), { "request-id": "rid-403" }),
    );
    toClose.push(server.close);
    const r = await cli(["run", specFile(), "--account-url", server.url]);
    expect(r.code).toBe(EXIT.service);
    expect(r.stderr).toMatch(
      /^auth error: AuthenticationFailed: Server failed to authenticate the request\. \(HTTP 403 on GET \/pools\/pool-1, request-id rid-403\)\n$/,
    );
  });

  test("exit 2 when an existing pool differs, with nothing created", async () => {
    const service = await startScriptedBatch({ existingPool: { id: "pool-1", vmSize: "Standard_A1_v2" } });
    toClose.push(service.close);
    const r = await cli(["run", specFile(), "--account-url", service.url, "--poll-interval", "0.01"]);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.stderr).toContain("pool pool-1 exists but differs from the spec");
    expect(service.jobs.size).toBe(0);
  });

  test("status and logs", async () => {
    const service = await startScriptedBatch({ exitCodeOf: () => 1 });
    toClose.push(service.close);
    await cli(["run", specFile(), "--account-url", service.url, "--poll-interval", "0.01"]);
    const status = await cli(["status", "job-1", "--account-url", service.url]);
    expect(status).toMatchObject({
      code: EXIT.taskFailed,
      stdout: "job job-1 (active) on pool pool-1\nactive 0, running 0, completed 1 (succeeded 0, failed 1)\n",
    });
    const logs = await cli(["logs", "job-1", "t1", "--account-url", service.url, "--file", "stderr.txt"]);
    expect(logs).toMatchObject({ code: EXIT.ok, stdout: "line 1\nthe last line of stderr.txt for t1\n" });
  });
});

describe("the installed command", () => {
  test("npx-style bin: JSON plan on stdout, exit codes from the process", async () => {
    const run = promisify(execFile);
    const bin = new URL("../../bin/azure-batch-run.js", import.meta.url).pathname;
    const ok = await run(process.execPath, [bin, "plan", specFile(), "--format", "json"]);
    expect(JSON.parse(ok.stdout)).toHaveLength(4);
    const bad = await run(process.execPath, [bin, "validate", specFile({ job: { id: "no good" } })]).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining("job.id") });
  });
});
