/**
 * Quotas and Spot, as a run meets them on the local service: a Spot node preempted under a running
 * task (the task requeued and run to success, exit 0, the preemption counted, nothing reported
 * failed); the job quota full (the run waits, then goes on when a job ends); no core quota at all
 * (the run fails within its bound with the resize error's code and message, not a bare timeout).
 * Every exchange is checked against the REST definition.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { BatchClient, classifyError, loadSpecObject, PoolNotReadyError, runWorkload } from "azure-batch-run";
import type { AccountQuotas } from "../../../local-batch/account.js";
import { processExecutor } from "../../../local-batch/runtime/executors.js";
import { LocalBatchService } from "../../../local-batch/service.js";
import { runCli } from "../../helpers/cli.js";
import { ExchangeRecorder } from "../../helpers/recorder.js";
import { recordingReporter } from "../../helpers/reporter.js";
import { batchSpecMissing, requirement } from "../../helpers/requirements.js";
import { until } from "../../helpers/until.js";

const KEY = Buffer.from("quota and spot key").toString("base64");
const dir = mkdtempSync(join(tmpdir(), "azbr-quota-spot-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shellMissing = requirement("a POSIX shell at /bin/sh", process.platform !== "win32");

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

async function account(quotas: Partial<AccountQuotas> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "azbr-quota-spot-svc-"));
  const recorder = new ExchangeRecorder();
  const service = new LocalBatchService({
    accountName: "local",
    accountKey: KEY,
    dataDir,
    executor: processExecutor(),
    account: quotas,
    onExchange: recorder.record,
  });
  const url = await service.listen();
  const client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: KEY } });
  toClose.push(async () => {
    await client.close();
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { service, client, url, recorder };
}

const IMAGE = { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" };

describe.skipIf(batchSpecMissing || shellMissing)("quotas and Spot on a run", () => {
  test("a Spot node preempted under a running task: the task is requeued and runs to success, exit 0, the preemption counted", async () => {
    const { service, url, recorder } = await account();
    const spec = join(dir, "spot.json");
    writeFileSync(
      spec,
      JSON.stringify({
        pool: { id: "spot", vmSize: "Standard_D2s_v3", image: IMAGE, nodes: { spot: 1 } },
        job: { id: "spot-job" },
        // Long enough to be caught running.
        tasks: { list: [{ id: "render", command: "/bin/sh -c 'sleep 1; echo rendered'" }] },
      }),
    );
    const env = { AZURE_BATCH_ACCESS_KEY: KEY, AZURE_BATCH_ACCOUNT: "local" };
    const running = runCli(["run", spec, "--account-url", url, "--poll-interval", "0.05"], env);
    const task = await until(
      "the task running on the Spot node",
      () => service.jobs.get("spot-job")?.tasks.get("render"),
      (t) => t?.state === "running",
    );
    expect(task!.nodeInfo).toMatchObject({ nodeId: expect.stringMatching(/^tvmps_local_spot_/) });
    expect(service.preemptSpotNodes("spot", { backAfterMs: 1500 })).toHaveLength(1);
    const { code, stdout, stderr } = await running;
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok {3}render {2}exit 0 {2}requeued 1x \(its node went away\)/m);
    expect(stdout).toContain("1 succeeded, 0 failed");
    expect(stdout).toContain("1 requeued, 1 Spot node preempted: requeued tasks ran again and are counted by their last run");
    expect(stderr).toMatch(
      /warning: node tvmps_local_spot_1 of pool spot was preempted \(Spot\): its running tasks went back to the queue and run again; not a failure/,
    );
    expect(stderr).not.toMatch(/FAIL|failed 1/);
    const { problems, operations } = await recorder.validate();
    expect(problems).toEqual([]);
    expect(operations).toContain("ComputeNode_List");
  });

  test("the job quota full: the run says it waits, and goes on when a job ends", async () => {
    const { client, recorder } = await account({ activeJobsAndSchedules: 1 });
    await client.send("POST", "/pools", {
      body: { id: "busy", vmSize: "Standard_D2s_v3", virtualMachineConfiguration: { imageReference: IMAGE, nodeAgentSKUId: "batch.node.ubuntu 24.04" } },
    });
    await client.send("POST", "/jobs", { body: { id: "holding", poolInfo: { poolId: "busy" } } });
    const { reporter, lines } = recordingReporter();
    const workload = loadSpecObject(
      {
        pool: { id: "quota", vmSize: "Standard_D2s_v3", image: IMAGE, nodes: { dedicated: 1 } },
        job: { id: "waits" },
        tasks: { list: [{ id: "t1", command: "/bin/sh -c 'echo hi'" }] },
      },
      { env: {} },
    );
    const run = runWorkload(client, workload, reporter, { pollIntervalMs: 50 });
    await until(
      "the run waiting for job quota",
      () => lines.join("\n"),
      (l) => l.includes("waiting for job quota"),
    );
    expect(lines.filter((l) => l.includes("created job waits"))).toEqual([]);
    // Another hand ends the job that held the quota.
    await client.send("POST", "/jobs/holding/terminate", { body: {} });
    const result = await run;
    expect(result.succeeded).toBe(true);
    expect(lines).toContain(
      "info: waiting for job quota (active jobs and job schedules): the account has reached it; creating job waits is tried again as other work ends (for up to 30 min)",
    );
    expect(
      lines.some((l) => /^info: the account's job quota \(active jobs and job schedules\) is free again after \d+ s: creating job waits done$/.test(l)),
    ).toBe(true);
    // The job this run created ends itself once its tasks are done: it does not hold quota after the run.
    const job = await client.json<{ state: string; constraints?: { maxWallClockTime?: string } }>("GET", "/jobs/waits");
    await until(
      "the run's job to end itself",
      () => client.json<{ state: string }>("GET", "/jobs/waits"),
      (j) => j.state === "completed",
    );
    expect(job.constraints?.maxWallClockTime).toBe("P7D");
    const { problems } = await recorder.validate();
    expect(problems).toEqual([]);
  });

  test("a job quota that never frees: the run fails after its budget, saying what holds it and what to do", async () => {
    const { client } = await account({ activeJobsAndSchedules: 0 });
    const workload = loadSpecObject(
      {
        pool: { id: "q0", vmSize: "Standard_D2s_v3", image: IMAGE, nodes: { dedicated: 1 } },
        job: { id: "never" },
        tasks: { list: [{ id: "t1", command: "/bin/true" }] },
      },
      { env: {} },
    );
    const error = await runWorkload(client, workload, recordingReporter().reporter, { pollIntervalMs: 50, quotaWaitMs: 400 }).catch((e: unknown) => e);
    // A service error (a later try may succeed: the Function host retries an invocation), not a usage one.
    expect(classifyError(error)).toBe("service");
    expect(String((error as Error).message)).toMatch(
      /^creating job never: the account's job quota \(active jobs and job schedules\) is still reached after \d+ s of waiting \(ActiveJobAndScheduleQuotaReached: .*\); terminate or delete jobs that are done/,
    );
  });

  test("a start task that fails on every node: the run fails at once with each node's exit code and the tail of its stderr", async () => {
    const { client, recorder } = await account();
    const { reporter, lines } = recordingReporter();
    const workload = loadSpecObject(
      {
        pool: {
          id: "badstart",
          vmSize: "Standard_D2s_v3",
          image: IMAGE,
          nodes: { dedicated: 1 },
          startTask: { command: "/bin/sh -c 'echo preparing; echo disk not mounted >&2; exit 3'", waitForSuccess: true },
        },
        job: { id: "j" },
        tasks: { list: [{ id: "t1", command: "/bin/true" }] },
      },
      { env: {} },
    );
    const error = await runWorkload(client, workload, reporter, { pollIntervalMs: 50, poolTimeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolNotReadyError);
    const reason =
      "tvmps_local_badstart_1: start task failed (exit code 3, FailureExitCode: The task exited with an exit code representing a failure); its stderr ends: disk not mounted";
    expect((error as Error).message).toBe(`no node of pool badstart can run tasks: ${reason}`);
    expect(lines.filter((l) => l.startsWith("warn: pool badstart"))).toEqual([`warn: pool badstart: ${reason}`]);
    const { problems, operations } = await recorder.validate();
    expect(problems).toEqual([]);
    expect(operations).toContain("File_GetFromComputeNode");
    expect(operations).toContain("File_GetPropertiesFromComputeNode");
  });

  test("no core quota: the run fails within its bound with the resize error's code and message, told once as it appeared", async () => {
    const { client, recorder } = await account({ dedicatedCores: 0 });
    const { reporter, lines } = recordingReporter();
    const workload = loadSpecObject(
      {
        pool: { id: "noquota", vmSize: "Standard_D2s_v3", image: IMAGE, nodes: { dedicated: 2 } },
        job: { id: "j" },
        tasks: { list: [{ id: "t1", command: "/bin/true" }] },
      },
      { env: {} },
    );
    const started = Date.now();
    const error = await runWorkload(client, workload, reporter, { pollIntervalMs: 50, poolTimeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(PoolNotReadyError);
    const reason =
      "resize error AccountCoreQuotaReached: The specified account has reached VM core quota: 2 dedicated Standard_D2s_v3 nodes need 4 cores, 0 of the account's 0 are free. (VMFamily standardDSv3Family, CoresRequested 4, CoresAllocated 0)";
    expect((error as Error).message).toBe(`pool noquota could not allocate nodes: ${reason}`);
    expect(lines.filter((l) => l.includes("resize error"))).toEqual([`warn: pool noquota: ${reason}`]);
    const { problems } = await recorder.validate();
    expect(problems).toEqual([]);
  });
});
