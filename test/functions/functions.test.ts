/**
 * The Function app, bundled (dist/functions), loaded and invoked as the Functions host and its
 * Node.js worker do (helpers/functionsHost.ts): registrations in code, trigger data and metadata
 * as RPC typed data, the app's own programming model building the real InvocationContext.
 * Against the local Batch service and Azurite: the spec is a blob in Azurite, the inputs are
 * blobs in Azurite read by the tasks with a SAS that Azurite checks.
 */
import { createHash, randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createBatchClient, type BatchClient } from "azure-batch-run";
import { startLocalBatch, type StartedLocalBatch } from "../../local-batch/start.js";
import { startAzurite, type Azurite } from "../helpers/containers.js";
import { startEntraStandIn } from "../helpers/entraStandIn.js";
import { opensslMissing } from "../helpers/requirements.js";
import { invoke, json, loadApp, registered } from "../helpers/functionsHost.js";
import { blobCreated, blobDelivery, queueDelivery, submitted, timerDelivery } from "../helpers/functionsPayloads.js";
import { until } from "../helpers/until.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const ENTRY = join(ROOT, "dist/functions/index.js");

const SPEC = `
vars:
  greeting: hello
  title: a file arrived
pool:
  id: fn-pool
  vmSize: Standard_D2s_v3
  image: { publisher: canonical, offer: ubuntu-24_04-lts, sku: server }
  nodes: { dedicated: 1 }
  taskSlotsPerNode: 4
job:
  id: "ingest-{{ event.day }}"
tasks:
  list:
    - id: "{{ event.taskId }}"
      displayName: "{{ vars.title }}"
      command: "/bin/sh -c 'cat input/*; echo {{ vars.greeting }}'"
      env:
        BLOB_NAME: "{{ event.name }}"
      resources:
        - url: "{{ event.sasUrl }}"
          path: "input/{{ event.fileName }}"
`;

let azurite: Azurite;
let local: StartedLocalBatch;
let client: BatchClient;
let generation = 0;
let specUrl = "";
const exchanges: unknown[] = [];
const saved = { ...process.env };

/** Sets the app settings and loads a fresh copy of the bundled app, as a new instance would start. */
async function startApp(settings: Record<string, string>) {
  for (const key of Object.keys(process.env)) if (key.startsWith("AZBR_")) delete process.env[key];
  Object.assign(process.env, settings);
  return loadApp(`${ENTRY}?instance=${++generation}`);
}

function appSettings(specUrl: string, service: StartedLocalBatch = local): Record<string, string> {
  return {
    AZBR_SPEC: specUrl,
    AZBR_BATCH_ACCOUNT_URL: service.accountUrl,
    AZBR_BATCH_ACCOUNT_KEY: service.accountKey,
    AZBR_BATCH_ACCOUNT_NAME: service.accountName,
    AZBR_STORAGE: azurite.connectionString,
    AZBR_BLOB_PATH: "uploads/{name}",
    AZBR_QUEUE: "batch-requests",
    AZBR_DEAD_LETTER_CONTAINER: "dead-letter",
  };
}

/** The timer's app: its own spec (no event inputs) and schedule, without the blob and queue triggers. */
function timerSettings(specUrl: string): Record<string, string> {
  const { AZBR_BLOB_PATH: _b, AZBR_QUEUE: _q, ...rest } = appSettings(specUrl);
  return { ...rest, AZBR_SCHEDULE: "0 0 0 1 1 *" };
}

beforeAll(async () => {
  azurite = await startAzurite();
  local = await startLocalBatch({ executor: "process", onExchange: (e) => exchanges.push(e) });
  client = createBatchClient({ accountUrl: local.accountUrl, credential: { accountName: local.accountName, accountKey: local.accountKey } });
  const spec = await azurite.upload("specs", "one-task-per-file.yaml", SPEC, "application/yaml");
  specUrl = spec.url;
  await startApp(appSettings(spec.url));
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await client?.close();
  await local?.close();
  await azurite?.stop();
});

interface TaskView {
  id: string;
  state: string;
  executionInfo?: { exitCode?: number; failureInfo?: { code?: string; message?: string } };
  resourceFiles?: { httpUrl?: string; filePath?: string }[];
}

async function finished(jobId: string, taskId: string): Promise<{ task: TaskView; stdout: string }> {
  const path = `/jobs/${encodeURIComponent(jobId)}/tasks/${encodeURIComponent(taskId)}`;
  const task = await until(
    `task ${taskId}`,
    () => client.json<TaskView>("GET", path),
    (t) => t.state === "completed",
  );
  const stdout = task.executionInfo?.exitCode === 0 ? (await client.send("GET", `${path}/files/stdout.txt`)).bodyText : "";
  return { task, stdout };
}

const today = () => new Date().toISOString().slice(0, 10);
const tasksOf = async (jobId: string) =>
  (await client.json<{ value: { id: string }[] }>("GET", `/jobs/${jobId}/tasks`, { query: { $select: "id" } })).value.map((t) => t.id);

describe("the Function app's registrations", () => {
  test("one function per trigger, bound to app setting names, never to connection strings", async () => {
    await startApp({ ...appSettings("https://unused.blob.core.windows.net/specs/x.yaml"), AZBR_SCHEDULE: "0 0 0 1 1 *" });
    const binding = (name: string) => Object.values(registered(name).metadata.bindings).find((b) => /trigger$/i.test(b.type))!;
    expect(binding("batchOnBlob")).toMatchObject({
      type: "blobTrigger",
      direction: "in",
      path: "%AZBR_BLOB_PATH%",
      connection: "AZBR_STORAGE",
      source: "EventGrid",
    });
    expect(binding("batchOnEventGrid")).toMatchObject({ type: "eventGridTrigger", direction: "in" });
    expect(binding("batchOnQueue")).toMatchObject({ type: "queueTrigger", queueName: "%AZBR_QUEUE%", connection: "AZBR_STORAGE" });
    expect(binding("batchOnTimer")).toMatchObject({ type: "timerTrigger", schedule: "%AZBR_SCHEDULE%" });
    const everything = JSON.stringify(["batchOnBlob", "batchOnEventGrid", "batchOnQueue", "batchOnTimer"].map((n) => registered(n).metadata));
    expect(everything).not.toContain("AccountKey");
    await startApp(appSettings(specUrl));
  });
});

describe("blob created", () => {
  test("the same blob three times (then twice at once): one task, which reads the blob through a SAS", async () => {
    const content = `frame data ${randomUUID()}`;
    const blob = await azurite.upload("uploads", "frame 0001.txt", content);
    const first = await invoke("batchOnBlob", blobDelivery("frame 0001.txt", blob, content));
    expect(first.error).toBeUndefined();
    const again = await Promise.all([
      invoke("batchOnBlob", blobDelivery("frame 0001.txt", blob, content)),
      invoke("batchOnBlob", blobDelivery("frame 0001.txt", blob, content)),
    ]);
    const statuses = [first, ...again].map(submitted);
    const taskId = statuses[0]![0]!.split(":")[0]!;
    expect(taskId).toMatch(/^frame_0001_txt-[0-9a-f]{16}$/);
    expect(statuses).toEqual([[`${taskId}:added`], [`${taskId}:existed`], [`${taskId}:existed`]]);
    expect((await tasksOf(`ingest-${today()}`)).filter((id) => id === taskId)).toHaveLength(1);
    const { task, stdout } = await finished(`ingest-${today()}`, taskId);
    expect(task.executionInfo?.exitCode).toBe(0);
    expect(stdout).toBe(`${content}hello\n`);
    // The task got a read-only SAS for exactly that blob, made with the connection's key.
    expect(task.resourceFiles?.[0]?.httpUrl).toMatch(/frame%200001\.txt\?.*sp=r.*sig=/);
    // Structured logs: event, job, task, status, the Batch request-id.
    // No secret in any log line: no SAS signature, no account key.
    const logged = JSON.stringify([first, ...again].flatMap((r) => r.logs));
    expect([
      logged.includes("sig="),
      logged.includes(local.accountKey),
      logged.includes(azurite.connectionString.split("AccountKey=")[1]!.split(";")[0]!),
    ]).toEqual([false, false, false]);
    expect(first.logs.find((l) => / status=added/.test(l.message))?.message).toMatch(
      new RegExp(`^event=\\S+ kind=blob job=ingest-${today()} task=${taskId} status=added request-id=[0-9a-f-]{36}$`),
    );
  }, 60_000);

  test("a new version of the blob is new work; Event Grid's event for the version already run adds nothing, in either schema", async () => {
    const v1 = await azurite.upload("uploads", "report.csv", "a,b\n1,2\n");
    const viaTrigger = await invoke("batchOnBlob", blobDelivery("report.csv", v1, "a,b\n1,2\n"));
    const viaEventGrid = await invoke("batchOnEventGrid", blobCreated(v1, "report.csv", "EventGrid"));
    const viaCloudEvents = await invoke("batchOnEventGrid", blobCreated(v1, "report.csv", "CloudEvents"));
    const [id1] = submitted(viaTrigger)[0]!.split(":");
    expect([viaTrigger, viaEventGrid, viaCloudEvents].map(submitted)).toEqual([[`${id1}:added`], [`${id1}:existed`], [`${id1}:existed`]]);
    const v2 = await azurite.upload("uploads", "report.csv", "a,b\n3,4\n");
    const second = await invoke("batchOnEventGrid", blobCreated(v2, "report.csv", "CloudEvents"));
    const [id2, status] = submitted(second)[0]!.split(":");
    expect({ differs: id2 !== id1, status }).toEqual({ differs: true, status: "added" });
    expect((await finished(`ingest-${today()}`, id2!)).stdout).toBe("a,b\n3,4\nhello\n");
    // Other event types on the same subscription start nothing.
    const deleted = blobCreated(v2, "report.csv", "EventGrid");
    deleted.data.json = deleted.data.json!.replace("Microsoft.Storage.BlobCreated", "Microsoft.Storage.BlobDeleted");
    const ignored = await invoke("batchOnEventGrid", deleted);
    expect({ ok: ignored.ok, submitted: submitted(ignored) }).toEqual({ ok: true, submitted: [] });
    expect(ignored.logs.some((l) => /ignored: eventGrid event .*Microsoft\.Storage\.BlobDeleted/.test(l.message))).toBe(true);
  }, 60_000);

  test("a blob whose name could break out of a command line, where the spec uses it, is dead-lettered, not run", async () => {
    const name = "x';touch pwned;'.txt";
    const blob = await azurite.upload("uploads", name, "evil");
    const result = await invoke("batchOnBlob", blobDelivery(name, blob, "evil"));
    expect({ ok: result.ok, submitted: submitted(result) }).toEqual({ ok: true, submitted: [] });
    const letters = await azurite.listBlobs("dead-letter");
    const record = JSON.parse(
      (await azurite.readBlob(
        "dead-letter",
        letters.find((l) => l.startsWith("blob/"))!,
      ))!,
    );
    expect(record).toMatchObject({ field: "event.name", kind: "blob", function: "batchOnBlob" });
    expect(record.reason).toMatch(/holds "'", which could break out of a command line/);
  }, 30_000);
});

describe("queue messages", () => {
  test("a JSON message with its id, vars and two inputs: one task with both files; sent twice, added once", async () => {
    const a = await azurite.upload("uploads", "part-a.txt", "A\n");
    const b = await azurite.upload("uploads", "part-b.txt", "B\n");
    const body = JSON.stringify({ id: "order-1234", vars: { greeting: "bonjour" }, inputs: [a.url, b.url] });
    const first = await invoke("batchOnQueue", queueDelivery(body));
    const redelivered = await invoke("batchOnQueue", queueDelivery(body, 2));
    expect([first, redelivered].map(submitted)).toEqual([["order-1234:added"], ["order-1234:existed"]]);
    const { task, stdout } = await finished(`ingest-${today()}`, "order-1234");
    expect(task.resourceFiles?.map((r) => r.filePath)).toEqual(["input/part-a.txt", "input/part-b.txt"]);
    expect(stdout).toBe("A\nB\nbonjour\n");
  }, 60_000);

  test("plain text is one input URL; its task id is a hash of the body", async () => {
    const blob = await azurite.upload("uploads", "plain.txt", "plain\n");
    const result = await invoke("batchOnQueue", queueDelivery(blob.url));
    const [[entry]] = [submitted(result)];
    expect(entry).toMatch(/^msg-[0-9a-f]{32}:added$/);
    expect((await finished(`ingest-${today()}`, entry!.split(":")[0]!)).stdout).toBe("plain\nhello\n");
  }, 60_000);

  test("an input with a SAS of its own is used as given, and Azurite checks it: a forged one fails the task's download", async () => {
    const blob = await azurite.upload("uploads", "guarded.txt", "guarded\n");
    const forged = `${blob.url}?sv=2025-01-05&se=2099-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=${encodeURIComponent(Buffer.alloc(32, 7).toString("base64"))}`;
    const result = await invoke("batchOnQueue", queueDelivery(JSON.stringify({ id: "forged-sas", inputs: [forged] })));
    expect(submitted(result)).toEqual(["forged-sas:added"]);
    const { task } = await finished(`ingest-${today()}`, "forged-sas");
    expect(task.executionInfo?.failureInfo?.code).toBe("BlobDownloadMiscError");
    expect(task.executionInfo?.failureInfo?.message).toMatch(/HTTP 403/);
    expect(JSON.stringify(result.logs)).not.toContain("sig=");
  }, 60_000);

  test("bad bodies go to the dead-letter store with the field and reason, and are not retried", async () => {
    const before = new Set(await azurite.listBlobs("dead-letter"));
    const bodies = [
      JSON.stringify({ inputs: "https://devstoreaccount1/not-a-list" }),
      JSON.stringify({ id: "has spaces" }),
      JSON.stringify({ id: "ok-id", extra: true }),
      JSON.stringify({ id: "undeclared", vars: { notInSpec: "x" } }),
      JSON.stringify({ id: "injection", vars: { greeting: "$(reboot)" } }),
      "not a url",
      // A URL that could end a shell word (its own "SAS" holds a ;), and a blob of another account the app cannot make a SAS for.
      JSON.stringify({ id: "semicolon", inputs: [`${(await azurite.upload("uploads", "a.txt", "a")).url}?sv=1;reboot`] }),
      JSON.stringify({ id: "foreign", inputs: ["https://elsewhere.blob.core.windows.net/uploads/a.txt"] }),
    ];
    const results = await Promise.all(bodies.map((body) => invoke("batchOnQueue", queueDelivery(body))));
    expect(results.map((r) => ({ ok: r.ok, submitted: submitted(r).length }))).toEqual(bodies.map(() => ({ ok: true, submitted: 0 })));
    const added = (await azurite.listBlobs("dead-letter")).filter((n) => !before.has(n) && n.startsWith("queue/"));
    const records = await Promise.all(added.map(async (n) => JSON.parse((await azurite.readBlob("dead-letter", n))!)));
    expect(records.map((r) => r.field).sort()).toEqual(
      ["event.url", "event.url", "message", "message", "message.id", "message.inputs", "message.vars.greeting", "message.vars.notInSpec"].sort(),
    );
    const byField = Object.fromEntries(records.map((r) => [r.field, r]));
    expect(byField["message.vars.notInSpec"].reason).toMatch(/is not a variable the spec declares \(it declares greeting, title\)/);
    expect(byField["message.id"].delivery.dequeueCount).toBe(1);
    const urlReasons = records.filter((r) => r.field === "event.url").map((r) => r.reason as string);
    expect(urlReasons.filter((r) => /elsewhere\.blob\.core\.windows\.net\/uploads\/a\.txt is not in the AZBR_STORAGE account/.test(r))).toHaveLength(1);
    expect(urlReasons.filter((r) => /holds ";", which could break out of a command line/.test(r))).toHaveLength(1);
    expect(records.every((r) => r.function === "batchOnQueue" && typeof r.invocationId === "string")).toBe(true);
  }, 30_000);

  test("a message whose task would exceed the service's limits is refused before any call", async () => {
    const before = new Set(await azurite.listBlobs("dead-letter"));
    const requests = exchanges.length;
    const input = await azurite.upload("uploads", "limits.txt", "l");
    const result = await invoke("batchOnQueue", queueDelivery(JSON.stringify({ id: "too-long", vars: { title: "t".repeat(2000) }, inputs: [input.url] })));
    expect({ ok: result.ok, submitted: submitted(result) }).toEqual({ ok: true, submitted: [] });
    const [letter] = (await azurite.listBlobs("dead-letter")).filter((n) => !before.has(n));
    const record = JSON.parse((await azurite.readBlob("dead-letter", letter!))!);
    expect(record.field).toBe("tasks.list[0].displayName");
    expect(record.reason).toMatch(/this event makes the spec invalid: .*displayName/);
    expect(exchanges.length).toBe(requests);
  });
});

describe("untrusted input at the front door", () => {
  const SIG = "SeCrEtSiGnAtUrE0123456789abcdef";
  const deadLetters = async (before: Set<string>) =>
    Promise.all(
      (await azurite.listBlobs("dead-letter")).filter((n) => !before.has(n)).map(async (n) => ({ name: n, text: (await azurite.readBlob("dead-letter", n))! })),
    );

  test("inputs are allow-listed: IMDS, http, another account, the host's secrets, a .. name, a __proto__ var: each dead-lettered with its field and reason, no SAS signed, nothing run", async () => {
    const before = new Set(await azurite.listBlobs("dead-letter"));
    const own = new URL((await azurite.upload("uploads", "own.txt", "own")).url);
    const base = `${own.origin}/${own.pathname.split("/")[1]}`;
    const cases: [string, unknown, string, RegExp][] = [
      [
        "imds",
        { id: "imds", inputs: ["http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/"] },
        "event.url",
        /is not https/,
      ],
      ["http", { id: "plain-http", inputs: ["http://evil.example.com/uploads/a.txt"] }, "event.url", /is not https/],
      [
        "foreign",
        { id: "foreign-sas", inputs: [`https://other.blob.core.windows.net/uploads/a.txt?sv=2025-11-05&sig=${SIG}`] },
        "event.url",
        /is not in the AZBR_STORAGE account nor an account AZBR_INPUT_ACCOUNTS names/,
      ],
      [
        "secrets",
        { id: "host-keys", inputs: [`${base}/azure-webjobs-secrets/app/host.json`] },
        "event.url",
        /azure-webjobs-secrets, a container of the Functions host; it is never an input/,
      ],
      [
        "spec",
        { id: "spec-blob", inputs: [`${base}/specs/one-task-per-file.yaml`] },
        "event.url",
        /specs, the container of the app's spec; it is never an input/,
      ],
      [
        "other container",
        { id: "other-container", inputs: [`${base}/private/payroll.csv`] },
        "event.url",
        /is in container private, which is not an input container \(AZBR_INPUT_CONTAINERS: uploads\)/,
      ],
      [
        "dotdot",
        { id: "dotdot", inputs: [`${base}/uploads/../../etc/passwd.csv`] },
        "message.inputs.0",
        /has a "\." or "\.\." segment or a backslash; a blob name is taken as given/,
      ],
      ["encoded dotdot", { id: "dotdot2", inputs: [`${base}/uploads/%2e%2e/specs/one-task-per-file.yaml`] }, "message.inputs.0", /"\." or "\.\." segment/],
      [
        "proto",
        JSON.parse('{"id":"proto","vars":{"__proto__":{"greeting":"x"}}}'),
        "message.vars.__proto__",
        /is not a field or variable name a message may set/,
      ],
    ];
    const results = await Promise.all(cases.map(([, body]) => invoke("batchOnQueue", queueDelivery(JSON.stringify(body)))));
    expect(results.map((r) => ({ ok: r.ok, submitted: submitted(r).length }))).toEqual(cases.map(() => ({ ok: true, submitted: 0 })));
    const records = (await deadLetters(before)).map((r) => JSON.parse(r.text));
    for (const [name, , field, reason] of cases) {
      const record = records.find((r) => r.field === field && reason.test(r.reason));
      expect({ name, found: Boolean(record) }).toEqual({ name, found: true });
    }
    const everything = JSON.stringify(records) + results.flatMap((r) => r.logs.map((l) => l.message)).join("\n");
    expect(everything).not.toContain(SIG);
    const ran = await tasksOf(`ingest-${today()}`).catch((): string[] => []);
    for (const id of ["imds", "host-keys", "dotdot", "foreign-sas"]) expect(ran).not.toContain(id);
  }, 60_000);

  test("dead-letter records hold the size, hash and a short redacted excerpt of a payload: 70 KiB, deep, binary; the writer never throws", async () => {
    const before = new Set(await azurite.listBlobs("dead-letter"));
    let deep = '"x"';
    // 1,000 levels: the worker's programming model camel-cases a message recursively and overflows its own stack near 5,000.
    for (let i = 0; i < 1_000; i++) deep = `{"a":${deep}}`;
    const big = JSON.stringify({ id: "big", extra: `token=${SIG} ${"y".repeat(70 * 1024)}` });
    const binary = `\u0000\u0001\u0002\u00ff\u202e${"\ufffd".repeat(50)} https://x.blob.core.windows.net/c/b?sig=${SIG}`;
    const bodies = [big, deep, binary];
    const results = await Promise.all(bodies.map((body) => invoke("batchOnQueue", queueDelivery(body))));
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    const records = await deadLetters(before);
    expect(records).toHaveLength(3);
    for (const r of records) {
      expect(r.text.length).toBeLessThan(4_000);
      expect(r.text).not.toContain(SIG);
      const record = JSON.parse(r.text);
      expect(record.payload.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(record.payload.excerpt.length).toBeLessThanOrEqual(243);
      // eslint-disable-next-line no-control-regex -- control characters must not reach the record
      expect(record.payload.excerpt).not.toMatch(/[\u0000-\u001f\u202e]/);
    }
    const bigRecord = records.map((r) => JSON.parse(r.text)).find((r) => r.payload.bytes === Buffer.byteLength(big))!;
    expect(bigRecord.payload.sha256).toBe(createHash("sha256").update(big).digest("hex"));
  }, 60_000);

  test("a long blob name gives a bounded event.fileName; an eTag that is not a string, or none, does not break the blob trigger, and a new version is still new work", async () => {
    const longName = `${"n".repeat(600)}.csv`;
    const blob = await azurite.upload("uploads", longName, "long\n");
    const long = await invoke("batchOnBlob", blobDelivery(longName, blob, "long\n"));
    expect(long.ok).toBe(true);
    const [entry] = submitted(long);
    const task = (await finished(`ingest-${today()}`, entry!.split(":")[0]!)).task;
    expect(task.executionInfo?.exitCode).toBe(0);
    const path = task.resourceFiles![0]!.filePath!;
    expect(Buffer.byteLength(path.replace(/^input\//, ""))).toBeLessThanOrEqual(128);
    expect(path).toMatch(/^input\/n+-[0-9a-f]{16}\.csv$/);

    const odd = await azurite.upload("uploads", "odd-etag.txt", "odd\n");
    const delivery = (modified: string, etag: unknown) => {
      const d = blobDelivery("odd-etag.txt", odd, "odd\n");
      const props = JSON.parse((d.triggerMetadata!.Properties as { json: string }).json);
      if (etag === undefined) delete props.ETag;
      else props.ETag = etag;
      props.LastModified = modified;
      d.triggerMetadata!.Properties = json(props);
      return d;
    };
    const numeric = await invoke("batchOnBlob", delivery("2026-12-01T10:00:00Z", 12345));
    const again = await invoke("batchOnBlob", delivery("2026-12-01T10:00:00Z", undefined));
    const newer = await invoke("batchOnBlob", delivery("2026-12-02T10:00:00Z", undefined));
    expect([numeric, again, newer].map((r) => r.ok)).toEqual([true, true, true]);
    const ids = [numeric, again, newer].map((r) => submitted(r)[0]!);
    expect(ids[0]!.split(":")[1]).toBe("added");
    expect(ids[1]).toBe(`${ids[0]!.split(":")[0]}:existed`);
    expect(ids[2]!.split(":")[0]).not.toBe(ids[0]!.split(":")[0]);
  }, 60_000);

  test("Event Grid acts only on input containers: an output blob's event, or another container's, starts nothing and is no dead letter", async () => {
    const before = new Set(await azurite.listBlobs("dead-letter"));
    const output = await azurite.upload("results", "r.lines.txt", "3");
    const other = await azurite.upload("private", "p.txt", "p");
    const results = [
      await invoke("batchOnEventGrid", blobCreated(output, "r.lines.txt", "EventGrid")),
      await invoke("batchOnEventGrid", blobCreated(other, "p.txt", "CloudEvents")),
    ];
    expect(results.map((r) => ({ ok: r.ok, submitted: submitted(r).length }))).toEqual([
      { ok: true, submitted: 0 },
      { ok: true, submitted: 0 },
    ]);
    expect(results.every((r) => r.logs.some((l) => /ignored: eventGrid event .*is not an input container/.test(l.message)))).toBe(true);
    expect(await deadLetters(before)).toEqual([]);
  }, 30_000);

  test("a message that fails on its last delivery is dead-lettered with its reason before the host poisons it", async () => {
    const down = await startLocalBatch({ executor: "process" });
    await down.close();
    await startApp({ ...appSettings(specUrl, down), AZBR_CALL_BUDGET_SECONDS: "1" });
    try {
      const before = new Set(await azurite.listBlobs("dead-letter"));
      const blob = await azurite.upload("uploads", "last.txt", "last\n");
      const early = await invoke("batchOnQueue", queueDelivery(JSON.stringify({ id: "last-try", inputs: [blob.url] }), 2));
      expect(early.ok).toBe(false);
      expect(await deadLetters(before)).toEqual([]);
      const last = await invoke("batchOnQueue", queueDelivery(JSON.stringify({ id: "last-try", inputs: [blob.url] }), 5));
      expect(last.ok).toBe(false);
      const [record] = (await deadLetters(before)).map((r) => JSON.parse(r.text));
      expect(record).toMatchObject({ field: "delivery", kind: "queue", delivery: { dequeueCount: 5 } });
      expect(record.reason).toMatch(/failed on its last delivery \(5 of 5\); the host moves it to the poison queue/);
    } finally {
      await startApp(appSettings(specUrl));
    }
  }, 60_000);

  test("settings that cannot fit the spec fail at start: a timer beside a spec that uses event inputs", async () => {
    await startApp({ ...appSettings(specUrl), AZBR_SCHEDULE: "0 0 2 * * *" });
    try {
      const blob = await azurite.upload("uploads", "fit.txt", "x");
      const result = await invoke("batchOnBlob", blobDelivery("fit.txt", blob, "x"));
      expect(result.ok).toBe(false);
      expect(result.error?.message).toMatch(/AZBR_SCHEDULE: the timer delivers no input file, but one-task-per-file\.yaml uses event\.\w+/);
    } finally {
      await startApp(appSettings(specUrl));
    }
  }, 30_000);
});

describe("the timer", () => {
  test("two firings of one occurrence (one past due) name the same job and task: one run", async () => {
    const spec = await azurite.upload(
      "specs",
      "nightly.yaml",
      SPEC.replace('id: "ingest-{{ event.day }}"', 'id: "nightly-{{ event.scheduleId }}"').replace(/\n {6}env:[\s\S]*$/, "\n"),
    );
    await startApp(timerSettings(spec.url));
    const results = [await invoke("batchOnTimer", timerDelivery(false)), await invoke("batchOnTimer", timerDelivery(true))];
    // "0 0 0 1 1 *": midnight on the 1st of January; the latest occurrence is this year's.
    const occurrence = `${new Date().getUTCFullYear()}0101T000000Z`;
    expect(results.map(submitted)).toEqual([[`run-${occurrence}:added`], [`run-${occurrence}:existed`]]);
    expect(results[1]!.logs.some((l) => l.level === "warning" && /past due/.test(l.message))).toBe(true);
    expect((await finished(`nightly-${occurrence}`, `run-${occurrence}`)).stdout).toBe("hello\n");
  }, 60_000);
});

describe("the timer over a container (forEach: { blobs })", () => {
  test("each firing lists the container: a task per blob, and the next firing adds only the new blob", async () => {
    const blobs: [string, string][] = [
      ["a.csv", "alpha"],
      ["b.csv", "beta"],
      ["c.csv", "gamma"],
    ];
    for (const [name, text] of blobs) await azurite.upload("nightly-in", `frames/${name}`, text);
    const spec = await azurite.upload(
      "specs",
      "fan-out.yaml",
      `
pool:
  id: fn-pool
  vmSize: Standard_D2s_v3
  image: { publisher: canonical, offer: ubuntu-24_04-lts, sku: server }
  nodes: { dedicated: 1 }
  taskSlotsPerNode: 4
job:
  id: "fan-out-{{ event.scheduleId }}"
tasks:
  list:
    - id: "{{ item.taskId }}"
      command: "/bin/sh -c 'cat {{ item.fileName }}'"
      forEach:
        blobs: { container: "{{ env.NIGHTLY_INPUTS }}", prefix: frames/ }
`,
    );
    await startApp({ ...timerSettings(spec.url), AZBR_SETTINGS_ALLOW: "NIGHTLY_INPUTS", NIGHTLY_INPUTS: await azurite.containerSasUrl("nightly-in") });
    const first = await invoke("batchOnTimer", timerDelivery(false));
    expect(
      submitted(first)
        .map((s) => s.replace(/-[0-9a-f]{16}:/, ":"))
        .sort(),
    ).toEqual(["a_csv:added", "b_csv:added", "c_csv:added"]);
    await azurite.upload("nightly-in", "frames/d.csv", "delta");
    const second = await invoke("batchOnTimer", timerDelivery(false));
    expect(
      submitted(second)
        .map((s) => s.replace(/-[0-9a-f]{16}:/, ":"))
        .sort(),
    ).toEqual(["a_csv:existed", "b_csv:existed", "c_csv:existed", "d_csv:added"]);
    const occurrence = `${new Date().getUTCFullYear()}0101T000000Z`;
    const d = submitted(second)
      .find((x) => x.startsWith("d_csv"))!
      .split(":")[0]!;
    expect((await finished(`fan-out-${occurrence}`, d)).stdout).toBe("delta");
  }, 60_000);
});

describe("failures", () => {
  test("a bad spec fails the first invocation with the field path, and every later one the same way", async () => {
    const spec = await azurite.upload("specs", "bad.yaml", SPEC.replace("vmSize: Standard_D2s_v3", "vmSize: 42"));
    await startApp(appSettings(spec.url));
    const blob = await azurite.upload("uploads", "any.txt", "x");
    const results = [await invoke("batchOnBlob", blobDelivery("any.txt", blob, "x")), await invoke("batchOnQueue", queueDelivery(blob.url))];
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(results[0]!.error!.message).toMatch(/pool\.vmSize: .*\(in bad\.yaml\)/);
    expect(results[1]!.error!.message).toBe(results[0]!.error!.message);
    // Checked once per instance: mending the blob does not change this instance's answer (a new instance reads it again).
    await azurite.upload("specs", "bad.yaml", SPEC);
    expect((await invoke("batchOnBlob", blobDelivery("any.txt", blob, "x"))).error?.message).toBe(results[0]!.error!.message);
  });

  test("the spec inline in AZBR_SPEC (YAML) works as the blob does", async () => {
    await startApp({ ...appSettings(SPEC), AZBR_SPEC: SPEC });
    const blob = await azurite.upload("uploads", "inline.txt", "inline\n");
    const result = await invoke("batchOnQueue", queueDelivery(JSON.stringify({ id: "inline-spec", inputs: [blob.url] })));
    expect(submitted(result)).toEqual(["inline-spec:added"]);
    expect((await finished(`ingest-${today()}`, "inline-spec")).stdout).toBe("inline\nhello\n");
  }, 60_000);

  test("a spec whose task id does not derive from the event is refused: redeliveries would duplicate work", async () => {
    const spec = await azurite.upload("specs", "random.yaml", SPEC.replace('id: "{{ event.taskId }}"', 'id: "fixed-task"'));
    await startApp(appSettings(spec.url));
    const result = await invoke("batchOnEventGrid", blobCreated(await azurite.upload("uploads", "r.txt", "r"), "r.txt", "EventGrid"));
    expect(result.error?.message).toMatch(/tasks\.list\[0\]\.id: "fixed-task" does not derive from the event; use \{\{ event\.taskId \}\}/);
  });

  test("a 503 storm: retried within the invocation, then thrown for the host to retry; nothing half-created", async () => {
    const stormy = await startLocalBatch({ executor: "process", faults: { unavailableShare: 1, retryAfterMs: 20 } });
    try {
      const spec = await azurite.upload("specs", "one-task-per-file.yaml", SPEC);
      await startApp({ ...appSettings(spec.url, stormy), AZBR_CALL_BUDGET_SECONDS: "2" });
      const blob = await azurite.upload("uploads", "storm.txt", "s");
      const result = await invoke("batchOnBlob", blobDelivery("storm.txt", blob, "s"));
      expect(result.ok).toBe(false);
      expect(result.error!.message).toMatch(/ServerBusy|503/);
      expect(stormy.service.injected.unavailable).toBeGreaterThan(3);
      const warnings = result.logs.filter((l) => l.level === "warning").map((l) => l.message);
      expect(warnings.filter((w) => /retrying GET \/pools\/fn-pool/.test(w))).toHaveLength(1);
      expect(warnings.some((w) => new RegExp(`retried 0 failed and ${stormy.service.injected.unavailable - 1} throttled Batch calls`).test(w))).toBe(true);
      expect({ pools: stormy.service.pools.size, jobs: stormy.service.jobs.size }).toEqual({ pools: 0, jobs: 0 });
    } finally {
      await stormy.close();
    }
  }, 60_000);
});

describe("examples/function", () => {
  test("one task per uploaded file, with the example's settings: the line count lands in the results container", async () => {
    const example = JSON.parse(readFileSync(join(ROOT, "examples/function/local.settings.json"), "utf8")).Values as Record<string, string>;
    const spec = await azurite.upload(
      "specs",
      "one-task-per-file.yaml",
      readFileSync(join(ROOT, "examples/function/one-task-per-file.yaml"), "utf8"),
      "application/yaml",
    );
    // The example's settings, pointed at this test's Azurite and local service (their ports are chosen at random here).
    const settings = Object.fromEntries(Object.entries(example).filter(([k]) => k.startsWith("AZBR_") || k === "RESULTS_CONTAINER_URL"));
    await startApp({
      ...settings,
      AZBR_SPEC: spec.url,
      AZBR_STORAGE: azurite.connectionString,
      AZBR_BATCH_ACCOUNT_URL: local.accountUrl,
      AZBR_BATCH_ACCOUNT_NAME: local.accountName,
      AZBR_BATCH_ACCOUNT_KEY: local.accountKey,
    });
    process.env.RESULTS_CONTAINER_URL = await azurite.containerSasUrl("results");
    const blob = await azurite.upload("uploads", "report.csv", "a,b\n1,2\n3,4\n");
    const result = await invoke("batchOnBlob", blobDelivery("report.csv", blob, "a,b\n1,2\n3,4\n"));
    const [entry] = submitted(result);
    expect(entry).toMatch(/^report_csv-[0-9a-f]{16}:added$/);
    const { task } = await finished(`per-file-${today()}`, entry!.split(":")[0]!);
    expect(task.executionInfo?.exitCode).toBe(0);
    const lines = await until(
      "the output file",
      () => azurite.readBlob("results", `${today()}/report.csv.lines.txt`),
      (v) => v !== undefined,
    );
    expect(lines!.trim()).toBe("3");
    // The example's queue message, naming the same blob: another task id (its own), same work done again on purpose.
    const message = JSON.parse(readFileSync(join(ROOT, "examples/function/message.json"), "utf8"));
    const queued = await invoke("batchOnQueue", queueDelivery(JSON.stringify({ ...message, inputs: [blob.url] })));
    expect(submitted(queued)).toEqual([`${message.id}:added`]);
    expect((await finished(`per-file-${today()}`, message.id)).task.executionInfo?.exitCode).toBe(0);
  }, 60_000);
});

describe("the blob trigger's source", () => {
  test("Event Grid by default (Flex Consumption's only source); AZBR_BLOB_SOURCE=LogsAndContainerScan registers the polling one", async () => {
    await startApp(appSettings("https://unused.blob.core.windows.net/specs/x.yaml"));
    expect(Object.values(registered("batchOnBlob").metadata.bindings)[0]).toMatchObject({ type: "blobTrigger", source: "EventGrid", path: "%AZBR_BLOB_PATH%" });
    await startApp({ ...appSettings("https://unused.blob.core.windows.net/specs/x.yaml"), AZBR_BLOB_SOURCE: "LogsAndContainerScan" });
    expect(Object.values(registered("batchOnBlob").metadata.bindings)[0]).toMatchObject({ type: "blobTrigger", source: "LogsAndContainerScan" });
  });

  test("a trigger whose setting is absent is not registered", async () => {
    const settings = appSettings("https://unused.blob.core.windows.net/specs/x.yaml");
    delete (settings as Record<string, string | undefined>).AZBR_QUEUE;
    const app = await startApp(settings);
    expect([...app.keys()].sort()).toEqual(["batchonblob", "batchoneventgrid"]);
  });
});

describe.skipIf(opensslMissing)("with the app's managed identity", () => {
  test("identity-based storage connection: the spec read and a user-delegation SAS made with Entra tokens, checked by Azurite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "azbr-fn-ud-"));
    const entra = await startEntraStandIn(dir);
    try {
      // Its own process: the stand-in's certificate must be trusted from the start (Azurite serves https with it too).
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(ROOT, "test/helpers/functionsUserDelegation.ts")], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          // The suite's temporary folder (removed at the end of the run), not the machine's.
          TMPDIR: tmpdir(),
          NODE_EXTRA_CA_CERTS: entra.caFile,
          AZBR_CERT: entra.caFile,
          AZBR_KEY: entra.keyFile,
          AZURE_TENANT_ID: entra.tenant,
          AZURE_CLIENT_ID: entra.clientId,
          AZURE_CLIENT_SECRET: entra.clientSecret,
          AZURE_AUTHORITY_HOST: entra.authorityHost,
        },
        timeout: 60_000,
      });
      const outcome = JSON.parse(stdout.trim().split("\n").pop()!);
      expect(outcome).toMatchObject({ ok: true, exitCode: 0, stdout: "read with a user delegation SAS\n", signedTenant: entra.tenant });
      // A user delegation SAS: signed with a key Azurite gave the app's identity (skoid, sktid, skt, ske, sks, skv).
      expect(outcome.sasFields).toEqual(expect.arrayContaining(["sig", "skoid", "sktid", "skt", "ske", "sks", "skv", "sp", "sr"]));
      expect(entra.tokenRequests.map((r) => `${r.grant_type} ${r.scope}`)).toContain("client_credentials https://storage.azure.com/.default");
    } finally {
      await entra.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
