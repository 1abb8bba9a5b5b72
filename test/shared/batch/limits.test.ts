/**
 * Every limit Batch (or the node under it) enforces on what a spec sends: refused when the spec
 * loads, with the field and what would be valid; the local Batch service refuses the same bodies
 * with Batch's error shape. And what Batch accepts is accepted: dependency ranges over ids of
 * which only some exist, ids with leading zeros in ranges.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { BatchClient, BatchServiceError, plan, runWorkload, SpecError } from "azure-batch-run";
import { vCpusOfVmSize } from "../../../shared/batch/limits.js";
import { EXIT } from "../../../cli/main.js";
import { runCli } from "../../helpers/cli.js";
import { startLocalBatch } from "../../../local-batch/start.js";
import { validateArmCall, validateCall } from "../../helpers/oav.js";
import { recordingReporter } from "../../helpers/reporter.js";
import { batchSpecMissing } from "../../helpers/requirements.js";
import { baseSpec, load, merge } from "../../helpers/specs.js";

const dir = mkdtempSync(join(tmpdir(), "azbr-limits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

function issuesOf(patch: Record<string, any>): { path: string; message: string }[] {
  try {
    load(patch);
  } catch (error) {
    if (error instanceof SpecError) return error.issues;
    throw error;
  }
  throw new Error("expected a SpecError, but the spec was accepted");
}

const one = (task: Record<string, unknown>) => ({ tasks: { list: [{ id: "t1", command: "/app/run", ...task }] } });
const BIDI = "\u202e";
const ZERO_WIDTH = "\u200b";

describe("limits Batch enforces, refused when the spec loads", () => {
  test.each<[string, Record<string, any>, string, RegExp]>([
    ["resizeTimeout under 5 minutes", { pool: { resizeTimeout: "PT2M" } }, "pool.resizeTimeout", /PT2M is under Batch's minimum of PT5M/],
    [
      "an autoscale interval under 5 minutes",
      { pool: { nodes: undefined, autoscale: { formula: "$TargetDedicatedNodes = 1;", interval: "PT1M" } } },
      "pool.autoscale.interval",
      /PT1M is under Batch's minimum of PT5M/,
    ],
    [
      "an autoscale interval over 168 hours",
      { pool: { nodes: undefined, autoscale: { formula: "$TargetDedicatedNodes = 1;", interval: "P8D" } } },
      "pool.autoscale.interval",
      /P8D is over Batch's maximum of PT168H/,
    ],
    ["a blank autoscale formula", { pool: { nodes: undefined, autoscale: { formula: "   " } } }, "pool.autoscale.formula", /is blank/],
    ["maxParallelTasks: 0", { job: { maxParallelTasks: 0 } }, "job.maxParallelTasks", /give -1 \(no limit\) or at least 1/],
    [
      "a job release task's maxWallClock over 15 minutes",
      { job: { preparation: { command: "/bin/true" }, release: { command: "/bin/true", maxWallClock: "PT20M" } } },
      "job.release.maxWallClock",
      /PT20M is over Batch's maximum of PT15M for a job release task/,
    ],
    [
      "a schedule recurrence under 1 minute",
      { job: { schedule: { recurrence: "PT30S" }, manager: { command: "/app/m" } }, tasks: { list: [] } },
      "job.schedule.recurrence",
      /PT30S is under Batch's minimum of PT1M/,
    ],
    [
      "a schedule start window under 1 minute",
      { job: { schedule: { recurrence: "PT1H", startWindow: "PT10S" }, manager: { command: "/app/m" } }, tasks: { list: [] } },
      "job.schedule.startWindow",
      /under Batch's minimum of PT1M/,
    ],
    [
      "64 task slots on a 2-vCPU size",
      { pool: { taskSlotsPerNode: 64 } },
      "pool.taskSlotsPerNode",
      /64 is more than Batch allows on Standard_D2s_v3: at most 4 per vCPU \(2 vCPUs: 8\)/,
    ],
    ["a duration longer than Batch can hold", { job: { maxWallClock: "P99999999D" } }, "job.maxWallClock", /longer than the longest duration Batch holds/],
    [
      "a task id equal to the preparation task's default id",
      { job: { preparation: { command: "/bin/true" } }, ...one({ id: "JobPreparation" }) },
      "job.preparation",
      /"jobpreparation" \(the id Batch gives it\) is also a task id/,
    ],
    [
      "a task id equal to the release task's id, ignoring case",
      { job: { preparation: { command: "/bin/true" }, release: { id: "cleanup", command: "/bin/true" } }, ...one({ id: "CLEANUP" }) },
      "job.release.id",
      /"cleanup" is also a task id/,
    ],
    [
      "a resource file path with ..",
      one({ resources: [{ url: "https://s.blob.core.windows.net/c/a.txt", path: "../../etc/a.txt" }] }),
      "tasks.list[0].resources[0].path",
      /has a "\.\." segment/,
    ],
    [
      "an absolute resource file path",
      one({ resources: [{ url: "https://s.blob.core.windows.net/c/a.txt", path: "/etc/a.txt" }] }),
      "tasks.list[0].resources[0].path",
      /is absolute/,
    ],
    [
      "a resource with both url and a blob prefix",
      one({ resources: [{ url: "https://s.blob.core.windows.net/c/a.txt", prefix: "in/" }] }),
      "tasks.list[0].resources[0].prefix",
      /applies to `container` only/,
    ],
    [
      "an output URL with neither SAS nor identity",
      one({ outputs: [{ pattern: "out/*", container: "https://s.blob.core.windows.net/results" }] }),
      "tasks.list[0].outputs[0].container",
      /neither a SAS .* nor an `identity`/,
    ],
    [
      "an upper-case image name",
      one({ image: "MyApp:1.0" }),
      "tasks.list[0].image",
      /"MyApp:1\.0" is not a valid image reference: it must be lowercase in its repository path \("MyApp"\); e\.g\. myapp:1\.0/,
    ],
    [
      "an upper-case prefetched image",
      { pool: { container: { type: "dockerCompatible", prefetch: ["myacr.azurecr.io/Render:1"] } } },
      "pool.container.prefetch[0]",
      /must be lowercase/,
    ],
    ["a VM size with spaces", { pool: { vmSize: "Standard D2s v3" } }, "pool.vmSize", /must be a VM size name such as Standard_D2s_v3/],
    [
      "a Windows node agent on an Ubuntu image",
      { pool: { nodeAgentSku: "batch.node.windows amd64" } },
      "pool.nodeAgentSku",
      /"batch\.node\.windows amd64" is a Windows node agent on a Linux image: this image runs "batch\.node\.ubuntu 24\.04"/,
    ],
    [
      "a 200 KB environment value",
      one({ env: { BIG: "x".repeat(200_000) } }),
      "tasks.list[0].env.BIG",
      /is 200,005 bytes as NAME=value; a process takes at most 131,072 bytes .* \(E2BIG\)/,
    ],
    [
      "a 200 KB command line",
      one({ command: `/bin/echo ${"x".repeat(200_000)}` }),
      "tasks.list[0].command",
      /a process takes at most 131,072 bytes as one argument/,
    ],
    ["a bidi override in the VM size", { pool: { vmSize: `Standard_D2s${BIDI}_v3` } }, "pool.vmSize", /invisible character U\+202E/],
    ["a zero-width space in an image name", one({ image: `app${ZERO_WIDTH}:1.0` }), "tasks.list[0].image", /invisible character U\+200B/],
    ["a bidi override in a command", one({ command: `/bin/echo ${BIDI}safe` }), "tasks.list[0].command", /invisible character U\+202E at position 10/],
    [
      "--runtime nvidia in run options",
      one({ runOptions: "--runtime nvidia" }),
      "tasks.list[0].runOptions",
      /--runtime nvidia is gone from Azure's HPC images .*; use --gpus all/,
    ],
  ])("%s", (_name, patch, path, message) => {
    const issues = issuesOf(patch);
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  test("a bidi character that arrives through a template (a --var) is refused too, and a display name may hold one", () => {
    expect(() => load(one({ command: "/bin/echo {{ vars.word }}" }), { vars: { word: `${BIDI}x` } })).toThrow(
      /tasks\.list\[0\]\.command: contains the invisible character U\+202E/,
    );
    expect(load(one({ displayName: `rapport \u200f2026` })).tasks.at(0)!.displayName).toBe("rapport \u200f2026");
  });

  test("the vCPUs read from a size name, and nothing assumed where the name does not say", () => {
    expect(
      [
        ["Standard_D2s_v3", 2],
        ["Standard_E8-4ds_v5", 4],
        ["Standard_HB120rs_v3", 120],
        ["Standard_NC24ads_A100_v4", 24],
        ["Standard_F16s_v2", 16],
        ["Standard_B2ms", 2],
        ["Standard_D11_v2", undefined],
        ["Standard_A5", undefined],
        ["Basic_A1", undefined],
      ].map(([s]) => [s, vCpusOfVmSize(s as string)]),
    ).toEqual([
      ["Standard_D2s_v3", 2],
      ["Standard_E8-4ds_v5", 4],
      ["Standard_HB120rs_v3", 120],
      ["Standard_NC24ads_A100_v4", 24],
      ["Standard_F16s_v2", 16],
      ["Standard_B2ms", 2],
      ["Standard_D11_v2", undefined],
      ["Standard_A5", undefined],
      ["Basic_A1", undefined],
    ]);
    expect(load({ pool: { vmSize: "Standard_D16s_v5", taskSlotsPerNode: 64 } }).pool.taskSlotsPerNode).toBe(64);
  });

  test("what Batch accepts is accepted: a range over ids of which only some exist, ids with leading zeros, images with a registry, port and digest", () => {
    const sparse = load({
      tasks: {
        list: [
          { id: "3", command: "a" },
          { id: "7", command: "b" },
          { id: "merge", command: "m", dependsOn: [{ range: [1, 10] }] },
        ],
      },
    });
    expect(sparse.tasks.at(2)!.dependsOn).toEqual({ taskIds: [], taskIdRanges: [{ start: 1, end: 10 }] });
    const padded = load({
      tasks: {
        list: [
          { id: "{{ item }}", command: "r", forEach: { items: ["001", "002", "010"] } },
          { id: "merge", command: "m", dependsOn: [{ range: [1, 10] }] },
        ],
      },
    });
    expect(padded.tasks.at(3)!.dependsOn!.taskIdRanges).toEqual([{ start: 1, end: 10 }]);
    // A range holding a padded id of the task itself is still a self-dependency.
    expect(() => load({ tasks: { list: [{ id: "005", command: "m", dependsOn: [{ range: [1, 10] }] }] } })).toThrow(/holds this task's own id 005/);
    for (const image of ["myacr.azurecr.io/team/render:1.0", "localhost:5000/app", "MyRegistry.example.com:443/app/x:tag_1", `app@sha256:${"a".repeat(64)}`])
      expect(load(one({ image })).tasks.at(0)!.image).toBe(image);
  });
});

describe.skipIf(batchSpecMissing)("the OS disk size, for images Docker keeps on the OS disk", () => {
  test("pool.osDisk.sizeGB becomes virtualMachineConfiguration.osDisk.diskSizeGB, valid with oav on the data plane and through ARM", async () => {
    const w = load({ pool: { osDisk: { sizeGB: 256 } } });
    const [poolCall] = plan(w);
    expect((poolCall!.body as any).virtualMachineConfiguration.osDisk).toEqual({ diskSizeGB: 256 });
    expect((await validateCall(poolCall!)).request.errors).toEqual([]);
    const identity = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id";
    const arm = plan(load({ account: { subscription: "00000000-0000-0000-0000-000000000000" }, pool: { osDisk: { sizeGB: 256 }, identity: [identity] } }))[0]!;
    expect((arm.body as any).properties.deploymentConfiguration.virtualMachineConfiguration.osDisk).toEqual({ diskSizeGB: 256 });
    expect((await validateArmCall({ ...arm, path: arm.path.replace("{resourceGroup}", "rg").replace("{accountName}", "account") })).request.errors).toEqual([]);
    expect(issuesOf({ pool: { osDisk: { sizeGB: 0 } } })[0]!.path).toBe("pool.osDisk.sizeGB");
  });
});

describe("the local service refuses what Batch refuses, with Batch's error shape", () => {
  const image = { imageReference: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" }, nodeAgentSKUId: "batch.node.ubuntu 24.04" };
  const pool = { id: "p", vmSize: "standard_d2s_v3", virtualMachineConfiguration: image, targetDedicatedNodes: 1 };

  async function client() {
    const local = await startLocalBatch({ executor: "process" });
    const c = new BatchClient({ accountUrl: local.accountUrl, auth: { kind: "sharedKey", accountName: local.accountName, accountKey: local.accountKey } });
    toClose.push(
      () => local.close(),
      () => c.close(),
    );
    return c;
  }
  const refused = (call: Promise<unknown>) =>
    call.then(
      () => undefined,
      (e: unknown) => e as BatchServiceError,
    );

  test.each<[string, string, Record<string, unknown>, string]>([
    ["a resize timeout under 5 minutes", "/pools", { ...pool, resizeTimeout: "PT1M" }, "resizeTimeout"],
    ["16 slots on a 2-vCPU size", "/pools", { ...pool, taskSlotsPerNode: 16 }, "taskSlotsPerNode"],
    ["a VM size with spaces", "/pools", { ...pool, vmSize: "Standard D2s v3" }, "vmSize"],
    [
      "a start task's resource file outside its directory",
      "/pools",
      { ...pool, startTask: { commandLine: "/bin/true", resourceFiles: [{ httpUrl: "https://s.blob.core.windows.net/c/a", filePath: "../../a" }] } },
      "startTask.resourceFiles[0].filePath",
    ],
    ["maxParallelTasks 0", "/jobs", { id: "j", poolInfo: { poolId: "p" }, maxParallelTasks: 0 }, "maxParallelTasks"],
    [
      "a release task over 15 minutes",
      "/jobs",
      {
        id: "j",
        poolInfo: { poolId: "p" },
        jobPreparationTask: { commandLine: "/bin/true" },
        jobReleaseTask: { commandLine: "/bin/true", maxWallClockTime: "PT16M" },
      },
      "jobReleaseTask.maxWallClockTime",
    ],
    [
      "a recurrence under 1 minute",
      "/jobschedules",
      { id: "s", schedule: { recurrenceInterval: "PT30S" }, jobSpecification: { poolInfo: { poolId: "p" } } },
      "schedule.recurrenceInterval",
    ],
  ])("%s: 400 InvalidPropertyValue naming the property", async (_name, path, body, property) => {
    const c = await client();
    const error = await refused(c.send("POST", path, { body, idempotent: true }));
    expect(error).toBeInstanceOf(BatchServiceError);
    expect(error).toMatchObject({ statusCode: 400, code: "InvalidPropertyValue" });
    expect(error!.values).toContainEqual({ key: "PropertyName", value: property });
  });

  test("tasks: a resource file path with .., a blob prefix with an http URL, the preparation task's id — each refused in the collection's result", async () => {
    const c = await client();
    await c.send("POST", "/pools", { body: pool, idempotent: true });
    await c.send("POST", "/jobs", { body: { id: "j", poolInfo: { poolId: "p" }, jobPreparationTask: { commandLine: "/bin/true" } }, idempotent: true });
    const value = [
      { id: "up", commandLine: "/bin/true", resourceFiles: [{ httpUrl: "https://s.blob.core.windows.net/c/a", filePath: "x/../../a" }] },
      { id: "prefix", commandLine: "/bin/true", resourceFiles: [{ httpUrl: "https://s.blob.core.windows.net/c/a", blobPrefix: "in/" }] },
      { id: "JOBPREPARATION", commandLine: "/bin/true" },
      { id: "ok", commandLine: "/bin/true" },
    ];
    const result = await c.json<{ value: { taskId: string; status: string; error?: { code: string } }[] }>("POST", "/jobs/j/addtaskcollection", {
      body: { value },
    });
    expect(result.value.map((r) => [r.taskId, r.status, r.error?.code])).toEqual([
      ["up", "clienterror", "InvalidPropertyValue"],
      ["prefix", "clienterror", "InvalidPropertyValue"],
      ["JOBPREPARATION", "clienterror", "TaskExists"],
      ["ok", "success", undefined],
    ]);
  });

  test("a range over padded ids waits for exactly the tasks it selects, compared as numbers", async () => {
    const c = await client();
    const w = load({
      pool: { container: undefined, image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" } },
      tasks: {
        defaults: { image: undefined },
        list: [
          { id: "{{ item }}", command: "/bin/sh -c 'echo {{ item }} >> $AZ_BATCH_NODE_SHARED_DIR/order'", forEach: { items: ["001", "002", "007"] } },
          { id: "merge", command: "/bin/sh -c 'cat $AZ_BATCH_NODE_SHARED_DIR/order | wc -l'", dependsOn: [{ range: [1, 10] }] },
        ],
      },
    });
    const result = await runWorkload(c, w, recordingReporter().reporter, { pollIntervalMs: 50 });
    expect(result.succeeded).toBe(true);
    const merge = result.outcomes.find((o) => o.id === "merge")!;
    const parents = result.outcomes.filter((o) => o.id !== "merge");
    expect(parents).toHaveLength(3);
    expect(merge.stdoutTail ?? (await c.send("GET", "/jobs/job-1/tasks/merge/files/stdout.txt")).bodyText.trim()).toBe("3");
  });
});

describe("the CLI: nothing it is given is silently ignored", () => {
  const cli = (args: string[]) => runCli(args);

  const spec = () => {
    const file = join(dir, `spec-${Math.random().toString(16).slice(2)}.yaml`);
    writeFileSync(file, stringify(merge(baseSpec(), { vars: { run: "a" }, job: { id: "job-{{ vars.run }}" } })));
    return file;
  };

  test("a --var that no template uses is a usage error that suggests the near one", async () => {
    const { code, stderr } = await cli(["plan", spec(), "--var", "runn=x"]);
    expect(code).toBe(EXIT.invalid);
    expect(stderr).toMatch(/--var runn: no template of .* uses \{\{ vars\.runn \}\}; did you mean --var run=\.\.\.\? \(it uses vars\.run\)/);
    expect((await cli(["validate", spec(), "--var", "run=x"])).code).toBe(EXIT.ok);
  });

  test("a --var that lands in a number (a range) is that number; one that spells none says so", async () => {
    const file = join(dir, "range.yaml");
    writeFileSync(
      file,
      stringify(merge(baseSpec(), { vars: { n: 3 }, tasks: { list: [{ id: "t{{ item }}", command: "/app/run", forEach: { range: [1, "{{ vars.n }}"] } }] } })),
    );
    const five = await cli(["validate", file, "--var", "n=5"]);
    expect({ code: five.code, stderr: five.stderr }).toEqual({ code: EXIT.ok, stderr: "" });
    const { stdout } = await runCli(["validate", file, "--var", "n=5"]);
    expect(stdout).toMatch(/5 tasks/);
    const bad = await cli(["validate", file, "--var", "n=five"]);
    expect(bad.code).toBe(EXIT.invalid);
    expect(bad.stderr).toMatch(/tasks\.list\[0\]\.forEach\.range\[1\]: must be a number, got "five" \(a --var value is text: give digits there/);
  });

  test.each([
    [["validate", "--format", "json"], /--format does not apply to validate; validate takes --var, --api-version/],
    [["plan", "--local"], /--local does not apply to plan/],
    [["status", "job-1", "--cleanup", "pool"], /--cleanup does not apply to status/],
    [["schema", "--var", "a=b"], /--var does not apply to schema; schema takes no options/],
  ])("%j: an option the command does not take is a usage error", async (args, message) => {
    const full = args[0] === "validate" || args[0] === "plan" ? [args[0]!, spec(), ...args.slice(1)] : args;
    const { code, stderr } = await cli(full);
    expect(code).toBe(EXIT.invalid);
    expect(stderr).toMatch(message);
  });
});
