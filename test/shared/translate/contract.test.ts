/**
 * Contract tests: every request body the core can produce, one spec feature at a time, validated
 * by Microsoft's `oav` against the official REST definition (../shared/azure-batch-spec).
 */
import { describe, expect, test } from "vitest";
import { plan } from "../../../shared/run/plan.js";
import { batchSpecMissing } from "../../helpers/requirements.js";
import { load } from "../../helpers/specs.js";
import { validateCall } from "../../helpers/oav.js";

const features: [string, Record<string, any>, string[]][] = [
  ["a minimal pool, job and container task", {}, ["Pool_Add", "Job_Add", "Task_AddCollection"]],
  [
    "prefetched images and private registries (password from env, managed identity)",
    {
      pool: {
        container: {
          type: "dockerCompatible",
          prefetch: ["myacr.azurecr.io/app:1.0", "docker.io/library/busybox:1"],
          registries: [
            { server: "myacr.azurecr.io", identity: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/pull" },
            { server: "docker.io", username: "me", password: "{{ env.REG_PASSWORD }}" },
          ],
        },
      },
    },
    ["Pool_Add", "Job_Add", "Task_AddCollection"],
  ],
  ["criCompatible containers", { pool: { container: { type: "criCompatible" } } }, ["Pool_Add", "Job_Add", "Task_AddCollection"]],
  [
    "a task's own registry, with a password and with a pool identity",
    {
      tasks: {
        list: [
          {
            id: "t1",
            command: "/app/run",
            image: "other.azurecr.io/app:2",
            registry: { server: "other.azurecr.io", username: "puller", password: "{{ env.REG_PASSWORD }}" },
          },
          {
            id: "t2",
            command: "/app/run",
            image: "id.azurecr.io/app:1",
            registry: { server: "id.azurecr.io", identity: "/subscriptions/0/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x" },
          },
        ],
      },
    },
    ["Pool_Add", "Job_Add", "Task_AddCollection"],
  ],
  [
    "a start task on the host and one in a container, autoscale, gallery image, metadata",
    {
      pool: {
        image: {
          publisher: undefined,
          offer: undefined,
          sku: undefined,
          id: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0",
        },
        nodeAgentSku: "batch.node.ubuntu 24.04",
        nodes: undefined,
        autoscale: { formula: "$TargetDedicatedNodes = 2;", interval: "PT5M" },
        resizeTimeout: "PT15M",
        taskSlotsPerNode: 4,
        interNodeCommunication: false,
        metadata: { owner: "ci" },
        startTask: {
          command: "/bin/sh -c 'echo ready'",
          image: "app:1.0",
          runOptions: "--rm",
          mounts: [{ source: "Startup" }, { source: "Task", readOnly: true }],
          elevation: "admin",
          waitForSuccess: true,
          env: { STAGE: "start" },
          resources: [{ url: "https://s.blob.core.windows.net/c/setup.sh?{{ env.SAS }}", path: "setup.sh", mode: "0755" }],
          retries: 2,
        },
      },
    },
    ["Pool_Add", "Job_Add", "Task_AddCollection"],
  ],
  [
    "a Windows container pool (tasks elevated to admin)",
    {
      pool: { image: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-core-smalldisk" }, vmSize: "Standard_D4s_v3" },
    },
    ["Pool_Add", "Job_Add", "Task_AddCollection"],
  ],
  [
    "task container settings: run options, working directory, isolation mounts, ENTRYPOINT",
    {
      tasks: {
        defaults: { image: "app:1.0", runOptions: "--workdir /app --env-file none", workingDirectory: "containerImageDefault" },
        list: [
          { id: "entrypoint", command: "" },
          { id: "isolated", command: "/app/run", mounts: [{ source: "Task" }, { source: "Shared", readOnly: true }], workingDirectory: "taskWorkingDirectory" },
          { id: "nothing-mounted", command: "/app/run", mounts: [] },
          {
            id: "all-sources",
            command: "/app/run",
            mounts: ["Shared", "Startup", "VfsMounts", "Task", "JobPrep", "Applications"].map((source) => ({ source, readOnly: source !== "Task" })),
          },
        ],
      },
    },
    ["Pool_Add", "Job_Add", "Task_AddCollection"],
  ],
  [
    "task user, env, resource files, output files, constraints, slots",
    {
      pool: { taskSlotsPerNode: 2 },
      tasks: {
        defaults: { image: "app:1.0", env: { MODE: "fast", LEVEL: 3, DEBUG: false }, user: { scope: "task", elevation: "nonadmin" } },
        list: [
          {
            id: "full",
            command: "/app/run",
            user: { scope: "pool", elevation: "admin" },
            resources: [
              { url: "https://s.blob.core.windows.net/in/input.csv?{{ env.SAS }}", path: "in/input.csv" },
              { container: "https://s.blob.core.windows.net/models?{{ env.SAS }}", prefix: "v2/", path: "models" },
              {
                url: "https://s.blob.core.windows.net/in/with-identity.csv",
                path: "in/with-identity.csv",
                identity: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/read",
              },
            ],
            outputs: [
              { pattern: "out/**", container: "https://s.blob.core.windows.net/results?{{ env.SAS }}", path: "{{ task.id }}/" },
              {
                pattern: "../std*.txt",
                container: "https://s.blob.core.windows.net/logs",
                identity: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/up",
                when: "taskFailure",
              },
              { pattern: "done.flag", container: "https://s.blob.core.windows.net/logs?{{ env.SAS }}", when: "taskSuccess" },
            ],
            maxWallClock: "PT30M",
            retention: "P1D",
            retries: 2,
            requiredSlots: 2,
            displayName: "the full task",
          },
        ],
      },
    },
    ["Pool_Add", "Job_Add", "Task_AddCollection"],
  ],
  [
    "forEach (range, items, zip, product) and dependencies (ids, patterns, ranges)",
    {
      tasks: {
        list: [
          { id: "{{ item }}", command: "/app/frame {{ item }}", forEach: { range: [1, 5] } },
          { id: "c-{{ item }}", command: "/app/c {{ item }}", forEach: { items: ["a", "b"] } },
          { id: "z-{{ item.x }}-{{ item.y }}", command: "/app/z", forEach: { zip: { x: [1, 2], y: ["p", "q"] } } },
          { id: "p-{{ item.s }}-{{ item.t }}", command: "/app/p", forEach: { product: { s: [1, 2], t: ["u", "v"] } }, dependsOn: ["c-*"] },
          { id: "merge", command: "/app/merge", dependsOn: [{ range: [1, 5] }, "c-a", "z-*"] },
        ],
      },
    },
    ["Pool_Add", "Job_Add", "Task_AddCollection"],
  ],
  [
    "job constraints, priority, parallelism, failure policy, common environment",
    {
      job: {
        displayName: "nightly",
        priority: 100,
        maxParallelTasks: 4,
        maxWallClock: "PT2H",
        maxTaskRetries: 1,
        onAllTasksComplete: "terminateJob",
        onTaskFailure: "performExitOptionsJobAction",
        env: { RUN: "42" },
        metadata: { source: "ci" },
      },
    },
    ["Pool_Add", "Job_Add", "Task_AddCollection"],
  ],
  [
    "job preparation (in a container), release and manager tasks",
    {
      job: {
        preparation: {
          command: "/app/prepare",
          image: "app:1.0",
          mounts: [{ source: "JobPrep" }, { source: "Shared" }],
          workingDirectory: "containerImageDefault",
          waitForSuccess: true,
          rerunOnNodeRebootAfterSuccess: false,
          maxWallClock: "PT5M",
          retries: 1,
          env: { P: "1" },
        },
        release: {
          command: "/bin/sh -c 'rm -rf $AZ_BATCH_NODE_SHARED_DIR/tmp'",
          maxWallClock: "PT5M",
          retention: "PT1H",
          user: { scope: "pool", elevation: "admin" },
        },
        manager: {
          command: "/app/manage",
          killJobOnCompletion: false,
          runExclusive: false,
          allowLowPriorityNode: true,
          requiredSlots: 1,
          outputs: [{ pattern: "report.txt", container: "https://s.blob.core.windows.net/r?{{ env.SAS }}" }],
        },
      },
    },
    ["Pool_Add", "Job_Add", "Task_AddCollection"],
  ],
  [
    "a job schedule whose job manager runs the work",
    {
      job: {
        id: "nightly",
        schedule: { recurrence: "PT1H", startWindow: "PT10M", doNotRunUntil: "2026-12-01T00:00:00Z", doNotRunAfter: "2027-12-01T00:00:00Z" },
        manager: { command: "/app/nightly", image: "app:1.0" },
        preparation: { command: "/app/prepare" },
        maxWallClock: "PT50M",
        displayName: "nightly run",
        metadata: { kind: "schedule" },
      },
      tasks: { list: [] },
    },
    ["Pool_Add", "JobSchedule_Add"],
  ],
];

describe.skipIf(batchSpecMissing)("REST bodies validate against the official definition with oav", () => {
  test.each(features)("%s (under 2025-06-01 and 2024-07-01.20.0)", async (_name, patch, operations) => {
    for (const apiVersion of ["2025-06-01", "2024-07-01.20.0"] as const) {
      const calls = plan(load(patch, { apiVersion }));
      expect(calls.map((c) => c.operation)).toEqual(expect.arrayContaining(operations));
      for (const call of calls) {
        const { request } = await validateCall(call);
        expect({ operation: request.operationId, version: request.apiVersion, errors: request.errors }).toEqual({
          operation: call.operation,
          version: apiVersion,
          errors: [],
        });
      }
    }
  });

  test("the oracle really refuses a bad body (unknown field, bad enum, missing type)", async () => {
    const call = plan(load())[0]!;
    const body = structuredClone(call.body) as any;
    body.bogus = 1;
    body.virtualMachineConfiguration.containerConfiguration = { containerImageNames: [] };
    body.startTask = { commandLine: "x", userIdentity: { autoUser: { elevationLevel: "root" } } };
    const { request } = await validateCall({ ...call, body });
    const codes = request.errors.map((e) => e.code);
    expect(codes).toEqual(expect.arrayContaining(["OBJECT_ADDITIONAL_PROPERTIES", "OBJECT_MISSING_REQUIRED_PROPERTY", "ENUM_MISMATCH"]));
  });

  test("the job terminate body sent on cancellation is a valid Job_Terminate", async () => {
    const { request } = await validateCall({ method: "POST", path: "/jobs/job-1/terminate", body: { terminateReason: "Cancelled by azure-batch-run" } });
    expect(request).toEqual({ operationId: "Job_Terminate", apiVersion: "2025-06-01", errors: [] });
  });
});
