/**
 * Preflight: what a spec needs against what the account has, on the local service with quotas set.
 * The library against an account that fits and one with pools and jobs already there (every ARM
 * exchange valid against the management definition, every data-plane one against the data plane's);
 * the CLI with each shortfall, its exact lines and exit code 2.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { BatchClient, loadSpecObject, preflight } from "azure-batch-run";
import type { AccountQuotas } from "../../../local-batch/account.js";
import { describeImage, RETIREMENTS } from "../../../shared/batch/images.js";
import { processExecutor } from "../../../local-batch/runtime/executors.js";
import { LocalBatchService, type Exchange } from "../../../local-batch/service.js";
import { runCli } from "../../helpers/cli.js";
import { exchangesInvalid } from "../../helpers/oav.js";
import { batchSpecMissing, mgmtSpecMissing } from "../../helpers/requirements.js";

const SUB = "11111111-2222-3333-4444-555555555555";
const KEY = Buffer.from("preflight key").toString("base64");
const dir = mkdtempSync(join(tmpdir(), "azbr-preflight-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

async function account(quotas: Partial<AccountQuotas> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "azbr-preflight-svc-"));
  const exchanges: Exchange[] = [];
  const service = new LocalBatchService({
    accountName: "local",
    accountKey: KEY,
    dataDir,
    executor: processExecutor(),
    account: quotas,
    onExchange: (e) => exchanges.push(e),
  });
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

const IMAGE = { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" };
const specObject = (pool: Record<string, unknown> = {}) => ({
  account: { subscription: SUB },
  pool: { id: "render", vmSize: "Standard_D2s_v3", image: IMAGE, nodes: { dedicated: 2, spot: 1 }, ...pool },
  job: { id: "frames" },
  tasks: { list: [{ id: "t1", command: "/bin/true" }] },
});
const spec = (pool: Record<string, unknown> = {}) => loadSpecObject(specObject(pool), { env: {} });

/** Every exchange of the service, valid against its definition (ARM's or the data plane's). */
async function expectValid(exchanges: Exchange[]) {
  expect(await exchangesInvalid(exchanges)).toEqual([]);
}

describe.skipIf(mgmtSpecMissing || batchSpecMissing)("preflight, the library", () => {
  test("an account with room: every check ok, from the account resource, its region's VM sizes and the data plane", async () => {
    const { client, exchanges } = await account();
    const report = await preflight(client, spec());
    expect(report.summary).toBe("pool render: 2 dedicated nodes and 1 Spot node of Standard_D2s_v3 (standardDSv3Family, 2 vCPUs each)");
    expect(report.lines).toEqual([
      "ok: VM size Standard_D2s_v3: offered in local",
      "ok: dedicated cores of standardDSv3Family: need 4, 0 in use of 500",
      "ok: dedicated cores of the account: need 4, 0 in use of 500",
      "ok: Spot cores of the account: need 2, 0 in use of 500",
      "ok: pools: need 1, 0 in use of 100",
      "ok: active jobs and job schedules: need 1, 0 in use of 300",
      "ok: image canonical / ubuntu-24_04-lts / server with node agent batch.node.ubuntu 24.04: supported",
    ]);
    expect(report.fits).toBe(true);
    const armCalls = exchanges.filter((e) => e.url.includes("/arm/")).map((e) => `${e.method} ${new URL(e.url).pathname.replace(/^\/arm/, "")}`);
    expect(armCalls).toEqual([
      `GET /subscriptions/${SUB}/providers/Microsoft.Batch/batchAccounts`,
      `GET /subscriptions/${SUB}/providers/Microsoft.Batch/locations/local/virtualMachineSkus`,
    ]);
    await expectValid(exchanges);
  });

  test("what other pools and jobs hold counts: the family's cores and the active jobs run short; the pool, once it exists, needs nothing new", async () => {
    const { client, exchanges } = await account({ dedicatedCoresPerFamily: { standardDSv3Family: 6 }, activeJobsAndSchedules: 1 });
    // Another pool of the same family with 2 nodes (4 cores), and a job left active.
    await client.send("POST", "/pools", {
      body: {
        id: "other",
        vmSize: "Standard_D4s_v3",
        virtualMachineConfiguration: { imageReference: IMAGE, nodeAgentSKUId: "batch.node.ubuntu 24.04" },
        targetDedicatedNodes: 1,
      },
    });
    await client.send("POST", "/jobs", { body: { id: "left-active", poolInfo: { poolId: "other" } } });
    const report = await preflight(client, spec());
    expect(report.lines.filter((l) => !l.startsWith("ok"))).toEqual([
      "SHORT: dedicated cores of standardDSv3Family: need 4, 4 in use of 6: short by 2; request a quota increase for standardDSv3Family on the account, or use a VM size of a family with room",
      "SHORT: active jobs and job schedules: need 1, 1 in use of 1: short by 1; terminate or delete jobs that are done (a job left active holds quota), or request an increase",
    ]);
    expect(report.fits).toBe(false);
    // Once the pool and the job exist, a rerun needs neither cores, nor a pool, nor a job.
    await client.send("POST", "/pools", {
      body: { id: "render", vmSize: "Standard_D2s_v3", virtualMachineConfiguration: { imageReference: IMAGE, nodeAgentSKUId: "batch.node.ubuntu 24.04" } },
    });
    const rerun = await preflight(client, spec({ id: "other", vmSize: "Standard_D4s_v3", nodes: { dedicated: 1 } }));
    expect(rerun.summary).toMatch(/the pool exists and is reused: it needs no new cores or pool$/);
    expect(rerun.lines).toEqual([
      "ok: VM size Standard_D4s_v3: offered in local",
      "SHORT: active jobs and job schedules: need 1, 1 in use of 1: short by 1; terminate or delete jobs that are done (a job left active holds quota), or request an increase",
    ]);
    await expectValid(exchanges);
  });

  test("an image the account's GET /supportedimages gives as past its end of life: SHORT, with what to use", async () => {
    const { client } = await account();
    const jammy = { image: { publisher: "canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts" }, nodeAgentSku: "batch.node.ubuntu 22.04" };
    // Judged on 2027-07-01, after the Ubuntu 22.04 node agent's end of life (2027-06-30).
    const report = await preflight(client, spec(jammy), { now: Date.parse("2027-07-01T00:00:00Z") });
    expect(report.lines.filter((l) => !l.startsWith("ok"))).toEqual([
      expect.stringMatching(
        /^SHORT: image canonical \/ 0001-com-ubuntu-server-jammy \/ 22_04-lts with node agent batch\.node\.ubuntu 22\.04: .*end of its Azure Batch support on 2027-06-30/,
      ),
    ]);
    expect(report.fits).toBe(false);
  });

  test("with a Shared Key only, the data plane's checks are made and the rest is said to be unchecked", async () => {
    const { url } = await account();
    const client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: KEY } });
    toClose.push(() => client.close());
    const report = await preflight(client, spec());
    expect(report.lines).toEqual([
      "not checked: pools: need 1, 0 in the account; the pool quota could not be read",
      "not checked: active jobs and job schedules: need 1, 0 in the account; the quota could not be read",
      "ok: image canonical / ubuntu-24_04-lts / server with node agent batch.node.ubuntu 24.04: supported",
      "not checked: quotas and VM sizes need Microsoft Entra ID (Azure Resource Manager); this client has a Shared Key only",
    ]);
    expect(report.fits).toBe(true);
  });
});

describe.skipIf(batchSpecMissing)("preflight, the command", () => {
  const write = (name: string, value: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };
  const SUMMARY = "pool render: 2 dedicated nodes and 1 Spot node of Standard_D2s_v3 (standardDSv3Family, 2 vCPUs each)";

  test("a spec that fits: the summary, one ok line per check, exit 0", async () => {
    const { code, stdout } = await runCli(["preflight", write("fits.json", specObject()), "--local", "--executor", "process"]);
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual([
      SUMMARY,
      "  ok: VM size Standard_D2s_v3: offered in local",
      "  ok: dedicated cores of standardDSv3Family: need 4, 0 in use of 500",
      "  ok: dedicated cores of the account: need 4, 0 in use of 500",
      "  ok: Spot cores of the account: need 2, 0 in use of 500",
      "  ok: pools: need 1, 0 in use of 100",
      "  ok: active jobs and job schedules: need 1, 0 in use of 300",
      "  ok: image canonical / ubuntu-24_04-lts / server with node agent batch.node.ubuntu 24.04: supported",
      "the spec fits the account",
      "",
    ]);
  });

  test.each([
    [
      "family cores",
      { dedicatedCoresPerFamily: { standardDSv3Family: 2 } },
      {},
      "SHORT: dedicated cores of standardDSv3Family: need 4, 0 in use of 2: short by 2; request a quota increase for standardDSv3Family on the account, or use a VM size of a family with room",
    ],
    [
      "account cores",
      { dedicatedCores: 3 },
      {},
      "SHORT: dedicated cores of the account: need 4, 0 in use of 3: short by 1; request a dedicated core quota increase for the account, or ask for fewer nodes",
    ],
    [
      "Spot cores",
      { lowPriorityCores: 0 },
      {},
      "SHORT: Spot cores of the account: need 2, 0 in use of 0: short by 2; request a Spot (low-priority) core quota increase for the account, or use dedicated nodes",
    ],
    ["pools", { pools: 0 }, {}, "SHORT: pools: need 1, 0 in use of 0: short by 1; delete pools no longer used, or request a pool quota increase"],
    [
      "active jobs",
      { activeJobsAndSchedules: 0 },
      {},
      "SHORT: active jobs and job schedules: need 1, 0 in use of 0: short by 1; terminate or delete jobs that are done (a job left active holds quota), or request an increase",
    ],
    [
      "an unknown VM size",
      {},
      { vmSize: "Standard_D3s_v9" },
      "SHORT: VM size Standard_D3s_v9: not offered by Batch in local; use one it offers (Standard_A1_v2, Standard_A2_v2, Standard_A4_v2, Standard_D2s_v3, Standard_D4s_v3, Standard_D8s_v3, Standard_D16s_v3, Standard_D2_v3, ...)",
    ],
  ])("%s: the shortfall's line, what to do, exit 2", async (what, quotas, pool, line) => {
    const name = what.replace(/\W+/g, "-");
    const args = ["preflight", write(`${name}.json`, specObject(pool)), "--local", "--executor", "process", "--quotas", write(`${name}-quotas.json`, quotas)];
    const { code, stdout, stderr } = await runCli(args);
    expect({ code, stderr: stderr.replace(/^info: local Batch service on .*\n/m, "") }).toEqual({ code: 2, stderr: expect.any(String) });
    const lines = stdout.split("\n");
    const short = lines.filter((l) => l.startsWith("  SHORT"));
    expect(short).toHaveLength(1);
    if (line.endsWith(": ")) expect(short[0]!.startsWith(`  ${line}`)).toBe(true);
    else expect(short[0]).toBe(`  ${line}`);
    expect(lines.at(-2)).toBe("the spec does not fit the account: 1 shortfall");
  });

  test("a retired image is refused before anything is asked of the account: the line, exit 2", async () => {
    // The retired image and its node agent, from the table (no other file names them).
    const gone = RETIREMENTS.find((r) => r.image && Date.parse(r.date) < Date.now())!;
    const agent = RETIREMENTS.find((r) => r.nodeAgent?.startsWith("batch.node.ubuntu") && r.date === gone.date)!.nodeAgent!;
    const image = { publisher: gone.image!.publisher, offer: gone.image!.offer, sku: gone.image!.sku.source.replace(/^\^|\$$/g, "") };
    const { code, stdout, stderr } = await runCli([
      "preflight",
      write("retired.json", specObject({ image, nodeAgentSku: agent })),
      "--local",
      "--executor",
      "process",
    ]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toBe(
      `invalid spec:\n  pool.image: ${describeImage(image)} was retired by Azure Batch on ${gone.date}: no new pool can use it; use ${gone.replacement} (${gone.source})\n`,
    );
  });

  test("--quotas is allow-listed and goes with --local", async () => {
    const spec = write("q.json", specObject());
    expect(await runCli(["preflight", spec, "--local", "--executor", "process", "--quotas", write("bad.json", { cores: 4 })])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("cores is not a quota; expected dedicatedCores"),
    });
    expect(await runCli(["preflight", spec, "--quotas", write("ok.json", {})])).toMatchObject({ code: 2, stderr: "error: --quotas goes with --local\n" });
  });
});
