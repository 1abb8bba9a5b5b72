/**
 * Output that reads well: each task line once when stdout and stderr go to one file; the live line
 * ended before anything else prints; a reader that stops early ends the command quietly; errors say
 * what is wrong and what to type instead; a job that does not exist is invalid input (exit 2).
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, test } from "vitest";
import { createConsoleReporter } from "../../cli/consoleReporter.js";
import { EXIT } from "../../cli/main.js";
import { runCli } from "../helpers/cli.js";
import { requirement } from "../helpers/requirements.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const BIN = join(ROOT, "bin/azure-batch-run.js");
const dir = mkdtempSync(join(tmpdir(), "azbr-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shellMissing = requirement("a POSIX shell at /bin/sh", process.platform !== "win32");

describe("output that reads well", () => {
  test.skipIf(shellMissing)("stdout and stderr into one file: every task line once", () => {
    const spec = join(dir, "three.json");
    writeFileSync(
      spec,
      JSON.stringify({
        pool: { id: "p", vmSize: "Standard_D2s_v3", image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" } },
        job: { id: "j" },
        tasks: { list: [{ id: "t{{ item }}", command: "/bin/sh -c 'echo {{ item }}'", forEach: { range: [1, 3] } }] },
      }),
    );
    const out = join(dir, "both.txt");
    const fd = openSync(out, "w");
    const r = spawnSync(process.execPath, [BIN, "run", spec, "--local", "--executor", "process", "--poll-interval", "0.1"], {
      stdio: ["ignore", fd, fd],
      env: { ...process.env, AZBR_LOCAL_DIR: join(dir, "home") },
      timeout: 60_000,
    });
    closeSync(fd);
    const text = readFileSync(out, "utf8");
    expect(r.status).toBe(0);
    for (const id of ["t1", "t2", "t3"]) expect(text.match(new RegExp(`^ok {3}${id} `, "gm"))).toHaveLength(1);
    expect(text).toContain("3 succeeded, 0 failed");
  });

  test("a reader that stops early (plan | head -1): exit 0, no stack trace", async () => {
    const child = spawn("/bin/sh", ["-c", `"${process.execPath}" "${BIN}" plan "${join(ROOT, "examples/render.yaml")}" --format json | head -1`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    expect(stdout).toBe("[\n");
    expect(stderr).toBe("");
  });

  test("the live line on a terminal is ended before anything else is written", () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean };
    stream.isTTY = true;
    let text = "";
    (stream as unknown as PassThrough).on("data", (d) => (text += d));
    const reporter = createConsoleReporter(stream);
    reporter.progress({ active: 0, running: 0, completed: 1, succeeded: 1, failed: 0 }, 1);
    reporter.end();
    reporter.end();
    expect(text).toBe("[1/1] active 0 · running 0 · succeeded 1 · failed 0\n");
  });

  test("errors say what is wrong and what to type instead", async () => {
    const flag = await runCli(["run", "spec.yaml", "--folow"]);
    expect(flag).toMatchObject({ code: EXIT.invalid, stderr: "error: unknown option --folow; did you mean --follow? (azure-batch-run --help lists them)\n" });
    const missing = await runCli(["validate", "no/such/spec.yaml"]);
    expect(missing).toMatchObject({
      code: EXIT.invalid,
      stderr: `error: cannot read spec no/such/spec.yaml: there is no such file (relative paths start at ${process.cwd()})\n`,
    });
    const folder = await runCli(["validate", dir]);
    expect(folder.stderr).toBe(`error: cannot read spec ${dir}: it is a folder; give the path of a YAML or JSON spec in it\n`);
  });

  test("examples/acr.yaml without a Docker engine: refused before anything is created, saying it needs one", async () => {
    const home = join(dir, "home-acr");
    const r = await runCli(
      ["run", join(ROOT, "examples/acr.yaml"), "--local", "--executor", "process", "--identity-map", join(ROOT, "examples/acr.local.json")],
      { AZBR_LOCAL_DIR: home, LOCAL_ACR_PASSWORD: "local-registry-password" },
    );
    expect(r.code).toBe(EXIT.invalid);
    expect(r.stderr).toContain(
      `error: ${join(ROOT, "examples/acr.yaml")} needs a Docker engine: its images come from myacr.azurecr.io through a managed identity, and without Docker the local service runs tasks as host processes, which cannot use them`,
    );
    expect(r.stderr).not.toContain("local-registry-password");
    // The example's identity map names the spec's identity and registry.
    const map = JSON.parse(readFileSync(join(ROOT, "examples/acr.local.json"), "utf8")) as { identity: string; server: string; passwordEnv: string }[];
    const acr = readFileSync(join(ROOT, "examples/acr.yaml"), "utf8");
    expect(acr).toContain(`identity: ${map[0]!.identity}`);
    expect(acr).toContain(`server: ${map[0]!.server}`);
    expect(map[0]!.passwordEnv).toBe("LOCAL_ACR_PASSWORD");
    const pools = await runCli(["jobs", "--local"], { AZBR_LOCAL_DIR: home });
    expect(pools.stdout).toBe("no jobs\n");
  });

  test("a job or task that does not exist is invalid input: exit 2", async () => {
    const home = join(dir, "home-notfound");
    const job = await runCli(["status", "no-such-job", "--local"], { AZBR_LOCAL_DIR: home });
    expect(job.code).toBe(EXIT.invalid);
    expect(job.stderr).toMatch(/^error: JobNotFound: The specified job does not exist/m);
    const task = await runCli(["tasks", "no-such-job", "--local"], { AZBR_LOCAL_DIR: home });
    expect(task.code).toBe(EXIT.invalid);
  });
});
