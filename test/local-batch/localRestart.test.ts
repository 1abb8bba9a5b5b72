/**
 * The local service loses nothing to a crash: killed mid-run (SIGKILL, no chance to tidy up), then
 * started again on the same data folder, a rerun of the spec adds nothing twice, what was running
 * runs again, and every task's work is done exactly once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, test } from "vitest";
import { EXIT, main } from "../../cli/main.js";
import { until } from "../helpers/until.js";

const KEY = Buffer.from("restart test key, 32 bytes long!").toString("base64");
const work = mkdtempSync(join(tmpdir(), "azbr-restart-"));
const dataDir = join(work, "data");
const slow = join(work, "slow");
const ran = join(work, "ran.txt");
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

function serve(): Promise<{ child: ChildProcess; url: string }> {
  const script = new URL("../../local-batch/serve.ts", import.meta.url).pathname;
  // One process (no tsx wrapper around it), so that SIGKILL really kills the service.
  const child = spawn(process.execPath, ["--import", "tsx", script, "--data", dataDir, "--key", KEY, "--executor", "process"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve({ child, url: JSON.parse(out.split("\n")[0]!).accountUrl });
    });
    child.once("exit", (code) => reject(new Error(`the local service exited (${code}) before it listened`)));
  });
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (d) => (out += d));
  const code = await main(args, {
    stdout,
    stderr: new PassThrough() as unknown as NodeJS.WriteStream,
    env: { AZURE_BATCH_ACCESS_KEY: KEY, AZURE_BATCH_ACCOUNT: "local" },
  });
  return { code, out };
}

const saved = () => {
  try {
    return JSON.parse(readFileSync(join(dataDir, "state.json"), "utf8")) as { jobs: { tasks: { body: { id: string }; state: string }[] }[]; live: unknown[] };
  } catch {
    return undefined;
  }
};

describe("the local service across a crash", () => {
  test("killed mid-run and started again on the same data folder: a rerun counts every task run exactly once", async () => {
    // Tasks 1-8 finish at once; 9-12 hang while the `slow` file exists, and write nothing until they finish.
    writeFileSync(slow, "");
    const spec = join(work, "spec.yaml");
    writeFileSync(
      spec,
      JSON.stringify({
        pool: {
          id: "p",
          vmSize: "Standard_D2s_v3",
          image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
          nodes: { dedicated: 2 },
          taskSlotsPerNode: 2,
        },
        job: { id: "crash" },
        tasks: {
          list: [
            { id: "quick-{{ item }}", command: `/bin/sh -c 'echo {{ task.id }} >> ${ran}'`, forEach: { range: [1, 8] } },
            {
              id: "slow-{{ item }}",
              command: `/bin/sh -c 'while [ -e ${slow} ]; do sleep 0.05; done; echo {{ task.id }} >> ${ran}'`,
              forEach: { range: [1, 4] },
            },
          ],
        },
      }),
    );

    const first = await serve();
    expect((await cli(["run", spec, "--account-url", first.url, "--no-wait"])).code).toBe(EXIT.ok);
    // Until what is on disk says: the quick ones completed, the slow ones running, their processes known.
    await until("the saved state to show 8 completed and 4 running tasks", saved, (s) => {
      const tasks = s?.jobs[0]?.tasks ?? [];
      return (
        tasks.filter((t) => t.state === "completed").length === 8 && tasks.filter((t) => t.state === "running").length === 4 && (s?.live.length ?? 0) === 4
      );
    });
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));

    // Started again, the service ends what the crash left running before it listens; only then
    // may the slow tasks go on (an orphan that finished now would have done its work twice).
    const second = await serve();
    unlinkSync(slow);
    const rerun = await cli(["run", spec, "--account-url", second.url, "--poll-interval", "0.1"]);
    expect(rerun.code).toBe(EXIT.ok);
    expect(rerun.out).toContain("12 succeeded, 0 failed");

    const lines = readFileSync(ran, "utf8").trim().split("\n").sort();
    const ids = [...Array.from({ length: 8 }, (_, i) => `quick-${i + 1}`), ...Array.from({ length: 4 }, (_, i) => `slow-${i + 1}`)].sort();
    expect(lines).toEqual(ids);
    // The tasks that were running were requeued, as after a node reboot.
    const requeued = (await cli(["status", "crash", "--account-url", second.url])).code;
    expect(requeued).toBe(EXIT.ok);
    const slowTasks = () =>
      saved()!.jobs[0]!.tasks.filter((t) => t.body.id.startsWith("slow-")) as unknown as { state: string; executionInfo: { requeueCount: number } }[];
    expect(slowTasks().map((t) => t.executionInfo.requeueCount)).toEqual([1, 1, 1, 1]);
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
    expect(existsSync(join(dataDir, "state.json"))).toBe(true);
  }, 60_000);
});
