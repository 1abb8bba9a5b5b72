/** Cleanup after a run: in a `finally`, limited to what the run may remove, and never a failure of its own. */
import { afterEach, describe, expect, test } from "vitest";
import { CancelledError, cleanup, loadSpecObject, PoolNotReadyError, runWorkload } from "azure-batch-run";
import { localAccount } from "../../helpers/localAccount.js";
import { recordingReporter } from "../../helpers/reporter.js";

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

function workload(options: { command?: string; startTask?: string; cleanup?: "job" | "pool" } = {}) {
  return loadSpecObject(
    {
      cleanup: options.cleanup ?? "pool",
      pool: {
        id: "tidy",
        vmSize: "Standard_D2s_v3",
        image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
        nodes: { dedicated: 1 },
        ...(options.startTask ? { startTask: { command: options.startTask } } : {}),
      },
      job: { id: "tidy-job" },
      tasks: { list: [{ id: "t", command: options.command ?? "/bin/sh -c 'exit 0'" }] },
    },
    { env: {} },
  );
}

describe("cleanup", () => {
  test("a DELETE the caller may not make leaves a successful run successful, with a warning for each", async () => {
    // A principal that may create and submit but not delete (its role lacks the permission).
    const { local, client } = await localAccount(toClose, { forbid: (method) => method === "DELETE" });
    const { reporter, lines } = recordingReporter();
    const result = await runWorkload(client, workload(), reporter, { pollIntervalMs: 50 });
    expect(result.succeeded).toBe(true);
    expect(result.created).toEqual({ pool: true, job: true });
    expect(lines.filter((l) => l.startsWith("warn:"))).toEqual([
      expect.stringMatching(
        /^warn: could not delete job tidy-job: AuthorizationFailure: This request is not authorized to perform this operation\. \(HTTP 403 on DELETE \/jobs\/tidy-job, request-id [0-9a-f-]+\)$/,
      ),
      expect.stringMatching(/^warn: could not delete pool tidy: AuthorizationFailure: .*HTTP 403 on DELETE \/pools\/tidy/),
    ]);
    expect(local.service.jobs.size).toBe(1);
    expect(local.service.pools.size).toBe(1);
  });

  test("runs when the run fails too: a pool this run created that never became usable is removed, and the error stands", async () => {
    const { local, client } = await localAccount(toClose);
    const { reporter, lines } = recordingReporter();
    const error = await runWorkload(client, workload({ startTask: "/bin/sh -c 'exit 3'" }), reporter, { pollIntervalMs: 50 }).catch((e) => e);
    expect(error).toBeInstanceOf(PoolNotReadyError);
    expect(error.message).toMatch(/start task failed \(exit code 3/);
    expect(lines).toContain("info: deleted pool tidy");
    expect(local.service.pools.size).toBe(0);
  });

  test("a run that does not wait leaves cleanup to a later call, and says so", async () => {
    const { local, client } = await localAccount(toClose);
    const { reporter, lines } = recordingReporter();
    const result = await runWorkload(client, workload(), reporter, { wait: false, pollIntervalMs: 50 });
    expect(result.succeeded).toBe(true);
    expect(lines).toContain("warn: cleanup pool skipped: the run did not wait for its tasks; clean up once they are done (azure-batch-run's cleanup)");
    expect(local.service.jobs.has("tidy-job")).toBe(true);
  });

  test("a cancelled run terminates its job, then still cleans up", async () => {
    const { local, client } = await localAccount(toClose);
    const { reporter, lines } = recordingReporter();
    const controller = new AbortController();
    const running = runWorkload(
      client,
      workload({ command: "/bin/sh -c 'sleep 300'", cleanup: "job" }),
      { ...reporter, progress: (c) => c.running > 0 && controller.abort(new Error("stop")) },
      { signal: controller.signal, pollIntervalMs: 50 },
    );
    const error = await running.catch((e) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(lines).toContain("warn: cancelled: job tidy-job terminated");
    expect(lines).toContain("info: deleted job tidy-job");
    expect(local.service.jobs.size).toBe(0);
    expect(local.service.pools.size).toBe(1); // cleanup: job keeps the pool
  });

  test("a pool another job still has tasks on is left in place, with a warning naming that job", async () => {
    const { local, client } = await localAccount(toClose);
    const { reporter, lines } = recordingReporter();
    const base = workload().spec;
    const first = await runWorkload(client, loadSpecObject({ ...base, cleanup: "none", pool: { ...base.pool, taskSlotsPerNode: 2 } }, { env: {} }), reporter, {
      pollIntervalMs: 50,
    });
    expect(first.created).toMatchObject({ pool: true, job: true });
    // Another run's job on the same pool, its task still running when this run cleans up.
    await client.send("POST", "/jobs", { body: { id: "other-run", poolInfo: { poolId: "tidy" } } });
    await client.send("POST", "/jobs/other-run/tasks", { body: { id: "busy", commandLine: "/bin/sh -c 'sleep 300'" } });
    const result = await cleanup(client, { jobId: "tidy-job", poolId: "tidy" }, reporter);
    expect(result).toEqual({ deleted: ["job tidy-job"], failed: [], kept: ["pool tidy"] });
    expect(lines).toContain("warn: pool tidy left in place: job other-run still has tasks on it; delete it when that job ends");
    expect(local.service.pools.has("tidy")).toBe(true);
    expect(local.service.jobs.get("other-run")!.tasks.get("busy")!.state).not.toBe("completed");
    // Once that job has nothing waiting or running, the pool goes.
    await client.send("POST", "/jobs/other-run/terminate");
    expect(await cleanup(client, { poolId: "tidy" }, reporter)).toEqual({ deleted: ["pool tidy"], failed: [], kept: [] });
  }, 30_000);
});
