/**
 * Pools with a managed identity go through Azure Resource Manager. Every ARM body the core builds
 * validates with Microsoft's `oav` against the management-plane definition (Pool_Create); the
 * extensible enums oav lets through are checked here. And the spec rules of such pools.
 */
import { afterEach, describe, expect, test } from "vitest";
import {
  armPoolPath,
  BatchClient,
  classifyError,
  ConflictError,
  loadSpecObject,
  plan,
  runWorkload,
  silentReporter,
  SpecError,
  translateArmPool,
  type Workload,
} from "azure-batch-run";
import { localAccount } from "../../helpers/localAccount.js";
import { armPoolBody, dataPlanePool } from "../../../shared/batch/armPool.js";
import { translatePool } from "../../../shared/translate/pool.js";
import { validateArmCall } from "../../helpers/oav.js";
import { mgmtSpecMissing } from "../../helpers/requirements.js";
import { baseSpec, load, merge } from "../../helpers/specs.js";

const SUB = "00000000-0000-0000-0000-000000000000";
const ID = `/subscriptions/${SUB}/resourceGroups/batch/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acr-pull`;
const OTHER = `/subscriptions/${SUB}/resourceGroups/batch/providers/Microsoft.ManagedIdentity/userAssignedIdentities/writer`;
const account = { subscription: SUB, resourceGroup: "batch-rg", name: "myaccount" };
const identityPool = (patch: Record<string, any> = {}) =>
  merge(
    {
      account,
      pool: {
        identity: [ID, OTHER],
        container: { type: "dockerCompatible", prefetch: ["myacr.azurecr.io/app:1"], registries: [{ server: "myacr.azurecr.io", identity: ID }] },
      },
    },
    patch,
  );

const FEATURES: [string, Record<string, any>][] = [
  ["an identity pool with container configuration and an identity registry", identityPool()],
  // `nodes: undefined` must reach load's merge over the base spec, which deletes it there.
  [
    "autoscale",
    { ...identityPool(), pool: { ...identityPool().pool, nodes: undefined, autoscale: { formula: "$TargetDedicatedNodes = 2;", interval: "PT10M" } } },
  ],
  [
    "a start task in a container, with isolation mounts, admin, env and resource files",
    identityPool({
      pool: {
        startTask: {
          command: "/bin/prep",
          image: "myacr.azurecr.io/app:1",
          runOptions: "--rm",
          workingDirectory: "containerImageDefault",
          mounts: [{ source: "Shared", readOnly: true }],
          elevation: "admin",
          env: { A: "1" },
          resources: [{ url: "https://a.blob.core.windows.net/c/f.sh", path: "f.sh", mode: "0755" }],
          retries: 2,
          waitForSuccess: false,
        },
      },
    }),
  ],
  [
    "Windows",
    identityPool({
      pool: { image: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-core" }, container: { type: "dockerCompatible" } },
    }),
  ],
  [
    "a gallery image, criCompatible, slots, metadata, inter-node, resize timeout, spot nodes",
    identityPool({
      pool: {
        image: {
          publisher: undefined,
          offer: undefined,
          sku: undefined,
          id: `/subscriptions/${SUB}/resourceGroups/img/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0`,
        },
        nodeAgentSku: "batch.node.ubuntu 24.04",
        container: { type: "criCompatible" },
        taskSlotsPerNode: 4,
        metadata: { team: "render" },
        interNodeCommunication: false,
        resizeTimeout: "PT20M",
        nodes: { dedicated: 1, spot: 3 },
        displayName: "Render pool",
      },
    }),
  ],
];

/** Enum values the definition marks extensible (`modelAsString`), which oav does not check. */
function extensibleEnums(body: any): string[] {
  const problems: string[] = [];
  const type = body.properties.deploymentConfiguration.virtualMachineConfiguration.containerConfiguration?.type;
  if (type !== undefined && !["DockerCompatible", "CriCompatible"].includes(type)) problems.push(`containerConfiguration.type ${type}`);
  if (body.identity && !["UserAssigned", "None"].includes(body.identity.type)) problems.push(`identity.type ${body.identity.type}`);
  return problems;
}

describe.skipIf(mgmtSpecMissing)("ARM pool bodies validate against the management-plane definition with oav", () => {
  test.each(FEATURES)("%s", async (_name, patch) => {
    const w = load(patch);
    const [call] = plan(w);
    expect(call).toMatchObject({ method: "PUT", plane: "arm", operation: "Pool_Create", query: { "api-version": "2024-07-01" } });
    expect(call!.path).toBe(`/subscriptions/${SUB}/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/myaccount/pools/pool-1`);
    const { request } = await validateArmCall(call!);
    expect(request.errors).toEqual([]);
    expect(request.operationId).toBe("Pool_Create");
    expect(extensibleEnums(call!.body)).toEqual([]);
  });

  test("the oracle refuses a bad body and an unmatched call", async () => {
    const [call] = plan(load(identityPool()));
    const bad = structuredClone(call!.body) as any;
    bad.properties.deploymentConfiguration.virtualMachineConfiguration.nodeAgentSKUId = "data-plane casing";
    expect((await validateArmCall({ ...call!, body: bad })).request.errors.length).toBeGreaterThan(0);
    expect((await validateArmCall({ ...call!, query: { "api-version": "2024-07-01.20.0" } })).request.errors.map((e) => e.code)).toContain("UNKNOWN_OPERATION");
  });
});

describe("the ARM translator", () => {
  test("is the data-plane body, moved and recased by its tables", () => {
    const body = translateArmPool(load(identityPool({ pool: { startTask: { command: "s", image: "myacr.azurecr.io/app:1", elevation: "nonadmin" } } }))) as any;
    expect(body.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: { [ID]: {}, [OTHER]: {} } });
    const vmc = body.properties.deploymentConfiguration.virtualMachineConfiguration;
    expect(vmc.nodeAgentSkuId).toBe("batch.node.ubuntu 24.04");
    expect(vmc.containerConfiguration).toEqual({
      type: "DockerCompatible",
      containerImageNames: ["myacr.azurecr.io/app:1"],
      containerRegistries: [{ registryServer: "myacr.azurecr.io", identityReference: { resourceId: ID } }],
    });
    expect(body.properties.startTask.userIdentity).toEqual({ autoUser: { scope: "Pool", elevationLevel: "NonAdmin" } });
    expect(body.properties.scaleSettings).toEqual({ fixedScale: { targetDedicatedNodes: 1, targetLowPriorityNodes: 0 } });
  });

  test("refuses a data-plane field it has no place for, rather than dropping it", () => {
    expect(() => armPoolBody({ id: "p", vmSize: "x", networkConfiguration: {} } as never, [])).toThrow(
      "ARM pool: the data-plane field networkConfiguration has no place in the ARM body",
    );
    expect(() => armPoolBody({ id: "p", vmSize: "x", virtualMachineConfiguration: { containerConfiguration: { type: "podman" } } } as never, [])).toThrow(
      'ARM pool: no ARM value for type "podman"',
    );
  });

  test("an account found at run time shows as placeholders in the plan", () => {
    expect(armPoolPath({ subscription: SUB }, "p")).toBe(
      `/subscriptions/${SUB}/resourceGroups/{resourceGroup}/providers/Microsoft.Batch/batchAccounts/{accountName}/pools/p`,
    );
  });
});

describe("rules of pools with a managed identity", () => {
  const issues = (patch: Record<string, any>) => {
    try {
      load(patch);
    } catch (error) {
      return (error as SpecError).issues;
    }
    return [];
  };

  test("a registry's identity must be one of the pool's", () => {
    expect(issues(identityPool({ pool: { identity: [OTHER] } }))).toEqual([
      { path: "pool.container.registries[0].identity", message: `is not one of pool.identity; a pool pulls with an identity it has: ${OTHER}` },
    ]);
  });

  test("ARM coordinates: required for a pool created through ARM, allowed for the preflight's quotas, never half given", () => {
    expect(issues(identityPool({ account: { subscription: undefined, resourceGroup: undefined, name: undefined } }))).toEqual([
      {
        path: "account.subscription",
        message: "is required with pool.identity: only Azure Resource Manager can give a pool a managed identity, in the account's subscription",
      },
    ]);
    // Without an identity, the subscription serves the preflight (quotas and VM sizes through ARM).
    expect(issues({ account: { subscription: SUB } })).toEqual([]);
    expect(issues({ account: { resourceGroup: "rg", name: "acct" } }).map((i) => i.path)).toEqual(["account.resourceGroup", "account.name"]);
    expect(issues({ account: { subscription: SUB, name: "acct" } }).map((i) => i.path)).toEqual(["account.resourceGroup"]);
    expect(issues(identityPool({ account: { name: undefined } })).map((i) => i.path)).toEqual(["account.name"]);
    // Without resourceGroup and name the account is found from its URL at run time.
    expect(issues(identityPool({ account: { resourceGroup: undefined, name: undefined } }))).toEqual([]);
  });

  test("a task's own registry: for container tasks, with an identity of the pool's, and no inline password", () => {
    expect(
      issues(identityPool({ tasks: { defaults: undefined, list: [{ id: "t1", command: "/x", registry: { server: "r.azurecr.io", identity: ID } }] } })).map(
        (i) => i.path,
      ),
    ).toEqual(["tasks.list[0].registry"]);
    const other = `/subscriptions/${SUB}/resourceGroups/batch/providers/Microsoft.ManagedIdentity/userAssignedIdentities/stranger`;
    expect(
      issues(
        identityPool({ tasks: { list: [{ id: "t1", command: "/x", image: "r.azurecr.io/a:1", registry: { server: "r.azurecr.io", identity: other } }] } }),
      ),
    ).toEqual([
      { path: "tasks.list[0].registry.identity", message: `is not one of pool.identity; a task pulls with an identity its pool has: ${ID}, ${OTHER}` },
    ]);
    expect(
      issues({ tasks: { defaults: { image: "a:1", registry: { server: "r", username: "u", password: "hunter2" } }, list: [{ id: "t1", command: "/x" }] } }).map(
        (i) => i.path,
      ),
    ).toEqual(["tasks.defaults.registry.password"]);
  });

  test("a task's resource and output files read and write with an identity of the pool's", () => {
    const other = `/subscriptions/${SUB}/resourceGroups/batch/providers/Microsoft.ManagedIdentity/userAssignedIdentities/stranger`;
    const task = (identity: string) => ({
      id: "t1",
      command: "/x",
      resources: [{ url: "https://s.blob.core.windows.net/in/a.csv", identity }],
      outputs: [{ pattern: "out/*", container: "https://s.blob.core.windows.net/out", identity }],
    });
    expect(issues(identityPool({ tasks: { list: [task(ID)] } }))).toEqual([]);
    expect(issues(identityPool({ tasks: { list: [task(other)] } }))).toEqual([
      {
        path: "tasks.list[0].resources[0].identity",
        message: `is not one of pool.identity; a task reads and writes blobs with an identity its pool has: ${ID}, ${OTHER}`,
      },
      {
        path: "tasks.list[0].outputs[0].identity",
        message: `is not one of pool.identity; a task reads and writes blobs with an identity its pool has: ${ID}, ${OTHER}`,
      },
    ]);
    // A spec without pool.identity may reuse a pool made elsewhere with its identities: not refused.
    expect(issues({ tasks: { list: [task(other)] } })).toEqual([]);
  });

  test("identities are resource ids of user-assigned identities", () => {
    expect(issues(identityPool({ pool: { identity: ["acr-pull"] } }))[0]!.path).toBe("pool.identity[0]");
  });

  test("a pool without identity keeps the data plane", () => {
    const w: Workload = load(merge(baseSpec(), {}));
    expect(plan(w)[0]).toMatchObject({ method: "POST", path: "/pools", operation: "Pool_Add" });
    expect(plan(w)[0]!.plane).toBeUndefined();
  });
});

describe("reusing a pool with a managed identity", () => {
  let toClose: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of toClose.reverse()) await c();
    toClose = [];
  });

  test("an existing pool without the identity is a difference, listed by field, before anything is created", async () => {
    const { local } = await localAccount(toClose);
    // An ARM credential the run never needs to use: the pool exists, so it is compared, not created.
    const client = new BatchClient({
      accountUrl: local.accountUrl,
      auth: { kind: "sharedKey", accountName: local.accountName, accountKey: local.accountKey },
      arm: { credential: { getToken: async () => ({ token: "unused", expiresOnTimestamp: Date.now() + 3_600_000 }) }, endpoint: "http://127.0.0.1:9" },
    });
    toClose.push(() => client.close());
    await client.send("POST", "/pools", {
      idempotent: true,
      body: {
        id: "idp",
        vmSize: "standard_d2s_v3",
        virtualMachineConfiguration: {
          imageReference: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
          nodeAgentSKUId: "batch.node.ubuntu 24.04",
        },
        targetDedicatedNodes: 1,
      },
    });
    const w = loadSpecObject(
      {
        account: { subscription: SUB },
        pool: { id: "idp", vmSize: "Standard_D2s_v3", image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" }, identity: [ID] },
        job: { id: "j" },
        tasks: { list: [{ id: "t", command: "/bin/true" }] },
      },
      { env: {} },
    );
    const error = await runWorkload(client, w, silentReporter, { pollIntervalMs: 50 }).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain(`identity: wanted ["${ID.toLowerCase()}"], found []`);
    expect(classifyError(error)).toBe("usage");
    expect(local.service.jobs.size).toBe(0);
  });
});

describe("the ARM tables, both ways", () => {
  test.each(FEATURES)("%s: ARM back to the data plane gives the data-plane body", (_name, patch) => {
    const w = load(patch);
    const { pool, identities } = dataPlanePool(translateArmPool(w) as never, w.pool.id);
    expect(pool).toEqual(translatePool(w));
    expect(identities).toEqual(w.pool.identity);
  });
});
