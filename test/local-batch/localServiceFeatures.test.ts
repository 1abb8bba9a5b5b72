/** More of the local service's Batch semantics, on the process executor. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, test } from "vitest";
import type { CloudJob, CloudTask, ComputeNode } from "../../shared/batch/types.js";
import { BatchClient } from "../../shared/client/batchClient.js";
import { EXIT, main } from "../../cli/main.js";
import { processExecutor } from "../../local-batch/runtime/executors.js";
import { LocalBatchService } from "../../local-batch/service.js";
import { chooseExecutor, ExecutorUnavailableError } from "../../local-batch/start.js";

const KEY = Buffer.from("features key").toString("base64");
let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

async function start(acceptBearer = false) {
  const dataDir = mkdtempSync(join(tmpdir(), "azbr-features-"));
  // Schedules' clock 60x: a recurrence of one minute (Batch's least) comes every second.
  const service = new LocalBatchService({ accountName: "local", accountKey: KEY, dataDir, executor: processExecutor(), acceptBearer, scheduleTimeScale: 60 });
  const url = await service.listen();
  const client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: KEY } });
  toClose.push(
    () => service.close(),
    () => client.close(),
  );
  return { service, client, url, dataDir };
}

const POOL = {
  id: "p",
  vmSize: "standard_d2s_v3",
  virtualMachineConfiguration: {
    imageReference: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
    nodeAgentSKUId: "batch.node.ubuntu 24.04",
  },
  targetDedicatedNodes: 1,
  taskSlotsPerNode: 4,
};

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const nodes = (client: BatchClient, pool: string) => client.json<{ value: ComputeNode[] }>("GET", `/pools/${pool}/nodes`).then((r) => r.value);

describe("local service semantics", () => {
  test("a start task runs on the node first; a failed one with waitForSuccess leaves the node starttaskfailed", async () => {
    const { client } = await start();
    await client.send("POST", "/pools", {
      body: { ...POOL, startTask: { commandLine: "/bin/sh -c 'echo ready > $AZ_BATCH_NODE_STARTUP_DIR/marker'", waitForSuccess: true } },
    });
    const good = await until(
      () => nodes(client, "p"),
      (n) => n[0]?.state === "idle",
    );
    expect(good[0]).toMatchObject({ state: "idle", startTaskInfo: { state: "completed", exitCode: 0, result: "success" } });
    await client.send("POST", "/pools", { body: { ...POOL, id: "bad", startTask: { commandLine: "/bin/sh -c 'exit 4'", waitForSuccess: true } } });
    const bad = await until(
      () => nodes(client, "bad"),
      (n) => n[0]?.state === "starttaskfailed",
    );
    expect(bad[0]).toMatchObject({ state: "starttaskfailed", startTaskInfo: { exitCode: 4, result: "failure", failureInfo: { code: "FailureExitCode" } } });
  });

  test("headers: request-id always, client-request-id echoed when asked, ETag on gets", async () => {
    const { client } = await start();
    await client.send("POST", "/pools", { body: POOL });
    const r = await client.send("GET", "/pools/p", { headers: { "client-request-id": "abc-123" } });
    expect(r.headers["request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers["client-request-id"]).toBe("abc-123");
    expect(r.headers.etag).toMatch(/^0x[0-9A-F]+$/);
  });

  test("bearer tokens are accepted in dev mode only", async () => {
    const strict = await start(false);
    const dev = await start(true);
    const credential = { getToken: async () => ({ token: "dev-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const a = new BatchClient({ accountUrl: strict.url, auth: { kind: "entra", credential } });
    const b = new BatchClient({ accountUrl: dev.url, auth: { kind: "entra", credential } });
    toClose.push(
      () => a.close(),
      () => b.close(),
    );
    expect(((await a.send("GET", "/pools").catch((e: unknown) => e)) as { code: string }).code).toBe("AuthenticationFailed");
    expect((await b.send("GET", "/pools")).status).toBe(200);
  });

  test("dependsOn id ranges, onAllTasksComplete terminatejob, and paging of task lists", async () => {
    const { client } = await start();
    await client.send("POST", "/pools", { body: POOL });
    // As Batch documents it: a job with terminatejob and no tasks has all its tasks complete, and ends at once.
    await client.send("POST", "/jobs", { body: { id: "empty", poolInfo: { poolId: "p" }, onAllTasksComplete: "terminatejob" } });
    expect(await client.json<CloudJob>("GET", "/jobs/empty")).toMatchObject({ state: "completed", executionInfo: { terminateReason: "AllTasksComplete" } });
    // So tasks go into a job made with noaction, which is then set to terminatejob (and cannot go back).
    await client.send("POST", "/jobs", { body: { id: "j", poolInfo: { poolId: "p" }, usesTaskDependencies: true, onAllTasksComplete: "noaction" } });
    const value = [
      ...[1, 2, 3].map((i) => ({ id: String(i), commandLine: "/bin/sh -c 'sleep 0.2'" })),
      { id: "after", commandLine: "/bin/true", dependsOn: { taskIdRanges: [{ start: 1, end: 3 }] } },
    ];
    await client.send("POST", "/jobs/j/addtaskcollection", { body: { value } });
    await client.send("PATCH", "/jobs/j", { body: { onAllTasksComplete: "terminatejob" } });
    await expect(client.send("PATCH", "/jobs/j", { body: { onAllTasksComplete: "noaction" } })).rejects.toMatchObject({
      statusCode: 400,
      code: "InvalidPropertyValue",
    });
    const job = await until(
      () => client.json<CloudJob>("GET", "/jobs/j"),
      (j) => j.state === "completed",
    );
    expect(job).toMatchObject({ state: "completed", executionInfo: { terminateReason: "AllTasksComplete" } });
    const tasks: CloudTask[] = [];
    for await (const t of client.list<CloudTask>("/jobs/j/tasks", { query: { maxresults: 2, $select: "id,executionInfo" } })) tasks.push(t);
    expect(tasks.map((t) => t.id)).toEqual(["1", "2", "3", "after"]);
    const after = tasks[3]!.executionInfo!;
    for (const t of tasks.slice(0, 3)) expect(Date.parse(after.startTime!)).toBeGreaterThanOrEqual(Date.parse(t.executionInfo!.endTime!));
  });

  test("run stops, exit 1, when the remaining tasks wait on a failed dependency (Batch would keep them forever)", async () => {
    const { url } = await start();
    const spec = join(mkdtempSync(join(tmpdir(), "azbr-blocked-")), "spec.yaml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      spec,
      JSON.stringify({
        pool: { id: "p", vmSize: "Standard_D2s_v3", image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" } },
        job: { id: "blocked" },
        tasks: {
          list: [
            { id: "a", command: "/bin/false" },
            { id: "b", command: "/bin/true", dependsOn: ["a"] },
            { id: "c", command: "/bin/true", dependsOn: ["b"] },
            { id: "d", command: "/bin/true" },
          ],
        },
      }),
    );
    const out = new PassThrough();
    let stdout = "";
    out.on("data", (d) => (stdout += d));
    const code = await main(["run", spec, "--account-url", url, "--poll-interval", "0.05"], {
      stdout: out,
      stderr: new PassThrough() as unknown as NodeJS.WriteStream,
      env: { AZURE_BATCH_ACCESS_KEY: KEY, AZURE_BATCH_ACCOUNT: "local" },
    });
    expect(code).toBe(EXIT.taskFailed);
    expect(stdout).toContain("1 succeeded, 1 failed");
    expect(stdout).toContain("2 blocked (a task they depend on failed): b, c");
  });

  test("SIGINT to the CLI terminates the job and exits 130", async () => {
    const { url, client } = await start();
    const { writeFileSync } = await import("node:fs");
    const { spawn } = await import("node:child_process");
    const spec = join(mkdtempSync(join(tmpdir(), "azbr-sigint-")), "spec.yaml");
    writeFileSync(
      spec,
      JSON.stringify({
        pool: { id: "p", vmSize: "Standard_D2s_v3", image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" } },
        job: { id: "cancel-me" },
        tasks: { list: [{ id: "long", command: "/bin/sleep 60" }] },
      }),
    );
    const bin = new URL("../../bin/azure-batch-run.js", import.meta.url).pathname;
    const child = spawn(process.execPath, [bin, "run", spec, "--account-url", url, "--poll-interval", "0.1"], {
      env: { ...process.env, AZURE_BATCH_ACCESS_KEY: KEY, AZURE_BATCH_ACCOUNT: "local" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await until(
      () => client.json<CloudTask>("GET", "/jobs/cancel-me/tasks/long").catch(() => undefined),
      (t) => t?.state === "running",
      20_000,
    );
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toContain("cancelled: job cancel-me terminated");
    const job = await client.json<CloudJob>("GET", "/jobs/cancel-me");
    expect(job).toMatchObject({ state: "completed", executionInfo: { terminateReason: "Cancelled by azure-batch-run" } });
    expect((await client.json<CloudTask>("GET", "/jobs/cancel-me/tasks/long")).executionInfo?.failureInfo?.code).toBe("TaskEnded");
  }, 40_000);

  test.each([1, 2])(
    "%i SIGINT(s) during the pool wait of run --local: exit 130, and the start task's process is gone",
    async (signals) => {
      const { writeFileSync, readFileSync, existsSync } = await import("node:fs");
      const { spawn } = await import("node:child_process");
      const dir = mkdtempSync(join(tmpdir(), "azbr-sigint-local-"));
      const pidFile = join(dir, "start.pid");
      const spec = join(dir, "spec.yaml");
      writeFileSync(
        spec,
        JSON.stringify({
          pool: {
            id: "p",
            vmSize: "Standard_D2s_v3",
            image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
            startTask: { command: `/bin/sh -c 'echo $$ > ${pidFile}; exec /bin/sleep 300'` },
          },
          job: { id: "j" },
          tasks: { list: [{ id: "t", command: "/bin/true" }] },
        }),
      );
      const bin = new URL("../../bin/azure-batch-run.js", import.meta.url).pathname;
      const child = spawn(process.execPath, [bin, "run", spec, "--local", "--executor", "process", "--poll-interval", "0.1"], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, AZBR_LOCAL_DIR: join(dirname(spec), `home-${signals}`) },
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      await until(async () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", Boolean, 20_000);
      const pid = Number(readFileSync(pidFile, "utf8"));
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      expect(alive()).toBe(true);
      for (let i = 0; i < signals; i++) child.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(
        await until(
          async () => alive(),
          (a) => !a,
          5_000,
        ),
      ).toBe(false);
      rmSync(dir, { recursive: true, force: true });
    },
    40_000,
  );

  test("a process that exits abruptly while a task runs leaves no orphan behind", async () => {
    const { execFile } = await import("node:child_process");
    const { readFileSync, writeFileSync } = await import("node:fs");
    const dir = mkdtempSync(join(tmpdir(), "azbr-exit-"));
    const pidFile = join(dir, "task.pid");
    const script = join(dir, "exit-abruptly.mts");
    const executors = new URL("../../local-batch/runtime/executors.ts", import.meta.url).pathname;
    writeFileSync(
      script,
      `import { processExecutor } from ${JSON.stringify(executors)};
       import { existsSync } from "node:fs";
       const run = processExecutor().run({ name: "t", commandLine: "/bin/sh -c 'echo $$ > ${pidFile}; exec /bin/sleep 300'", env: {}, taskDir: ${JSON.stringify(dir)}, workingDir: ${JSON.stringify(dir)}, signal: new AbortController().signal });
       const wait = setInterval(() => { if (existsSync(${JSON.stringify(pidFile)})) { clearInterval(wait); setTimeout(() => process.exit(3), 50); } }, 20);
       await run;`,
    );
    const tsx = new URL("../../node_modules/.bin/tsx", import.meta.url).pathname;
    const code = await new Promise<number | null>((resolve) =>
      execFile(tsx, [script], (error) => resolve(error ? ((error as { code?: number }).code ?? null) : 0)),
    );
    expect(code).toBe(3);
    const pid = Number(readFileSync(pidFile, "utf8"));
    const gone = await until(
      async () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      Boolean,
      5_000,
    );
    expect(gone).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  test("a job schedule's recurrence really creates jobs, whose job manager runs", async () => {
    const { client } = await start();
    await client.send("POST", "/pools", { body: POOL });
    await client.send("POST", "/jobschedules", {
      body: {
        id: "nightly",
        schedule: { recurrenceInterval: "PT1M" },
        jobSpecification: { poolInfo: { poolId: "p" }, jobManagerTask: { id: "manager", commandLine: "/bin/sh -c 'echo managing $AZ_BATCH_JOB_ID'" } },
      },
    });
    const jobs = await until(
      async () => {
        const list: CloudJob[] = [];
        for await (const j of client.list<CloudJob>("/jobs")) list.push(j);
        return list;
      },
      (l) => l.filter((j) => j.state === "completed").length >= 2,
      8_000,
    );
    expect(jobs.map((j) => j.id)).toEqual(expect.arrayContaining(["nightly:job-1", "nightly:job-2"]));
    const out = await client.send("GET", `/jobs/${encodeURIComponent("nightly:job-1")}/tasks/manager/files/stdout.txt`);
    expect(out.bodyText).toBe("managing nightly:job-1\n");
    const schedule = await client.json<{ executionInfo: { recentJob?: { id: string } } }>("GET", "/jobschedules/nightly");
    expect(schedule.executionInfo.recentJob?.id).toMatch(/^nightly:job-\d+$/);
    await client.send("DELETE", "/jobschedules/nightly");
    expect((await client.send("GET", "/jobschedules/nightly", { accept: [404] })).status).toBe(404);
  });

  test("job preparation runs once per node before the tasks; job release runs there when the job ends", async () => {
    const { client, dataDir } = await start();
    await client.send("POST", "/pools", { body: POOL });
    await client.send("POST", "/jobs", {
      body: {
        id: "pr",
        poolInfo: { poolId: "p" },
        onAllTasksComplete: "noaction",
        jobPreparationTask: { commandLine: "/bin/sh -c 'echo prepared >> $AZ_BATCH_NODE_SHARED_DIR/prep.log'" },
        jobReleaseTask: { commandLine: "/bin/sh -c 'echo released >> $AZ_BATCH_NODE_SHARED_DIR/prep.log'" },
      },
    });
    await client.send("POST", "/jobs/pr/addtaskcollection", {
      body: { value: [1, 2, 3].map((i) => ({ id: `t${i}`, commandLine: "/bin/sh -c 'cat $AZ_BATCH_NODE_SHARED_DIR/prep.log'" })) },
    });
    await client.send("PATCH", "/jobs/pr", { body: { onAllTasksComplete: "terminatejob" } });
    const { readFileSync, existsSync } = await import("node:fs");
    const log = join(dataDir, "pools", "p", "nodes", "tvmps_local_p_1", "shared", "prep.log");
    await until(
      async () => (existsSync(log) ? readFileSync(log, "utf8") : ""),
      (t) => t.includes("released"),
    );
    expect(readFileSync(log, "utf8")).toBe("prepared\nreleased\n");
    for (const id of ["t1", "t2", "t3"]) expect((await client.send("GET", `/jobs/pr/tasks/${id}/files/stdout.txt`)).bodyText).toBe("prepared\n");
  });

  test("task files: list with recursion, files under wd/, byte ranges", async () => {
    const { client } = await start();
    await client.send("POST", "/pools", { body: POOL });
    await client.send("POST", "/jobs", { body: { id: "f", poolInfo: { poolId: "p" } } });
    await client.send("POST", "/jobs/f/tasks", { body: { id: "t", commandLine: "/bin/sh -c 'mkdir -p out && echo 0123456789 > out/data.txt && echo done'" } });
    await until(
      () => client.json<CloudTask>("GET", "/jobs/f/tasks/t"),
      (t) => t.state === "completed",
    );
    const files = await client.json<{ value: { name: string; isDirectory: boolean; properties?: { contentLength: number } }[] }>(
      "GET",
      "/jobs/f/tasks/t/files",
      { query: { recursive: true } },
    );
    expect(files.value.map((f) => f.name).sort()).toEqual(["stderr.txt", "stdout.txt", "wd", "wd/out", "wd/out/data.txt"]);
    expect((await client.send("GET", "/jobs/f/tasks/t/files/wd/out/data.txt", { headers: { "ocp-range": "bytes=2-5" } })).bodyText).toBe("2345");
    expect((await client.send("GET", "/jobs/f/tasks/t/files/stdout.txt")).bodyText).toBe("done\n");
    expect((await client.send("GET", "/jobs/f/tasks/t/files/..%2F..%2Fsecret", { accept: [404] })).status).toBe(404);
  });

  test("executors: an explicit docker executor without an engine is refused; auto falls back to processes with a warning", async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = "unix:///nonexistent/docker.sock";
    try {
      await expect(chooseExecutor("docker", tmpdir(), () => {})).rejects.toBeInstanceOf(ExecutorUnavailableError);
      const warnings: string[] = [];
      expect((await chooseExecutor("auto", tmpdir(), (m) => warnings.push(m))).kind).toBe("process");
      expect(warnings).toEqual([expect.stringContaining("container images are not used")]);
      const err = new PassThrough();
      let stderr = "";
      err.on("data", (d) => (stderr += d));
      const home = mkdtempSync(join(tmpdir(), "azbr-no-docker-home-"));
      const code = await main(["run", "examples/render.yaml", "--local", "--executor", "docker"], {
        stdout: new PassThrough(),
        stderr: err as unknown as NodeJS.WriteStream,
        env: { AZBR_LOCAL_DIR: home },
      }).finally(() => rmSync(home, { recursive: true, force: true }));
      expect(code).toBe(EXIT.invalid);
      expect(stderr).toContain("--executor docker: no Docker engine answers");
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
