/**
 * api-version 2025-06-01 by default, 2024-07-01.20.0 on request: what the CLI plans, what the
 * client sends and what the local service answers, each validated by oav against the definition
 * of the version the call asked for (both are loaded into one validator).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import { API_VERSION, BatchClient, BatchServiceError, listTaskFiles, loadSpec, runWorkload, silentReporter, type PipelineRequest } from "azure-batch-run";
import { EXIT } from "../../../cli/main.js";
import { runCli } from "../../helpers/cli.js";
import { startLocalBatch } from "../../../local-batch/start.js";
import { ExchangeRecorder } from "../../helpers/recorder.js";
import { validateCall } from "../../helpers/oav.js";
import { batchSpecMissing } from "../../helpers/requirements.js";
import { baseSpec, merge } from "../../helpers/specs.js";

const ROOT = new URL("../../..", import.meta.url).pathname;

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

const cli = (args: string[]) => runCli(args);

/** The error a call that must be refused ends with. */
const refusal = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error("expected the service to refuse the call");
    },
    (e: unknown) => e as BatchServiceError,
  );

/** A sample blob event for the Function app's spec (the fields its templates use). */
const SAMPLE_EVENT = {
  taskId: "data-csv-1a2b3c4d",
  fileName: "data.csv",
  sasUrl: "https://acct.blob.core.windows.net/uploads/data.csv?sv=2025-11-05&sig=abc",
  day: "2026-12-04",
  url: "https://acct.blob.core.windows.net/uploads/data.csv",
};

describe.skipIf(batchSpecMissing)("api-version", () => {
  test("2025-06-01 is the default", () => {
    expect(API_VERSION).toBe("2025-06-01");
  });

  test.each(["examples/render.yaml", "examples/acr.yaml"])(
    "plan --format json of %s: api-version=2025-06-01, every call valid against the 2025-06-01 definition; --api-version 2024-07-01.20.0 against that one",
    async (file) => {
      for (const [args, version] of [
        [[], "2025-06-01"],
        [["--api-version", "2024-07-01.20.0"], "2024-07-01.20.0"],
      ] as const) {
        const { code, stdout, stderr } = await cli(["plan", `${ROOT}${file}`, "--format", "json", ...args]);
        expect({ code, stderr }).toEqual({ code: EXIT.ok, stderr: "" });
        const calls = JSON.parse(stdout) as { method: string; path: string; query: Record<string, string>; body: unknown; plane?: string }[];
        const dataPlane = calls.filter((c) => c.plane !== "arm");
        expect(dataPlane.length).toBeGreaterThan(1);
        for (const call of dataPlane) {
          expect(call.query["api-version"]).toBe(version);
          const { request } = await validateCall(call);
          expect({ path: call.path, version: request.apiVersion, errors: request.errors }).toEqual({ path: call.path, version, errors: [] });
        }
      }
    },
  );

  test("account.apiVersion in the spec selects 2024-07-01.20.0; the Function app's example spec plans valid calls under both", async () => {
    const text = readFileSync(`${ROOT}examples/function/one-task-per-file.yaml`, "utf8");
    for (const version of ["2025-06-01", "2024-07-01.20.0"] as const) {
      const spec = version === API_VERSION ? text : `account: { apiVersion: "${version}" }\n${text}`;
      const w = loadSpec(spec, {
        roots: { event: SAMPLE_EVENT },
        env: { RESULTS_CONTAINER_URL: "https://acct.blob.core.windows.net/results?sv=2025-11-05&sig=abc" },
      });
      expect(w.apiVersion).toBe(version);
      const { plan } = await import("azure-batch-run");
      for (const call of plan(w)) {
        const { request } = await validateCall(call);
        expect({ op: call.operation, version: request.apiVersion, errors: request.errors }).toEqual({ op: call.operation, version, errors: [] });
      }
    }
  });

  test("an unknown --api-version, or account.apiVersion, is a usage error naming both versions", async () => {
    const bad = await cli(["plan", `${ROOT}examples/render.yaml`, "--api-version", "2024-07-01"]);
    expect(bad.code).toBe(EXIT.invalid);
    expect(bad.stderr).toMatch(/--api-version "2024-07-01": expected 2025-06-01 or 2024-07-01\.20\.0/);
    expect(() => loadSpec(JSON.stringify(merge(baseSpec(), { account: { apiVersion: "2023-05-01.17.0" } })))).toThrow(
      /account\.apiVersion: must be one of 2025-06-01, 2024-07-01\.20\.0/,
    );
  });

  test("the service's time limit is `timeOut` under 2025-06-01 and `timeout` under 2024-07-01.20.0", async () => {
    const sent: string[] = [];
    const transport = async (request: PipelineRequest) => {
      sent.push(request.url.search);
      return { status: 200, headers: {}, bodyText: '{"value":[]}', request };
    };
    const client = new BatchClient({ accountUrl: "https://acct.westeurope.batch.azure.com", auth: { kind: "none" }, transport });
    for await (const _ of client.list("/jobs", { query: { timeout: 30 } })) void _;
    for await (const _ of client.withApiVersion("2024-07-01.20.0").list("/jobs", { query: { timeout: 30 } })) void _;
    expect(sent).toEqual(["?api-version=2025-06-01&timeOut=30", "?api-version=2024-07-01.20.0&timeout=30"]);
  });

  test.each(["2025-06-01", "2024-07-01.20.0"] as const)(
    "the local service answers %s in its own format; every exchange valid against that version's definition",
    async (version) => {
      const recorder = new ExchangeRecorder();
      const local = await startLocalBatch({ executor: "process", onExchange: recorder.record });
      const client = new BatchClient({
        accountUrl: local.accountUrl,
        auth: { kind: "sharedKey", accountName: local.accountName, accountKey: local.accountKey },
      });
      toClose.push(
        () => local.close(),
        () => client.close(),
      );
      const spec = merge(baseSpec(), {
        account: { apiVersion: version },
        pool: { container: undefined, image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" } },
        tasks: { defaults: { image: undefined }, list: [{ id: "t1", command: "/bin/sh -c 'printf hello-world'" }] },
      });
      const w = loadSpec(JSON.stringify(spec));
      const result = await runWorkload(client, w, silentReporter, { pollIntervalMs: 50 });
      expect(result.succeeded).toBe(true);
      // The raw listing: an int64 is a JSON string from 2025-06-01 on, a number before; the core reads both.
      const raw = (
        await client.withApiVersion(version).json<{ value: { name: string; properties: { contentLength: unknown } }[] }>("GET", "/jobs/job-1/tasks/t1/files")
      ).value;
      const stdout = raw.find((f) => f.name === "stdout.txt")!;
      expect(stdout.properties.contentLength).toBe(version === "2025-06-01" ? "11" : 11);
      const files = await listTaskFiles(client.withApiVersion(version), "job-1", "t1");
      expect(files.find((f) => f.name === "stdout.txt")).toMatchObject({ isDirectory: false, contentLength: 11 });
      const pool = await client.withApiVersion(version).json<{ taskSchedulingPolicy: Record<string, unknown> }>("GET", "/pools/pool-1");
      expect(pool.taskSchedulingPolicy).toEqual(version === "2025-06-01" ? { nodeFillType: "spread", jobDefaultOrder: "none" } : { nodeFillType: "spread" });

      const asked = new Set(recorder.exchanges.map((e) => new URL(e.url).searchParams.get("api-version")));
      expect([...asked]).toEqual([version]);
      const { problems, operations } = await recorder.validate();
      expect(problems).toEqual([]);
      expect([...operations]).toEqual(expect.arrayContaining(["Pool_Add", "Job_Add", "Task_AddCollection", "File_ListFromTask", "Pool_Get"]));
    },
  );

  test("under 2025-06-01 the local service refuses what that version removed, naming the property; an unknown version is refused", async () => {
    const local = await startLocalBatch({ executor: "process" });
    const client = new BatchClient({ accountUrl: local.accountUrl, auth: { kind: "sharedKey", accountName: local.accountName, accountKey: local.accountKey } });
    toClose.push(
      () => local.close(),
      () => client.close(),
    );
    const pool = {
      id: "p",
      vmSize: "standard_d2s_v3",
      virtualMachineConfiguration: {
        imageReference: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
        nodeAgentSKUId: "batch.node.ubuntu 24.04",
      },
      targetNodeCommunicationMode: "simplified",
    };
    const error = await refusal(client.send("POST", "/pools", { body: pool, idempotent: true }));
    expect(error).toMatchObject({ code: "InvalidRequestBody", statusCode: 400 });
    expect(error.message).toMatch(/targetNodeCommunicationMode.*not a property of api-version 2025-06-01/);
    const url = client.url("/pools").toString().replace("api-version=2025-06-01", "api-version=2023-05-01.17.0");
    const old = await refusal(client.send("GET", new URL(url)));
    expect(old).toMatchObject({ code: "InvalidApiVersionParameter" });
    expect(old.message).toMatch(/speaks 2025-06-01 and 2024-07-01\.20\.0/);
  });
});
