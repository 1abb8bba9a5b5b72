// A spec of 100,000 tasks is a stream, not an array: expansion renders one task at a time, the
// plan is printed call by call, and submission holds only the chunks in flight (issue 12).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { loadSpecObject, submitTasks, type ProgressReporter, type ResolvedTask } from "azure-batch-run";
import { localAccount } from "../helpers/localAccount.js";

const N = 100_000;
const bin = new URL("../../bin/azure-batch-run.js", import.meta.url).pathname;
const lib = new URL("../../dist/lib/index.js", import.meta.url).pathname;
const run = promisify(execFile);
/**
 * V8's old space for the CLI's process. Holding the 100,000 tasks at once takes more than this
 * (shown below), so a command that completes under it did not hold them.
 */
const OLD_SPACE_MB = 64;

/**
 * Task 0, then n - 1 tasks that wait for it (an id range: the dependency checks run over the
 * stream too). On the local service task 0 sleeps, so the others stay queued and the test's
 * service is not busy running them.
 */
const spec = (n: number) => ({
  pool: { id: "stream", vmSize: "Standard_D2s_v3", image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" }, nodes: { dedicated: 1 } },
  job: { id: "stream" },
  tasks: {
    defaults: { env: { STAGE: "render" } },
    list: [
      { id: "0", command: "/bin/sleep 600" },
      { id: "{{ item }}", command: "/bin/sh -c 'echo frame {{ item }} of {{ task.id }}'", forEach: { range: [1, n - 1] }, dependsOn: [{ range: [0, 0] }] },
    ],
  },
});

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "azbr-stream-"));
  file = join(dir, "spec.json");
  writeFileSync(file, JSON.stringify(spec(N)));
  return () => rmSync(dir, { recursive: true, force: true });
});

const toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of toClose.splice(0).reverse()) await close();
});

const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [`--max-old-space-size=${OLD_SPACE_MB}`, bin, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    maxBuffer: 256 * 1024 * 1024,
  });

describe(`a spec of ${N.toLocaleString("en")} tasks streams`, () => {
  test(`the cap means something: holding the tasks at once does not fit in ${OLD_SPACE_MB} MB`, async () => {
    const hold = `import { loadSpec } from ${JSON.stringify(lib)}; import { readFileSync } from "node:fs";
      globalThis.held = loadSpec(readFileSync(${JSON.stringify(file)}, "utf8")).tasks.toArray(); console.log(globalThis.held.length);`;
    const failed = await run(process.execPath, [`--max-old-space-size=${OLD_SPACE_MB}`, "--input-type=module", "-e", hold]).then(
      () => undefined,
      (e: { code?: number; signal?: string; stderr: string }) => e,
    );
    expect(failed, "materializing every task should have run out of heap").toBeDefined();
    expect(failed!.stderr).toMatch(/heap out of memory|Allocation failed/i);
  });

  test(`validate and plan --format json complete under the cap; the plan holds every task once, in order`, async () => {
    const valid = await cli(["validate", file]);
    expect(valid.stdout).toContain(`${N} tasks`);

    const planned = await cli(["plan", file, "--format", "json"]);
    const calls = JSON.parse(planned.stdout) as { path: string; body: { value?: { id: string; commandLine: string }[] } }[];
    const chunks = calls.filter((c) => c.path.endsWith("/addtaskcollection"));
    expect(chunks).toHaveLength(N / 100);
    const ids = chunks.flatMap((c) => c.body.value!.map((t) => t.id));
    expect(ids).toEqual(Array.from({ length: N }, (_, i) => String(i)));
    expect(chunks.at(-1)!.body.value!.at(-1)).toMatchObject({
      commandLine: `/bin/sh -c 'echo frame ${N - 1} of ${N - 1}'`,
      dependsOn: { taskIdRanges: [{ start: 0, end: 0 }] },
    });
    expect(calls.find((c) => c.path === "/jobs")!.body).toMatchObject({ usesTaskDependencies: true });
    // The streamed text is exactly what a whole-array JSON.stringify would print.
    expect(planned.stdout).toBe(`${JSON.stringify(calls, null, 2)}\n`);
  });

  test("run --no-wait submits them all under the cap", async () => {
    const { local } = await localAccount(toClose);
    const submitted = await cli(["run", file, "--no-wait", "--cleanup", "none", "--poll-interval", "0.2"], {
      AZURE_BATCH_ACCOUNT_URL: local.accountUrl,
      AZURE_BATCH_ACCOUNT: local.accountName,
      AZURE_BATCH_ACCESS_KEY: local.accountKey,
    });
    expect(submitted.stdout).toContain("submitted job stream");
    const tasks = local.service.jobs.get("stream")!.tasks;
    expect(tasks.size).toBe(N);
    expect(tasks.has("0") && tasks.has(String(N - 1))).toBe(true);
  });

  test("submission takes tasks from the stream only as chunks go out: never more than the chunks in flight and as many ahead", async () => {
    const { local, client } = await localAccount(toClose);
    const workload = loadSpecObject({ ...spec(N), pool: { ...spec(N).pool, nodes: { dedicated: 0 } } });
    const concurrency = 4;
    let produced = 0;
    let answered = 0;
    let mostHeld = 0;
    const counted = (function* (): Generator<ResolvedTask> {
      for (const task of workload.tasks) {
        produced++;
        mostHeld = Math.max(mostHeld, produced - answered);
        yield task;
      }
    })();
    const reporter: ProgressReporter = { info() {}, warn() {}, progress() {}, taskCompleted() {}, tasksSubmitted: (done) => (answered = done) };
    const result = await submitTasks(client, workload, counted, { concurrency, reporter });
    expect(result.tasks.filter((t) => t.status === "added")).toHaveLength(N);
    expect(produced).toBe(N);
    expect(local.service.jobs.get("stream")!.tasks.size).toBe(N);
    // The chunks in flight, as many made ahead while they wait, and the one being filled: (2 x concurrency + 1) x 100.
    expect(mostHeld).toBeGreaterThan(100);
    expect(mostHeld).toBeLessThanOrEqual((2 * concurrency + 1) * 100);
  });

  test("the stream gives the same tasks each walk, and at(i) renders task i alone", () => {
    const workload = loadSpecObject({
      ...spec(0),
      tasks: {
        list: [
          { id: "r{{ item }}", command: "r {{ item }}", forEach: { range: [10, 0, -5] } },
          { id: "z-{{ item.a }}{{ item.b }}", command: "z {{ task.id }}", forEach: { zip: { a: [1, 2], b: ["x", "y"] } } },
          { id: "p-{{ item.a }}{{ item.b }}", command: "p", forEach: { product: { a: [1, 2], b: ["x", "y", "z"] } }, dependsOn: ["r*"] },
        ],
      },
    });
    const first = workload.tasks.toArray();
    expect(first.map((t) => t.id)).toEqual(["r10", "r5", "r0", "z-1x", "z-2y", "p-1x", "p-1y", "p-1z", "p-2x", "p-2y", "p-2z"]);
    expect([...workload.tasks]).toEqual(first);
    expect(workload.tasks.ids).toEqual(first.map((t) => t.id));
    first.forEach((task, i) => expect(workload.tasks.at(i)).toEqual(task));
    expect(workload.tasks.at(-1)).toEqual(first.at(-1));
    expect(workload.tasks.at(first.length)).toBeUndefined();
    expect(workload.tasks.at(4)).toMatchObject({ command: "z z-2y", source: 'tasks.list[1] (item 1: {"a":2,"b":"y"})' });
    expect(workload.tasks.at(7)!.dependsOn).toEqual({ taskIds: ["r10", "r5", "r0"], taskIdRanges: [] });
  });
});

describe("one mistake in an entry of 100,000 tasks", () => {
  test("is listed a hundred times at most, with how many more", () => {
    const bad = { ...spec(N), tasks: { list: [{ id: "t{{ item }}", command: "x", requiredSlots: 4, forEach: { range: [1, N] } }] } };
    const error = (() => {
      try {
        loadSpecObject(bad);
      } catch (e) {
        return e as { issues: { path: string; message: string }[] };
      }
    })();
    expect(error?.issues).toHaveLength(101);
    expect(error!.issues[0]).toEqual({
      path: "tasks.list[0] (item 0: 1).requiredSlots",
      message: "4 is more than pool.taskSlotsPerNode (1); the task could never be scheduled",
    });
    expect(error!.issues[100]).toEqual({ path: "", message: `... and ${N - 100} more problems (the first 100 are listed)` });
  });
});

describe(`a container of ${(N - 1).toLocaleString("en")} blobs streams too`, () => {
  test("validate, plan and run --no-wait list it and complete under the cap: names and ETags packed, tasks made as they are sent", async () => {
    const { startBlobListStandIn } = await import("../../benchmarks/blobListStandIn.js");
    // With the gate, the most one spec makes.
    const standIn = await startBlobListStandIn(N - 1, (i) => `frames/${String(i).padStart(6, "0")}.exr`);
    toClose.push(() => standIn.close());
    const blobsFile = join(dir, "blobs.json");
    writeFileSync(
      blobsFile,
      JSON.stringify({
        ...spec(0),
        job: { id: "blobs" },
        tasks: {
          list: [
            // A gate the others wait for: on the local service they stay queued.
            { id: "gate", command: "/bin/sleep 600" },
            {
              id: "{{ item.taskId }}",
              command: "/bin/sh -c 'cat {{ item.fileName }}'",
              forEach: { blobs: { container: "{{ env.INPUTS }}" } },
              dependsOn: ["gate"],
            },
          ],
        },
      }),
    );
    const valid = await cli(["validate", blobsFile], { INPUTS: standIn.containerUrl });
    expect(valid.stdout).toContain(`${N} tasks`);
    expect(valid.stdout).toContain(`one task per blob of http://127.0.0.1:`);
    const planned = await cli(["plan", blobsFile], { INPUTS: standIn.containerUrl });
    expect(planned.stdout.split("\n")[0]).toMatch(new RegExp(`\\(${N - 1} blobs: ${N - 1} tasks of tasks\\.list\\[1\\]\\)$`));
    const { local } = await localAccount(toClose);
    const submitted = await cli(["run", blobsFile, "--no-wait", "--cleanup", "none", "--poll-interval", "0.2"], {
      INPUTS: standIn.containerUrl,
      AZURE_BATCH_ACCOUNT_URL: local.accountUrl,
      AZURE_BATCH_ACCOUNT: local.accountName,
      AZURE_BATCH_ACCESS_KEY: local.accountKey,
    });
    expect(submitted.stdout).toContain("submitted job blobs");
    expect(local.service.jobs.get("blobs")!.tasks.size).toBe(N);
  }, 180_000);
});
