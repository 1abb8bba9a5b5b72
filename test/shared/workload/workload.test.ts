import { describe, expect, test } from "vitest";
import { SpecError } from "../../../shared/workload/errors.js";
import { loadSpec } from "../../../shared/workload/load.js";
import { deriveNodeAgentSku, isRdmaVmSize } from "../../../shared/workload/rules.js";
import { plan } from "../../../shared/run/plan.js";
import { load } from "../../helpers/specs.js";

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof SpecError) return error.issues;
    throw error;
  }
  throw new Error("expected the spec to be refused");
}

const GPU = { pool: { vmSize: "Standard_NC6s_v3" } };
const WINDOWS = { pool: { image: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-core" } } };
const one = (task: Record<string, unknown>) => ({ tasks: { list: [{ id: "t1", command: "/app/run", ...task }] } });

describe("spec errors name the field and what would be valid", () => {
  test.each<[string, Record<string, any>, string, RegExp]>([
    [
      "container type is required",
      { pool: { container: { type: undefined, prefetch: ["a"] } } },
      "pool.container.type",
      /required: dockerCompatible .* or criCompatible/,
    ],
    ["container type must be a known value", { pool: { container: { type: "docker" } } }, "pool.container.type", /dockerCompatible|criCompatible/],
    [
      "Windows: container tasks cannot be nonadmin",
      { ...WINDOWS, ...one({ user: { elevation: "nonadmin" } }) },
      "tasks.list[0].user.elevation",
      /Windows pools run as admin/,
    ],
    [
      "-rdma images need an RDMA VM size",
      {
        pool: {
          image: {
            publisher: undefined,
            offer: undefined,
            sku: undefined,
            id: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/render-rdma/versions/1.0.0",
          },
          nodeAgentSku: "batch.node.ubuntu 24.04",
        },
      },
      "pool.vmSize",
      /RDMA/,
    ],
    [
      "mounts without Task need containerImageDefault",
      one({ mounts: [{ source: "Shared" }] }),
      "tasks.list[0].workingDirectory",
      /containerImageDefault when `mounts` does not include Task/,
    ],
    ["an empty mount list needs containerImageDefault too", one({ mounts: [] }), "tasks.list[0].workingDirectory", /containerImageDefault/],
    ["--gpus is refused on GPU pools", { ...GPU, ...one({ runOptions: "--rm --gpus all" }) }, "tasks.list[0].runOptions", /--gpus is refused on GPU pools/],
    ["--gpus=all is refused too", { ...GPU, ...one({ runOptions: "--gpus=all" }) }, "tasks.list[0].runOptions", /Batch adds it/],
    ["task ids are at most 64 characters", one({ id: "x".repeat(65) }), "tasks.list[0].id", /65 characters long; Batch ids are 1 to 64/],
    ["task ids are [A-Za-z0-9_-]", one({ id: "frame.1" }), "tasks.list[0].id", /characters outside \[A-Za-z0-9_-\]/],
    [
      "task ids are unique ignoring case",
      {
        tasks: {
          list: [
            { id: "Merge", command: "a" },
            { id: "merge", command: "b" },
          ],
        },
      },
      "tasks.list[1].id",
      /also the id of tasks.list\[0\].*ignoring case/,
    ],
    [
      "expanded ids are checked per item",
      { tasks: { list: [{ id: "f-{{ item }}", command: "a", forEach: { items: ["ok", "not ok"] } }] } },
      'tasks.list[0] (item 1: "not ok").id',
      /characters outside/,
    ],
    ["job id is a Batch id", { job: { id: "job with spaces" } }, "job.id", /characters outside/],
    [
      "job id from a template is checked after expansion",
      { job: { id: "render-{{ vars.run }}" }, vars: { run: "x".repeat(60) } },
      "job.id",
      /67 characters long/,
    ],
    ["pool id is a Batch id", { pool: { id: "p/1" } }, "pool.id", /characters outside/],
    ["an unknown variable is an error, not an empty string", { job: { id: "render-{{ vars.nope }}" } }, "job.id", /unknown variable "vars.nope"/],
    [
      "an unset environment variable is an error",
      one({ env: { TOKEN: "{{ env.NOT_SET_ANYWHERE }}" } }),
      "tasks.list[0].env.TOKEN",
      /unknown variable "env.NOT_SET_ANYWHERE".*set it in the environment/,
    ],
    ["item outside forEach", one({ command: "echo {{ item }}" }), "tasks.list[0].command", /unknown variable "item"/],
    ["expressions are paths, not code", { job: { id: "{{ vars.a + 1 }}" } }, "job.id", /not a variable reference/],
    [
      "inline registry passwords are refused",
      { pool: { container: { type: "dockerCompatible", registries: [{ server: "r.io", username: "u", password: "hunter22" }] } } },
      "pool.container.registries[0].password",
      /must reference the environment/,
    ],
    [
      "username without password",
      { pool: { container: { type: "dockerCompatible", registries: [{ server: "r.io", username: "u" }] } } },
      "pool.container.registries[0]",
      /go together/,
    ],
    [
      "identity and password together",
      {
        pool: { container: { type: "dockerCompatible", registries: [{ server: "r.io", identity: "/id", username: "u", password: "{{ env.REG_PASSWORD }}" }] } },
      },
      "pool.container.registries[0]",
      /either `identity` or/,
    ],
    ["unknown fields are named with the valid ones", { pool: { vmsize: "x" } }, "pool", /unknown field "vmsize"; valid fields: id, displayName, reuse, vmSize/],
    ["unknown task fields", one({ imgae: "x" }), "tasks.list[0]", /unknown field "imgae".*image/],
    ["durations are ISO 8601", one({ maxWallClock: "30m" }), "tasks.list[0].maxWallClock", /ISO 8601 duration such as PT30M/],
    ["required fields", { pool: { vmSize: undefined } }, "pool.vmSize", /is required/],
    ["wrong types say what they got", { pool: { taskSlotsPerNode: "two" } }, "pool.taskSlotsPerNode", /whole number|number/],
    [
      "image needs publisher/offer/sku or id",
      { pool: { image: { publisher: "a", offer: undefined, sku: undefined } } },
      "pool.image",
      /publisher`, `offer` and `sku`/,
    ],
    ["node agent cannot be derived", { pool: { image: { publisher: "someone", offer: "custom", sku: "x" } } }, "pool.nodeAgentSku", /cannot be derived/],
    ["nodes and autoscale together", { pool: { autoscale: { formula: "$TargetDedicatedNodes=1;" } } }, "pool", /`nodes` or `autoscale`, not both/],
    [
      "container fields need an image",
      { tasks: { defaults: { image: undefined }, list: [{ id: "t", command: "x", runOptions: "--rm" }] } },
      "tasks.list[0].runOptions",
      /container tasks only; set `image`/,
    ],
    [
      "host tasks need a command",
      { tasks: { defaults: { image: undefined }, list: [{ id: "t" }] } },
      "tasks.list[0].command",
      /required for a task that does not run in a container/,
    ],
    ["an image without a container pool", { pool: { container: undefined } }, "tasks.list[0].image", /no container configuration/],
    ["--entrypoint belongs in runOptions", one({ command: "--entrypoint /bin/sh" }), "tasks.list[0].command", /put it in `runOptions`/],
    ["requiredSlots beyond the node's slots", one({ requiredSlots: 2 }), "tasks.list[0].requiredSlots", /more than pool.taskSlotsPerNode \(1\)/],
    ["dependsOn an unknown task", one({ dependsOn: ["ghost"] }), "tasks.list[0].dependsOn[0]", /not the id of a task/],
    ["dependsOn pattern matching nothing", one({ dependsOn: ["frame-*"] }), "tasks.list[0].dependsOn[0]", /matches no other task/],
    [
      "dependency cycles",
      {
        tasks: {
          list: [
            { id: "a", command: "x", dependsOn: ["b"] },
            { id: "b", command: "x", dependsOn: ["a"] },
          ],
        },
      },
      "tasks.list",
      /cycle: a -> b -> a/,
    ],
    [
      "zip lists of different lengths",
      { tasks: { list: [{ id: "z{{ item.a }}", command: "x", forEach: { zip: { a: [1, 2], b: [1] } } }] } },
      "tasks.list[0].forEach.zip",
      /same length/,
    ],
    [
      "a range that never ends",
      { tasks: { list: [{ id: "r{{ item }}", command: "x", forEach: { range: [5, 1] } }] } },
      "tasks.list[0].forEach.range",
      /never reaches its end/,
    ],
    [
      "forEach with two kinds",
      { tasks: { list: [{ id: "r{{ item }}", command: "x", forEach: { range: [1, 2], items: [1] } }] } },
      "tasks.list[0].forEach",
      /exactly one of range/,
    ],
    [
      "the job manager needs an image on container pools",
      { tasks: { defaults: { image: undefined }, list: [{ id: "t", command: "x" }] }, job: { manager: { command: "/m" } } },
      "job.manager.image",
      /container pool/,
    ],
    ["a schedule needs a job manager", { job: { schedule: { recurrence: "PT1H" } }, tasks: { list: [] } }, "job.schedule", /needs job.manager/],
    [
      "a schedule does not take tasks",
      { job: { schedule: { recurrence: "PT1H" }, manager: { command: "/m" } } },
      "tasks.list",
      /cannot be used with job.schedule/,
    ],
    ["release needs preparation", { job: { release: { command: "/r" } } }, "job.release", /needs job.preparation/],
    ["nothing to run", { tasks: { list: [] } }, "tasks.list", /is empty/],
  ])("%s", (_name, patch, path, message) => {
    const issues = issuesOf(() => load(patch));
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  test("every problem is reported at once", () => {
    const issues = issuesOf(() => load({ job: { id: "bad id" }, pool: { id: "bad/id" }, ...one({ id: "also bad" }) }));
    expect(issues.map((i) => i.path).sort()).toEqual(["job.id", "pool.id", "tasks.list[0].id"]);
  });

  test("YAML syntax errors name the file and line", () => {
    const issues = issuesOf(() => loadSpec("pool:\n  id: [unclosed\n", { fileName: "spec.yaml" }));
    expect(issues[0]!.message).toMatch(/^spec\.yaml: .*line/i);
  });

  test("the password itself never appears in an error", () => {
    const issues = issuesOf(() =>
      load({ pool: { container: { type: "dockerCompatible", registries: [{ server: "r.io", username: "u", password: "hunter22-inline" }] } } }),
    );
    expect(JSON.stringify(issues)).not.toContain("hunter22-inline");
  });
});

describe("what a valid spec becomes", () => {
  test("vars from the spec, overridden by --var; env; typed whole-string templates", () => {
    const w = load(
      {
        vars: { run: "spec", retries: 3 },
        job: { id: "render-{{ vars.run }}", maxTaskRetries: "{{ vars.retries }}" },
        ...one({ env: { FROM_ENV: "{{ env.REG_PASSWORD }}" } }),
      },
      { vars: { run: "cli" }, env: { REG_PASSWORD: "pw" } },
    );
    expect(w.job.id).toBe("render-cli");
    expect(w.job.maxTaskRetries).toBe(3);
    expect(w.tasks.at(0)!.env).toEqual({ FROM_ENV: "pw" });
  });

  test("forEach: range with step, items of objects, zip, product; {{ task.id }} in fields", () => {
    const w = load({
      tasks: {
        defaults: { image: "app:1", env: { A: "1" } },
        list: [
          { id: "r{{ item }}", command: "f {{ item }}", forEach: { range: [0, 10, 5] }, env: { B: "{{ task.id }}" } },
          {
            id: "i-{{ item.name }}",
            command: "g {{ item.size }}",
            forEach: {
              items: [
                { name: "a", size: 1 },
                { name: "b", size: 2 },
              ],
            },
          },
          { id: "z{{ item.x }}{{ item.y }}", command: "z", forEach: { zip: { x: [1, 2], y: ["a", "b"] } } },
          { id: "p{{ item.x }}{{ item.y }}", command: "p", forEach: { product: { x: [1, 2], y: ["a", "b"] } } },
        ],
      },
    });
    expect(w.tasks.ids).toEqual(["r0", "r5", "r10", "i-a", "i-b", "z1a", "z2b", "p1a", "p1b", "p2a", "p2b"]);
    expect(w.tasks.at(1)).toMatchObject({ command: "f 5", env: { A: "1", B: "r5" }, image: "app:1" });
    expect(w.tasks.at(4)!.command).toBe("g 2");
  });

  test("dependsOn patterns expand to ids and set usesTaskDependencies; ranges pass through", () => {
    const w = load({
      tasks: {
        list: [
          { id: "frame-{{ item }}", command: "r", forEach: { range: [1, 3] } },
          { id: "{{ item }}", command: "n", forEach: { range: [1, 2] } },
          { id: "merge", command: "m", dependsOn: ["FRAME-*", { range: [1, 2] }] },
        ],
      },
    });
    const job = plan(w)[1]!.body as any;
    const tasks = (plan(w)[2]!.body as any).value;
    expect(job.usesTaskDependencies).toBe(true);
    expect(tasks[5].dependsOn).toEqual({ taskIds: ["frame-1", "frame-2", "frame-3"], taskIdRanges: [{ start: 1, end: 2 }] });
    expect(tasks[0].dependsOn).toBeUndefined();
  });

  test("container settings, mounts, ENTRYPOINT and Windows elevation in the bodies", () => {
    const w = load({
      ...WINDOWS,
      tasks: {
        list: [
          { id: "entry", command: "" },
          { id: "no-command" },
          {
            id: "iso",
            command: "x",
            mounts: [{ source: "Task" }, { source: "Shared", readOnly: true }],
            runOptions: "--rm",
            workingDirectory: "taskWorkingDirectory",
          },
          { id: "none", command: "x", mounts: [], workingDirectory: "containerImageDefault" },
        ],
      },
    });
    const tasks = (plan(w).find((c) => c.operation === "Task_AddCollection")!.body as any).value;
    expect(tasks[0]).toMatchObject({ commandLine: "", containerSettings: { imageName: "app:1.0" }, userIdentity: { autoUser: { elevationLevel: "admin" } } });
    expect(tasks[0].containerSettings.containerHostBatchBindMounts).toBeUndefined();
    expect(tasks[1].commandLine).toBe("");
    expect(tasks[2].containerSettings).toEqual({
      imageName: "app:1.0",
      containerRunOptions: "--rm",
      workingDirectory: "taskWorkingDirectory",
      containerHostBatchBindMounts: [{ source: "Task" }, { source: "Shared", isReadOnly: true }],
    });
    expect(tasks[3].containerSettings.containerHostBatchBindMounts).toEqual([]);
    expect((plan(w)[0]!.body as any).virtualMachineConfiguration.nodeAgentSKUId).toBe("batch.node.windows amd64");
  });

  test("1,000 tasks become 10 addtaskcollection calls", () => {
    const w = load({ tasks: { list: [{ id: "t{{ item }}", command: "x {{ item }}", forEach: { range: [1, 1000] } }] } });
    const calls = plan(w).filter((c) => c.operation === "Task_AddCollection");
    expect(calls.map((c) => (c.body as any).value.length)).toEqual(Array(10).fill(100));
  });

  test.each([
    [{ publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2204" }, "batch.node.ubuntu 22.04"],
    [{ publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" }, "batch.node.ubuntu 24.04"],
    [{ publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2019-datacenter-core" }, "batch.node.windows amd64"],
    [{ publisher: "almalinux", offer: "almalinux-x86_64", sku: "9-gen2" }, "batch.node.el 9"],
    [{ id: "/subscriptions/x/galleries/g/images/i" }, undefined],
  ])("node agent SKU for %o is %s", (image, sku) => {
    expect(deriveNodeAgentSku(image)).toBe(sku);
  });

  test.each([
    ["Standard_HB120rs_v3", true],
    ["Standard_H16r", true],
    ["Standard_NC24rs_v3", true],
    ["Standard_ND96asr_v4", true],
    ["Standard_D2s_v3", false],
    ["Standard_NC6s_v3", false],
    ["Standard_NC24ads_A100_v4", false],
  ])("RDMA size %s: %s", (size, rdma) => {
    expect(isRdmaVmSize(size)).toBe(rdma);
  });
});
