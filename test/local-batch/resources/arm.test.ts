/**
 * The local Batch service's ARM side: discovery, pool create (create-only), get and delete over
 * the same pool state as its data plane, bearer tokens only. Every ARM request and response of a
 * real run validates with oav against the management definition; the data-plane view of the pool
 * (with its identity) against the data-plane definition.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { ArmError, BatchClient, loadSpecObject, runWorkload } from "azure-batch-run";
import { processExecutor } from "../../../local-batch/runtime/executors.js";
import { LocalBatchService, type Exchange } from "../../../local-batch/service.js";
import { validateArmCall, validateCall } from "../../helpers/oav.js";
import { recordingReporter } from "../../helpers/reporter.js";
import { batchSpecMissing, mgmtSpecMissing } from "../../helpers/requirements.js";

const SUB = "11111111-2222-3333-4444-555555555555";
const ID = `/subscriptions/${SUB}/resourceGroups/ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acr-pull`;
const KEY = Buffer.from("local arm key").toString("base64");

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

async function start() {
  const dataDir = mkdtempSync(join(tmpdir(), "azbr-local-arm-"));
  const exchanges: Exchange[] = [];
  const service = new LocalBatchService({ accountName: "local", accountKey: KEY, dataDir, executor: processExecutor(), onExchange: (e) => exchanges.push(e) });
  const url = await service.listen();
  const credential = { getToken: async () => ({ token: "local-dev-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const client = new BatchClient({
    accountUrl: url,
    auth: { kind: "sharedKey", accountName: "local", accountKey: KEY },
    arm: { credential, endpoint: `${url}/arm` },
  });
  toClose.push(async () => {
    await client.close();
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { service, client, url, exchanges };
}

const spec = () =>
  loadSpecObject(
    {
      cleanup: "pool",
      account: { subscription: SUB },
      pool: {
        id: "idpool",
        vmSize: "Standard_D2s_v3",
        image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
        identity: [ID],
        taskSlotsPerNode: 2,
      },
      job: { id: "idjob" },
      tasks: { list: [{ id: "t{{ item }}", command: "/bin/sh -c 'echo {{ item }}'", forEach: { range: [1, 3] } }] },
    },
    { env: {} },
  );

describe.skipIf(mgmtSpecMissing || batchSpecMissing)("the local service's ARM side", () => {
  test("a run creates the pool through ARM, follows it on the data plane, deletes it through ARM; every exchange validates", async () => {
    const { service, client, exchanges } = await start();
    const { reporter, lines } = recordingReporter();
    let identityOnDataPlane: unknown;
    // Read the data-plane view while the pool exists.
    const poll = setInterval(() => {
      const pool = service.pools.get("idpool");
      if (pool && !identityOnDataPlane) identityOnDataPlane = pool.identities;
    }, 10);
    const result = await runWorkload(client, spec(), reporter, { pollIntervalMs: 50 });
    clearInterval(poll);
    expect(result.succeeded).toBe(true);
    expect(result.created.poolArmPath).toBe(`/subscriptions/${SUB}/resourceGroups/local/providers/Microsoft.Batch/batchAccounts/local/pools/idpool`);
    expect(identityOnDataPlane).toEqual([ID]);
    expect(lines).toContain("info: deleted pool idpool through Azure Resource Manager");
    expect(service.pools.size).toBe(0);

    const arm = exchanges.filter((e) => new URL(e.url).pathname.startsWith("/arm/"));
    // The preflight's account and VM sizes, then the account found by its endpoint, the create-only PUT, the delete.
    expect(arm.map((e) => `${e.method} ${new URL(e.url).pathname.replace(/^.*\//, "")} ${e.status}`)).toEqual([
      "GET batchAccounts 200",
      "GET virtualMachineSkus 200",
      "GET batchAccounts 200",
      "PUT idpool 200",
      "DELETE idpool 200",
    ]);
    expect(arm.every((e) => String(e.requestHeaders.authorization).startsWith("Bearer "))).toBe(true);
    for (const e of arm) {
      const u = new URL(e.url);
      const { request, response } = await validateArmCall({
        method: e.method,
        path: u.pathname.slice(4),
        query: Object.fromEntries(u.searchParams),
        body: e.requestBody,
        response: { status: e.status, body: e.responseBody },
      });
      expect({ call: `${e.method} ${u.pathname}`, request: request.errors, response: response.errors }).toEqual({
        call: `${e.method} ${u.pathname}`,
        request: [],
        response: [],
      });
    }
    // The data plane's pool GETs, identity included, validate against the data-plane definition.
    const poolGets = exchanges.filter((e) => e.method === "GET" && /\/pools\/idpool$/.test(new URL(e.url).pathname) && e.status === 200);
    expect(poolGets.length).toBeGreaterThan(0);
    for (const e of poolGets) {
      const u = new URL(e.url);
      expect((e.responseBody as { identity?: unknown }).identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [{ resourceId: ID }] });
      const { response } = await validateCall({
        method: "GET",
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        response: { status: 200, body: e.responseBody },
      });
      expect(response.errors).toEqual([]);
    }
  });

  test("get, create-only, not found, and Shared Key refused, each in ARM's shapes", async () => {
    const { client, url, exchanges } = await start();
    const arm = client.arm!;
    const path = `/subscriptions/${SUB}/resourceGroups/local/providers/Microsoft.Batch/batchAccounts/local/pools/p2`;
    const body = {
      identity: { type: "UserAssigned", userAssignedIdentities: { [ID]: {} } },
      properties: {
        vmSize: "Standard_D2s_v3",
        deploymentConfiguration: {
          virtualMachineConfiguration: {
            imageReference: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
            nodeAgentSkuId: "batch.node.ubuntu 24.04",
          },
        },
        scaleSettings: { fixedScale: { targetDedicatedNodes: 0 } },
      },
    };
    const q = { "api-version": "2024-07-01" };
    expect((await arm.send("PUT", path, { query: q, body, headers: { "if-none-match": "*" }, idempotent: true })).status).toBe(200);
    const got = await arm.json<{ identity: { userAssignedIdentities: Record<string, { principalId: string }> }; properties: { provisioningState: string } }>(
      "GET",
      path,
      { query: q },
    );
    expect(got.properties.provisioningState).toBe("Succeeded");
    expect(Object.keys(got.identity.userAssignedIdentities)).toEqual([ID]);
    expect((await arm.send("PUT", path, { query: q, body, headers: { "if-none-match": "*" }, idempotent: true, accept: [412] })).status).toBe(412);
    const missing = await arm.send("GET", path.replace("p2", "nope"), { query: q }).catch((e) => e);
    expect(missing).toBeInstanceOf(ArmError);
    expect(missing).toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    expect(missing.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // A Shared Key is the data plane's, not ARM's.
    const sharedKey = await fetch(`${url}/arm${path}?api-version=2024-07-01`, { headers: { authorization: "SharedKey local:abc" } });
    expect(sharedKey.status).toBe(401);
    expect(await sharedKey.json()).toEqual({ error: { code: "AuthenticationFailed", message: expect.stringContaining("takes a bearer token") } });
    for (const e of exchanges.filter((x) => new URL(x.url).pathname.startsWith("/arm/") && x.status !== 401)) {
      const u = new URL(e.url);
      const { request, response } = await validateArmCall({
        method: e.method,
        path: u.pathname.slice(4),
        query: Object.fromEntries(u.searchParams),
        body: e.requestBody,
        response: { status: e.status, body: e.responseBody },
      });
      expect({ call: `${e.method} ${e.status}`, errors: [...request.errors, ...response.errors] }).toEqual({ call: `${e.method} ${e.status}`, errors: [] });
    }
  });
});
