// Throughput of the core against the local Batch service (process executor): how long adding and
// following N tasks takes, with and without injected faults, and how many HTTP calls it costs.
// Prints a table; no targets are asserted here. Run: npm run bench [-- 2000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchClient, loadSpecObject, runWorkload, silentReporter } from "azure-batch-run";
import { processExecutor } from "../local-batch/runtime/executors.js";
import { LocalBatchService, type FaultOptions } from "../local-batch/service.js";

const tasks = Number(process.argv[2] ?? 1000);
const key = Buffer.from("bench").toString("base64");

async function measure(name: string, faults: FaultOptions | undefined) {
  let calls = 0;
  const dataDir = mkdtempSync(join(tmpdir(), "azbr-bench-"));
  const service = new LocalBatchService({
    accountName: "local",
    accountKey: key,
    dataDir,
    executor: processExecutor(),
    faults,
    onExchange: () => void calls++,
  });
  const url = await service.listen();
  const client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: key }, retry: { maxRetries: 20 } });
  const workload = loadSpecObject(
    {
      pool: {
        id: "bench",
        vmSize: "Standard_D2s_v3",
        image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
        nodes: { dedicated: 2 },
        taskSlotsPerNode: 8,
      },
      job: { id: "bench" },
      tasks: { list: [{ id: "t{{ item }}", command: "/bin/true", forEach: { range: [1, tasks] } }] },
    },
    { env: {} },
  );
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const result = await runWorkload(client, workload, silentReporter, { pollIntervalMs: 200 });
  const seconds = (performance.now() - started) / 1000;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  await client.close();
  await service.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { name, tasks, ok: result.outcomes.filter((o) => o.result === "success").length, seconds, perSecond: tasks / seconds, calls, heapMb };
}

const rows = [
  await measure("no faults", undefined),
  await measure("10% 429/503 + 10% commit-then-fail", { throttleShare: 0.05, unavailableShare: 0.05, commitThenFailShare: 0.1, retryAfterMs: 20 }),
  await measure("+ 50 ms latency per call", { latencyMs: 50 }),
];

console.log(`\n| scenario | tasks | succeeded | seconds | tasks/s | HTTP calls | heap delta MB |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|`);
for (const r of rows) {
  console.log(`| ${r.name} | ${r.tasks} | ${r.ok} | ${r.seconds.toFixed(1)} | ${r.perSecond.toFixed(0)} | ${r.calls} | ${r.heapMb.toFixed(1)} |`);
}
