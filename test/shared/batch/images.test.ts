/**
 * Images that exist: the retirement table refuses a retired image or node agent at `validate`
 * (exit 2, the field, the date, the replacement) and warns of one that retires within 180 days;
 * before a pool is created, `GET /supportedimages` decides; the local service serves a realistic
 * table and refuses what Batch refuses. This file and `shared/batch/images.ts` are the only ones
 * that name retired images (a test below holds the project to it).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { BatchClient, BatchServiceError, loadSpecObject, runWorkload, UsageError } from "azure-batch-run";
import { RETIREMENTS, SUPPORTED_IMAGES, checkRetirement } from "../../../shared/batch/images.js";
import { deriveNodeAgentSku } from "../../../shared/workload/rules.js";
import { EXIT } from "../../../cli/main.js";
import { runCli } from "../../helpers/cli.js";
import { startLocalBatch } from "../../../local-batch/start.js";
import { ExchangeRecorder } from "../../helpers/recorder.js";
import { recordingReporter } from "../../helpers/reporter.js";
import { batchSpecMissing } from "../../helpers/requirements.js";
import { baseSpec, merge, TEST_ENV } from "../../helpers/specs.js";

const ROOT = new URL("../../..", import.meta.url).pathname;
const RETIRED_CONTAINER_IMAGE = { publisher: "microsoft-azure-batch", offer: "ubuntu-server-container", sku: "20-04-lts" };
const DAY = 86_400_000;
const warnings = (lines: string[]) => lines.filter((l) => l.startsWith("warn: ")).map((l) => l.slice(6));

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

const cli = (args: string[]) => runCli(args);

async function local(recorder?: ExchangeRecorder) {
  const service = await startLocalBatch({ executor: "process", onExchange: recorder?.record });
  const client = new BatchClient({
    accountUrl: service.accountUrl,
    auth: { kind: "sharedKey", accountName: service.accountName, accountKey: service.accountKey },
  });
  toClose.push(
    () => service.close(),
    () => client.close(),
  );
  return client;
}

const hostSpec = (pool: Record<string, any>) =>
  merge(baseSpec(), { pool: { container: undefined, ...pool }, tasks: { defaults: { image: undefined }, list: [{ id: "t1", command: "/bin/true" }] } });

describe("the retirement table", () => {
  test("every row has a date, a replacement and a public source", () => {
    for (const r of RETIREMENTS) {
      expect(r.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isNaN(Date.parse(r.date))).toBe(false);
      expect(r.replacement.length).toBeGreaterThan(10);
      expect(r.source).toMatch(/^https:\/\/github\.com\/Azure\/Batch\/issues\/\d+$/);
      expect(Boolean(r.nodeAgent) !== Boolean(r.image)).toBe(true);
    }
  });

  test("validate of a spec on ubuntu-server-container 20-04-lts exits 2 naming the field, the date and the replacement", async () => {
    const dir = mkdtempSync(join(tmpdir(), "azbr-images-"));
    try {
      const file = join(dir, "retired.yaml");
      writeFileSync(file, stringify(merge(baseSpec(), { pool: { image: RETIRED_CONTAINER_IMAGE } })));
      const { code, stdout, stderr } = await cli(["validate", file]);
      expect(code).toBe(EXIT.invalid);
      expect(stdout).toBe("");
      expect(stderr).toMatch(
        /pool\.image: microsoft-azure-batch \/ ubuntu-server-container \/ 20-04-lts was retired by Azure Batch on 2025-04-23: no new pool can use it; use microsoft-dsvm \/ ubuntu-hpc \/ 2404 with node agent batch\.node\.ubuntu 24\.04/,
      );
      expect(stderr).toContain("https://github.com/Azure/Batch/issues/174");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each<[string, Record<string, any>, string, RegExp]>([
    [
      "a retired node agent named for a gallery image",
      {
        image: {
          publisher: undefined,
          offer: undefined,
          sku: undefined,
          id: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1",
        },
        nodeAgentSku: "batch.node.ubuntu 18.04",
      },
      "pool.nodeAgentSku",
      /node agent batch\.node\.ubuntu 18\.04 was retired by Azure Batch on 2023-05-30/,
    ],
    [
      "an image of a retired family",
      { image: { publisher: "microsoft-azure-batch", offer: "centos-container", sku: "7-8" } },
      "pool.image",
      /retired by Azure Batch on 2024-12-31/,
    ],
    [
      "Windows Server 2012",
      { image: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2012-R2-Datacenter" } },
      "pool.image",
      /retired by Azure Batch on 2024-12-05: no new pool can use it; use microsoftwindowsserver \/ windowsserver \/ 2022-datacenter-core-smalldisk/,
    ],
  ])("refused: %s", (_name, pool, path, message) => {
    expect(() => loadSpecObject(merge(baseSpec(), { pool }), { env: TEST_ENV })).toThrow(
      expect.objectContaining({ issues: expect.arrayContaining([{ path, message: expect.stringMatching(message) }]) }),
    );
  });

  test("an image that retires within 180 days is a warning with the days left; further off, nothing", () => {
    const spec = merge(baseSpec(), { pool: { image: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2016-datacenter-smalldisk" } } });
    const soon = loadSpecObject(spec, { env: TEST_ENV, now: Date.parse("2026-12-04T00:00:00Z") });
    expect(soon.warnings).toEqual([
      { path: "pool.image", message: expect.stringMatching(/retires from Azure Batch on 2027-01-12 \(in 40 days\); move to .*2022-datacenter-core-smalldisk/) },
    ]);
    expect(loadSpecObject(spec, { env: TEST_ENV, now: Date.parse("2026-06-01T00:00:00Z") }).warnings).toEqual([]);
    // The day after, it is refused.
    expect(() => loadSpecObject(spec, { env: TEST_ENV, now: Date.parse("2027-01-13T00:00:00Z") })).toThrow(
      /2016-datacenter-smalldisk was retired by Azure Batch on 2027-01-12/,
    );
    // The node agent of Ubuntu 22.04 the same way: silent today, a warning from 180 days before 2027-06-30.
    expect(
      checkRetirement({ publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2204" }, "batch.node.ubuntu 22.04", Date.parse("2026-12-04T00:00:00Z")),
    ).toEqual([]);
    expect(
      checkRetirement({ publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2204" }, "batch.node.ubuntu 22.04", Date.parse("2027-06-01T00:00:00Z"))[0],
    ).toMatchObject({ status: "retiring", daysLeft: 30 });
  });

  test("deriveNodeAgentSku agrees with the supported-images table for every row", () => {
    for (const row of SUPPORTED_IMAGES) expect([row.imageReference, deriveNodeAgentSku(row.imageReference)]).toEqual([row.imageReference, row.nodeAgentSKUId]);
  });

  test("no file of the project names a retired image or node agent but the table and its tests", () => {
    const retired = /ubuntu-server-container|20-04-lts|centos-container|batch\.node\.(ubuntu (14|16|18|20)\.04|centos|debian)|0001-com-ubuntu-server-focal/;
    const allowed = new Set(["shared/batch/images.ts", "test/shared/batch/images.test.ts"]);
    const files = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
      .split("\n")
      .filter((f) => f && !allowed.has(f) && !f.startsWith("dist/") && !f.endsWith("package-lock.json"));
    const offenders = files.filter((f) => {
      try {
        return retired.test(readFileSync(join(ROOT, f), "utf8"));
      } catch {
        return false;
      }
    });
    expect(offenders).toEqual([]);
    // The bundles carry the table only inside the core they bundle.
    const bundles = (readdirSync(join(ROOT, "dist"), { recursive: true }) as string[])
      .filter((f) => f.endsWith(".js"))
      .map((f) => readFileSync(join(ROOT, "dist", f), "utf8"));
    for (const text of bundles.filter((t) => retired.test(t))) expect(text).toContain("https://github.com/Azure/Batch/issues/174");
  });
});

describe.skipIf(batchSpecMissing)("supported images at run time, and the local service's table", () => {
  test("GET /supportedimages: the local service's answer is valid against the REST definition, and filters by node agent", async () => {
    const recorder = new ExchangeRecorder();
    const client = await local(recorder);
    const all = (await client.json<{ value: { nodeAgentSKUId: string; batchSupportEndOfLife?: string; capabilities?: string[] }[] }>("GET", "/supportedimages"))
      .value;
    expect(all.length).toBe(SUPPORTED_IMAGES.length);
    expect(all.some((i) => i.batchSupportEndOfLife && Date.parse(i.batchSupportEndOfLife) < Date.now())).toBe(true);
    const ubuntu24 = (
      await client.json<{ value: { nodeAgentSKUId: string }[] }>("GET", "/supportedimages", {
        query: { $filter: "nodeAgentSKUId eq 'batch.node.ubuntu 24.04'" },
      })
    ).value;
    expect(ubuntu24.length).toBeGreaterThan(1);
    expect(new Set(ubuntu24.map((i) => i.nodeAgentSKUId))).toEqual(new Set(["batch.node.ubuntu 24.04"]));
    const { problems, operations } = await recorder.validate();
    expect(problems).toEqual([]);
    expect([...operations]).toEqual(["Account_ListSupportedImages"]);
  });

  test("run --local of a retired image (validation bypassed) fails at pool creation through the local service's supported-images check", async () => {
    const recorder = new ExchangeRecorder();
    const client = await local(recorder);
    // Loaded as of a day when the image was still supported: validation lets it through.
    const w = loadSpecObject(merge(baseSpec(), { pool: { image: RETIRED_CONTAINER_IMAGE } }), { env: TEST_ENV, now: Date.parse("2025-01-01T00:00:00Z") });
    const error = await runWorkload(client, w, recordingReporter().reporter, { pollIntervalMs: 50, checkImage: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BatchServiceError);
    expect(error).toMatchObject({ code: "InvalidPropertyValue", statusCode: 400 });
    expect((error as Error).message).toMatch(/PropertyName=virtualMachineConfiguration\.imageReference.*reached its Batch support end of life on 2025-04-23/);
    expect(recorder.exchanges.filter((e) => e.method === "POST" && new URL(e.url).pathname === "/jobs")).toEqual([]);
    const { problems } = await recorder.validate();
    expect(problems).toEqual([]);
  });

  test("the core's own check refuses it before POST /pools: a usage error with the date and the replacement", async () => {
    const recorder = new ExchangeRecorder();
    const client = await local(recorder);
    const w = loadSpecObject(merge(baseSpec(), { pool: { image: RETIRED_CONTAINER_IMAGE } }), { env: TEST_ENV, now: Date.parse("2025-01-01T00:00:00Z") });
    const error = await runWorkload(client, w, recordingReporter().reporter, { pollIntervalMs: 50 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(
      /pool\.image: microsoft-azure-batch \/ ubuntu-server-container \/ 20-04-lts reached the end of its Azure Batch support on 2025-04-23 .*use microsoft-dsvm \/ ubuntu-hpc \/ 2404/,
    );
    expect(recorder.exchanges.map((e) => `${e.method} ${new URL(e.url).pathname}`)).toEqual(["GET /pools/pool-1", "GET /supportedimages"]);
  });

  test.each<[string, Record<string, any>, RegExp]>([
    [
      "a container pool on an image without DockerCompatible",
      { image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" } },
      /pool\.container: canonical \/ ubuntu-24_04-lts \/ server does not list the DockerCompatible capability/,
    ],
    [
      "an image the account does not list with its node agent",
      { image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "minimal" }, container: undefined, host: true },
      /pool\.image: canonical \/ ubuntu-24_04-lts \/ minimal is not among the images the account supports with node agent "batch\.node\.ubuntu 24\.04" \(GET \/supportedimages\); with that node agent it lists microsoft-dsvm \/ ubuntu-hpc \/ 2404, .*canonical \/ ubuntu-24_04-lts \/ server/,
    ],
  ])("refused before anything is created: %s", async (_name, pool, message) => {
    const recorder = new ExchangeRecorder();
    const client = await local(recorder);
    const { host, ...poolPatch } = pool;
    const w = loadSpecObject(host ? hostSpec(poolPatch) : merge(baseSpec(), { pool: poolPatch }), { env: TEST_ENV });
    const error = await runWorkload(client, w, recordingReporter().reporter, { pollIntervalMs: 50 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect(recorder.exchanges.some((e) => e.method === "POST")).toBe(false);
  });

  test("an unverified image, and one whose end of life is near, run with a warning each", async () => {
    const client = await local();
    const rocky = loadSpecObject(hostSpec({ id: "rocky", image: { publisher: "resf", offer: "rockylinux-x86_64", sku: "9-base" } }), { env: TEST_ENV });
    const reporter = recordingReporter();
    expect((await runWorkload(client, rocky, reporter.reporter, { pollIntervalMs: 50, cleanup: "pool" })).succeeded).toBe(true);
    expect(warnings(reporter.lines)).toEqual([
      expect.stringMatching(/pool\.image: resf \/ rockylinux-x86_64 \/ 9-base is unverified with node agent "batch\.node\.el 9"/),
    ]);

    const jammy = loadSpecObject(
      merge(hostSpec({ id: "jammy", image: { publisher: "canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts" } }), { job: { id: "job-2" } }),
      { env: TEST_ENV },
    );
    const later = recordingReporter();
    const now = Date.parse("2027-06-30T00:00:00Z") - 60 * DAY;
    expect((await runWorkload(client, jammy, later.reporter, { pollIntervalMs: 50, cleanup: "pool", now })).succeeded).toBe(true);
    expect(warnings(later.lines)).toEqual([
      expect.stringMatching(
        /pool\.image: canonical \/ 0001-com-ubuntu-server-jammy \/ 22_04-lts reaches the end of its Azure Batch support on 2027-06-30 \(in 60 days\); move to .*ubuntu-hpc \/ 2404/,
      ),
    ]);
  });
});
