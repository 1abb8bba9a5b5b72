/**
 * A local account that stays: `azure-batch-run local` serves it in the foreground; `run --local`
 * runs an example on it; `status`, `logs`, `jobs` and `tasks --local` read it afterwards; stopped and
 * started again on the same folder, it still has the job.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { EXIT } from "../../cli/main.js";
import { runCli } from "../helpers/cli.js";
import { requirement } from "../helpers/requirements.js";
import { until } from "../helpers/until.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), "azbr-local-cmd-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(home, { recursive: true, force: true });
});
const shellMissing = requirement("a POSIX shell at /bin/sh", process.platform !== "win32");

/** `azure-batch-run local` in its own process, as a user starts it; resolves once it says it serves. */
async function serve(): Promise<{ child: ChildProcess; out: () => string; url: string; key: string }> {
  const child = spawn(process.execPath, [join(ROOT, "bin/azure-batch-run.js"), "local", "--local-dir", home, "--port", "0", "--executor", "process"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  await until(
    "the local service to serve",
    () => out,
    (o) => o.includes("serving until Ctrl-C") || child.exitCode !== null,
    30_000,
  );
  expect(child.exitCode).toBe(null);
  const url = /local Batch service: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
  const key = /account key: (\S+)/.exec(out)![1]!;
  return { child, out: () => out, url, key };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGINT");
  return exited;
}

describe.skipIf(shellMissing)("azure-batch-run local", () => {
  test("local, then run --local of an example, then status, logs, jobs and tasks --local; a restart still lists the job", async () => {
    const first = await serve();
    expect(first.out()).toContain(`state: ${home} (kept when it stops`);
    // The key is made once and kept, readable by its owner only.
    const account = JSON.parse(readFileSync(join(home, "account.json"), "utf8")) as { accountKey: string };
    expect(account.accountKey).toBe(first.key);
    expect(statSync(join(home, "account.json")).mode & 0o077).toBe(0);

    const env = { AZBR_LOCAL_DIR: home };
    const run = await runCli(["run", join(ROOT, "examples/render.yaml"), "--local", "--poll-interval", "0.2"], env);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toContain(`local Batch service on ${first.url} (${home})`);
    expect(run.stdout).toContain("9 succeeded, 0 failed");
    expect(run.stdout).toContain(`task outputs are kept in ${home}/data; show one with: azure-batch-run logs render-local <task-id> --local`);

    const status = await runCli(["status", "render-local", "--local"], env);
    expect(status).toMatchObject({ code: EXIT.ok });
    expect(status.stdout).toContain("completed 9 (succeeded 9, failed 0)");
    const logs = await runCli(["logs", "render-local", "frame-3", "--local", "--file", "stdout.txt"], env);
    // Redaction by source: the spec's inline, non-secret QUALITY shows.
    expect(logs).toMatchObject({ code: EXIT.ok, stdout: "rendering frame 3 at draft quality\n" });
    const tasks = await runCli(["tasks", "render-local", "--local"], env);
    expect(tasks.code).toBe(EXIT.ok);
    expect(tasks.stdout.trim().split("\n")).toHaveLength(9);
    expect(tasks.stdout).toMatch(/^ok {3}merge {2}exit 0 .* on tvmps_local_render_1$/m);
    const jobs = await runCli(["jobs", "--local"], env);
    expect(jobs.stdout).toMatch(/^render-local {2}completed {2}pool render {2}active 0, running 0, succeeded 9, failed 0$/m);

    expect(await stop(first.child)).toBe(0);
    expect(existsSync(join(home, "service.json"))).toBe(false);

    // Started again on the same folder: the same key, and the job is still there.
    const second = await serve();
    expect(second.key).toBe(first.key);
    const again = await runCli(["jobs", "--local"], env);
    expect(again.stdout).toMatch(/^render-local {2}completed {2}pool render/m);
    expect(await stop(second.child)).toBe(0);

    // With no service running, --local starts one on the folder for as long as the command needs it.
    const stopped = await runCli(["status", "render-local", "--local"], env);
    expect(stopped.code).toBe(EXIT.ok);
    expect(stopped.stdout).toContain("completed 9 (succeeded 9, failed 0)");
  }, 120_000);

  test("one service per folder, and what only a new service takes is refused while one runs", async () => {
    const served = await serve();
    try {
      const twice = await runCli(["local", "--local-dir", home, "--port", "0"]);
      expect(twice).toMatchObject({
        code: EXIT.invalid,
        stderr: `error: a local Batch service already serves ${home} at ${served.url}; use it (run --local), or stop it first\n`,
      });
      const executor = await runCli(["run", join(ROOT, "examples/render.yaml"), "--local", "--executor", "process"], { AZBR_LOCAL_DIR: home });
      expect(executor.code).toBe(EXIT.invalid);
      expect(executor.stderr).toContain(
        `error: --executor: the local service at ${served.url} serves ${home} already, with its own; give --executor to azure-batch-run local`,
      );
    } finally {
      expect(await stop(served.child)).toBe(0);
    }
  }, 60_000);
});
