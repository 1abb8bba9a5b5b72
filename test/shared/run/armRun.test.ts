/**
 * Running a pool with a managed identity: the account found on Azure Resource Manager by its
 * endpoint, the pool created there (create-only, throttling waited out), then followed on the data
 * plane of the real local Batch service, and deleted through ARM by `cleanup: pool`. ARM is a
 * protocol-level stand-in (test/helpers/armStandIn.ts); every exchange with it validates with oav.
 */
import { afterEach, describe, expect, test } from "vitest";
import { ArmError, BatchClient, classifyError, ConflictError, loadSpecObject, runWorkload, silentReporter, submitTasks, UsageError } from "azure-batch-run";
import { startArmStandIn } from "../../helpers/armStandIn.js";
import { localAccount } from "../../helpers/localAccount.js";
import { validateArmCall } from "../../helpers/oav.js";
import { recordingReporter } from "../../helpers/reporter.js";
import { mgmtSpecMissing } from "../../helpers/requirements.js";

const SUB = "11111111-2222-3333-4444-555555555555";
const ID = `/subscriptions/${SUB}/resourceGroups/ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acr-pull`;
const TOKEN = "arm-token-0123456789abcdefghij";

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

function workload(account: Record<string, string> = { subscription: SUB }, cleanup: "pool" | "none" = "pool") {
  return loadSpecObject(
    {
      cleanup,
      account,
      pool: {
        id: "idpool",
        vmSize: "Standard_D2s_v3",
        image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
        identity: [ID],
        nodes: { dedicated: 1 },
      },
      job: { id: "idjob" },
      tasks: { list: [{ id: "t", command: "/bin/sh -c 'echo ran'" }] },
    },
    { env: {} },
  );
}

async function setUp(standIn: Partial<Parameters<typeof startArmStandIn>[0]> = {}) {
  const { local, client: dataPlane } = await localAccount(toClose);
  const arm = await startArmStandIn({ subscription: SUB, resourceGroup: "batch-rg", accountName: "local", batch: dataPlane, ...standIn });
  toClose.push(arm.close);
  const scopes: string[] = [];
  const credential = {
    getToken: async (scope: string | string[]) => (scopes.push(String(scope)), { token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
  // The data plane of the local service takes its Shared Key; ARM (the stand-in) an Entra ID token.
  const client = new BatchClient({
    accountUrl: local.accountUrl,
    auth: { kind: "sharedKey", accountName: local.accountName, accountKey: local.accountKey },
    arm: { credential, endpoint: arm.url },
  });
  toClose.push(() => client.close());
  return { local, arm, client, scopes };
}

async function allValid(
  exchanges: { method: string; path: string; query: Record<string, string>; body?: unknown; response: { status: number; body?: unknown } }[],
) {
  const problems: string[] = [];
  for (const e of exchanges) {
    const { request, response } = await validateArmCall({ method: e.method, path: e.path, query: e.query, body: e.body, response: e.response });
    if (request.errors.length || response.errors.length)
      problems.push(`${e.method} ${e.path} -> ${e.response.status}: ${JSON.stringify([...request.errors, ...response.errors]).slice(0, 300)}`);
  }
  return problems;
}

describe.skipIf(mgmtSpecMissing)("pools with a managed identity, through ARM", () => {
  test("the account found by its endpoint, the pool created through ARM, the run followed on the data plane, the pool deleted through ARM", async () => {
    const { local, arm, client, scopes } = await setUp({ throttleFirstPuts: 1 });
    const { reporter, lines } = recordingReporter();
    const result = await runWorkload(client, workload(), reporter, { pollIntervalMs: 50 });
    expect(result.succeeded).toBe(true);
    expect(result.created).toEqual({
      pool: true,
      job: true,
      poolArmPath: `/subscriptions/${SUB}/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/local/pools/idpool`,
    });
    // The preflight reads the account and its region's VM sizes; the account is found again by its endpoint for the PUT.
    expect(arm.exchanges.map((e) => `${e.method} ${e.path.replace(/^.*\//, "")} ${e.response.status}`)).toEqual([
      "GET batchAccounts 200",
      "GET virtualMachineSkus 200",
      "GET batchAccounts 200",
      "PUT idpool 429",
      "PUT idpool 200",
      "DELETE idpool 200",
    ]);
    expect(lines).toContain("info: preflight: the spec fits the account (6 checks)");
    expect(lines).toContain("info: created pool idpool through Azure Resource Manager (batch-rg/local), with 1 managed identity");
    expect(lines.some((l) => /^info: throttled \(HTTP 429\): retrying PUT \/subscriptions\/.*\/pools\/idpool in 1 s/.test(l))).toBe(true);
    expect(lines).toContain("info: deleted pool idpool through Azure Resource Manager");
    expect(local.service.pools.size).toBe(0);
    // ARM got ARM's scope and a create-only PUT; the data plane kept its Shared Key.
    expect(new Set(scopes)).toEqual(new Set(["https://management.azure.com/.default"]));
    expect(arm.tokens.every((t) => t === TOKEN)).toBe(true);
    expect(await allValid(arm.exchanges)).toEqual([]);
  });

  test("submitTasks creates the pool through ARM too, and does not wait for it", async () => {
    const { arm, client } = await setUp();
    const w = workload({ subscription: SUB, resourceGroup: "batch-rg", name: "local" }, "none");
    const result = await submitTasks(client, w);
    expect(result).toMatchObject({ created: { pool: true, job: true }, tasks: [{ id: "t", status: "added" }] });
    // Coordinates given: no account listing.
    expect(arm.exchanges.map((e) => e.method)).toEqual(["PUT"]);
    expect(await allValid(arm.exchanges)).toEqual([]);
  });

  test("an ARM error is one line with ARM's request ids, and no token", async () => {
    const { client } = await setUp({ failPuts: { status: 400, code: "InvalidRequestBody", message: "The value of parameter vmSize is invalid." } });
    const error = await runWorkload(client, workload(), silentReporter, { pollIntervalMs: 50 }).catch((e) => e);
    expect(error).toBeInstanceOf(ArmError);
    expect(error.message).toMatch(
      /^InvalidRequestBody: The value of parameter vmSize is invalid\. \(HTTP 400 on PUT \/subscriptions\/.+\/pools\/idpool, x-ms-request-id req-\d+, x-ms-correlation-request-id corr-\d+\)$/,
    );
    expect(classifyError(error)).toBe("service");
    expect(`${error.message}${error.stack}`).not.toContain(TOKEN);
  });

  test("with a Shared Key only, a usage error before any call", async () => {
    const { local } = await localAccount(toClose);
    const sharedKeyOnly = new BatchClient({
      accountUrl: local.accountUrl,
      auth: { kind: "sharedKey", accountName: local.accountName, accountKey: local.accountKey },
    });
    toClose.push(() => sharedKeyOnly.close());
    const exchanges: string[] = [];
    local.service["options"].onExchange = (e: { method: string; url: string }) => exchanges.push(`${e.method} ${e.url}`);
    const error = await runWorkload(sharedKeyOnly, workload(), silentReporter).catch((e) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(
      /^pool\.identity: a pool with a managed identity is created and managed through Azure Resource Manager, which takes Microsoft Entra ID tokens/,
    );
    expect(classifyError(error)).toBe("usage");
    expect(exchanges).toEqual([]);
  });
});

describe.skipIf(mgmtSpecMissing)("account discovery", () => {
  test("a subscription without the account's endpoint", async () => {
    const { client, arm } = await setUp();
    const { findBatchAccount } = await import("azure-batch-run");
    const error = await findBatchAccount(client.arm!, SUB, new URL("https://missing.westeurope.batch.azure.com")).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toMatch(
      /^account\.subscription: no Batch account in subscription 11111111-2222-3333-4444-555555555555 has the endpoint missing\.westeurope\.batch\.azure\.com \(it has unrelated\.westeurope\.batch\.azure\.com, 127\.0\.0\.1:\d+\)/,
    );
    expect(await allValid(arm.exchanges)).toEqual([]);
  });
});
