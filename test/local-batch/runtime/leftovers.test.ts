/**
 * A `run --local` killed with SIGKILL gets no chance to tidy up: its task processes and containers
 * keep running and its data folder stays. The next local service that starts removes them before it
 * serves, and touches nothing of a service that still runs.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { buildBusyboxImage } from "../../../local-batch/images/busyboxImage.js";
import { dockerExecutor, processExecutor } from "../../../local-batch/runtime/executors.js";
import { LocalBatchService } from "../../../local-batch/service.js";
import { containersMissing } from "../../helpers/containers.js";
import { requirement } from "../../helpers/requirements.js";
import { until } from "../../helpers/until.js";

const KEY = Buffer.from("leftovers key").toString("base64");
const work = mkdtempSync(join(tmpdir(), "azbr-leftovers-"));
const children: ChildProcess[] = [];
const groups: number[] = [];
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  for (const pid of groups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      /* gone, as it should be */
    }
  }
  // A failed run of the container test must not leave its containers either.
  if (!containersMissing) {
    const names = execFileSync(
      "docker",
      ["ps", "--all", "--filter", "label=azure-batch-run.local=1", "--filter", "name=hang-docker", "--format", "{{.Names}}"],
      { encoding: "utf8" },
    )
      .split("\n")
      .filter(Boolean);
    if (names.length) execFileSync("docker", ["rm", "--force", ...names], { stdio: "ignore" });
  }
  rmSync(work, { recursive: true, force: true });
});

/** A process that runs (not gone, not a zombie nobody reaped). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

const leases = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".lease")) : []);

/** `run SPEC --local` in its own process (no wrapper: SIGKILL really kills the CLI and its service). */
function runLocal(spec: string, executor: "process" | "docker", runtimeDir: string): ChildProcess {
  const cli = new URL("../../../cli/index.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--import", "tsx", cli, "run", spec, "--local", "--executor", executor, "--poll-interval", "0.2"], {
    // Its local account in the test's folder: its state stays there after the kill, as a user's does.
    env: { ...process.env, AZBR_LOCAL_RUNTIME_DIR: runtimeDir, AZBR_LOCAL_DIR: join(runtimeDir, "..", `home-${executor}`) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  return child;
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

async function startService(runtimeDir: string, executor = processExecutor()): Promise<LocalBatchService> {
  const dataDir = mkdtempSync(join(work, "next-"));
  const service = new LocalBatchService({ accountName: "local", accountKey: KEY, dataDir, executor, runtimeDir });
  await service.listen();
  return service;
}

const POOL = {
  id: "p",
  vmSize: "Standard_D2s_v3",
  image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2404" },
  nodes: { dedicated: 1 },
  taskSlotsPerNode: 2,
};

// Process start times come from /proc: a reused pid must not pass for the owner.
const procMissing = requirement("/proc (Linux), where a process's start time is read", process.platform === "linux");

describe.skipIf(procMissing)("leftovers of a killed local service", () => {
  test("host processes: the next service kills the task processes; the killed run's local account (its state) stays, and a live service's lease", async () => {
    const runtimeDir = join(work, "runtime-process");
    const marks = join(work, "marks-process");
    rmSync(marks, { recursive: true, force: true });
    execFileSync("mkdir", ["-p", marks]);
    // A service that stays up, with the same runtime folder: nothing of it may be touched.
    const live = await startService(runtimeDir);
    const liveLease = leases(runtimeDir);
    expect(liveLease).toHaveLength(1);

    const spec = join(work, "process.json");
    writeFileSync(
      spec,
      JSON.stringify({
        pool: POOL,
        job: { id: "hang" },
        tasks: { list: [{ id: "t-{{ item }}", command: `/bin/sh -c 'echo $$ > ${marks}/{{ task.id }}; exec sleep 300'`, forEach: { range: [1, 2] } }] },
      }),
    );
    const child = runLocal(spec, "process", runtimeDir);
    const pids = await until(
      "both tasks running",
      () =>
        existsSync(marks)
          ? readdirSync(marks)
              .map((f) => Number(readFileSync(join(marks, f), "utf8")))
              .filter((n) => n > 0)
          : [],
      (p) => p.length === 2,
      60_000,
    );
    groups.push(...pids);
    await kill9(child);

    // Killed: the tasks still run, and the killed run's lease names its account's data folder, which is not its to remove.
    expect(pids.every(running)).toBe(true);
    const killedLease = leases(runtimeDir).find((n) => !liveLease.includes(n))!;
    const { dataDir, ownsDataDir } = JSON.parse(readFileSync(join(runtimeDir, killedLease), "utf8").split("\n")[0]!) as {
      dataDir: string;
      ownsDataDir: boolean;
    };
    expect(ownsDataDir).toBe(false);
    expect(dataDir).toBe(join(work, "home-process", "data"));
    expect(existsSync(dataDir)).toBe(true);

    const next = await startService(runtimeDir);
    try {
      // Ended before the service served: a bounded wait only for the kernel to finish the kill.
      await until(
        "the killed run's tasks to be gone",
        () => pids.filter(running),
        (still) => still.length === 0,
        5_000,
      );
      // The account's state stays (a later `local` or `run --local` carries on from it); its processes do not.
      expect(existsSync(dataDir)).toBe(true);
      expect(existsSync(join(work, "home-process", "account.json"))).toBe(true);
      expect(leases(runtimeDir)).not.toContain(killedLease);
      expect(leases(runtimeDir)).toContain(liveLease[0]);
    } finally {
      await next.close();
      await live.close();
    }
    expect(leases(runtimeDir)).toEqual([]);
  }, 90_000);

  test.skipIf(containersMissing)(
    "containers: the next service removes the killed run's containers, running or stopped, and only those",
    async () => {
      const runtimeDir = join(work, "runtime-docker");
      const image = "azure-batch-run/leftovers:1.0";
      await buildBusyboxImage(image);
      const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
      const ours = () => docker("ps", "--all", "--filter", "label=azure-batch-run.local=1", "--format", "{{.Names}} {{.State}}").split("\n").filter(Boolean);
      // A container a live service owns (this process): the sweep must leave it.
      const liveDir = mkdtempSync(join(work, "live-docker-"));
      const live = new LocalBatchService({
        accountName: "local",
        accountKey: KEY,
        dataDir: liveDir,
        executor: dockerExecutor(join(liveDir, "docker-config")),
        runtimeDir,
      });
      await live.listen();
      const liveName = `azbr-leftovers-live-${process.pid}`;
      const { SELF } = await import("../../../local-batch/runtime/leftovers.js");
      docker("create", "--name", liveName, "--label", "azure-batch-run.local=1", "--label", `azure-batch-run.local.owner=${SELF}`, image, "sleep", "1");

      const spec = join(work, "docker.json");
      writeFileSync(
        spec,
        JSON.stringify({
          pool: { ...POOL, container: { type: "dockerCompatible", prefetch: [image] } },
          job: { id: "hang-docker" },
          tasks: { list: [{ id: "c-{{ item }}", image, command: "/bin/sh -c 'sleep 300'", forEach: { range: [1, 2] } }] },
        }),
      );
      const child = runLocal(spec, "docker", runtimeDir);
      try {
        await until(
          "the killed run's two containers running",
          ours,
          (c) => c.filter((x) => x.includes("hang-docker") && x.endsWith("running")).length === 2,
          90_000,
          200,
        );
        await kill9(child);
        expect(ours().filter((x) => x.includes("hang-docker"))).toHaveLength(2);
        // And a stopped one whose owner is gone (pid 1 with another start time: a reused pid is not the owner).
        docker(
          "create",
          "--name",
          `azbr-hang-docker-stopped-${process.pid}`,
          "--label",
          "azure-batch-run.local=1",
          "--label",
          "azure-batch-run.local.owner=1:x",
          image,
          "true",
        );
        const next = await startService(runtimeDir, dockerExecutor(join(work, "next-docker-config")));
        await next.close();
        expect(ours().filter((x) => x.includes("hang-docker"))).toEqual([]);
        expect(ours().filter((x) => x.includes("stopped"))).toEqual([]);
        expect(ours().map((x) => x.split(" ")[0])).toContain(liveName);
      } finally {
        docker("rm", "--force", liveName);
        await live.close();
        rmSync(liveDir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
