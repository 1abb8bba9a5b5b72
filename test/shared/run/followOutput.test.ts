/**
 * Following a running task's output on the local service: a task that prints a line every 100 ms is
 * streamed while it runs, every line once and in order; a secret it prints in two halves, a read
 * apart, is redacted whole; each poll costs at most one request per followed file, and the bytes
 * read are the file's size, not a multiple of it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { BatchClient, followTaskOutput, listTaskFiles, type FollowStats, type OutputChunk } from "azure-batch-run";
import { Redactor } from "../../../shared/redact.js";
import { processExecutor } from "../../../local-batch/runtime/executors.js";
import { LocalBatchService } from "../../../local-batch/service.js";
import { ExchangeRecorder } from "../../helpers/recorder.js";
import { batchSpecMissing, requirement } from "../../helpers/requirements.js";

const KEY = Buffer.from("follow key").toString("base64");
const SECRET = "token-8f3e2a91c7d4";
const shellMissing = requirement("a POSIX shell at /bin/sh", process.platform !== "win32");

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

describe.skipIf(batchSpecMissing || shellMissing)("followTaskOutput", () => {
  test("lines arrive once, in order, while the task runs; a secret split across two reads is redacted; requests and bytes stay bounded", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "azbr-follow-"));
    const recorder = new ExchangeRecorder();
    const service = new LocalBatchService({ accountName: "local", accountKey: KEY, dataDir, executor: processExecutor(), onExchange: recorder.record });
    const url = await service.listen();
    const client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: KEY } });
    toClose.push(async () => {
      await client.close();
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const image = { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" };
    await client.send("POST", "/pools", {
      body: {
        id: "p",
        vmSize: "Standard_D2s_v3",
        virtualMachineConfiguration: { imageReference: image, nodeAgentSKUId: "batch.node.ubuntu 24.04" },
        targetDedicatedNodes: 1,
      },
    });
    await client.send("POST", "/jobs", { body: { id: "j", poolInfo: { poolId: "p" } } });
    const half = SECRET.length / 2;
    // 30 lines, 100 ms apart, then the secret in two halves a second apart (several polls between them).
    const command = `/bin/sh -c 'i=1; while [ $i -le 30 ]; do echo "line $i"; i=$((i+1)); sleep 0.1; done; printf "key=${SECRET.slice(0, half)}"; sleep 1; printf "${SECRET.slice(half)} end\\n"'`;
    await client.send("POST", "/jobs/j/tasks", { body: { id: "printer", commandLine: command } });

    const chunks: (OutputChunk & { at: number; state?: string })[] = [];
    const stats: FollowStats = { polls: 0, requests: 0, bytes: new Map(), perPoll: [] };
    await followTaskOutput(client, "j", ["printer"], (c) => chunks.push({ ...c, at: Date.now(), state: service.jobs.get("j")?.tasks.get("printer")?.state }), {
      pollIntervalMs: 200,
      redactor: new Redactor([SECRET]),
      stats,
    });

    const stdout = chunks.filter((c) => c.file === "stdout.txt");
    const text = stdout.map((c) => c.text).join("");
    expect(text).toBe(`${Array.from({ length: 30 }, (_, i) => `line ${i + 1}\n`).join("")}key=<redacted> end\n`);
    expect(text).not.toContain(SECRET.slice(0, half));
    // Streamed while it ran: several pieces, the first well before the task completed.
    expect(stdout.length).toBeGreaterThan(3);
    expect(stdout[0]!.state).toBe("running");
    // Every piece is whole lines.
    for (const c of stdout) expect(c.text.endsWith("\n")).toBe(true);
    // At most one request per followed file (stdout.txt and stderr.txt) in any poll; bytes read = the file's size.
    expect(Math.max(...stats.perPoll)).toBeLessThanOrEqual(2);
    expect(stats.polls).toBeGreaterThan(10);
    const size = (await listTaskFiles(client, "j", "printer")).find((f) => f.name === "stdout.txt")!.contentLength;
    expect(stats.bytes.get("printer/stdout.txt")).toBe(size);
    expect(stats.bytes.has("printer/stderr.txt")).toBe(false);
    const { problems, operations } = await recorder.validate();
    expect(problems).toEqual([]);
    expect(operations).toContain("File_ListFromTask");
  }, 60_000);
});
