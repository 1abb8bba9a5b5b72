// The local Batch service under a big job: adding N tasks (the core's submitTasks: addtaskcollection,
// 100 a request, several at a time), then taskcounts and the lists a follower sends, with the
// tasks in place. Prints a table; nothing is asserted. Issue 12's target: 100,000 tasks added in
// <= 3 s. Run: npx tsx --conditions source benchmarks/local-service-scale.ts [N ...]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchClient, loadSpecObject, submitTasks } from "azure-batch-run";
import { processExecutor } from "../local-batch/runtime/executors.js";
import { LocalBatchService } from "../local-batch/service.js";

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const key = Buffer.from("bench").toString("base64");
const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

console.log("| tasks | add (ms) | taskcounts (ms) | list state eq 'active', 1st page (ms) | list completed since now (ms) | list all, 1st page (ms) |");
console.log("|---|---|---|---|---|---|");
for (const n of sizes.length ? sizes : [10_000, 100_000]) {
  const dataDir = mkdtempSync(join(tmpdir(), "azbr-scale-"));
  const service = new LocalBatchService({ accountName: "local", accountKey: key, dataDir, executor: processExecutor() });
  const url = await service.listen();
  const client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: key } });
  // A pool without nodes: the tasks stay active, so what is measured is the service's bookkeeping.
  const workload = loadSpecObject(
    {
      pool: { id: "p", vmSize: "Standard_D2s_v3", image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" }, nodes: { dedicated: 0 } },
      job: { id: "j" },
      tasks: { list: [{ id: "t{{ item }}", command: "/bin/true", forEach: { range: [1, n] } }] },
    },
    { env: {} },
  );
  let t = process.hrtime.bigint();
  await submitTasks(client, workload);
  const add = ms(t);
  t = process.hrtime.bigint();
  await client.json("GET", "/jobs/j/taskcounts");
  const counts = ms(t);
  t = process.hrtime.bigint();
  await client.json("GET", "/jobs/j/tasks", { query: { $filter: "state eq 'active'", $select: "id,state" } });
  const active = ms(t);
  t = process.hrtime.bigint();
  await client.json("GET", "/jobs/j/tasks", {
    query: { $filter: `state eq 'completed' and stateTransitionTime ge datetime'${new Date().toISOString()}'`, $select: "id" },
  });
  const since = ms(t);
  t = process.hrtime.bigint();
  await client.json("GET", "/jobs/j/tasks", { query: { $select: "id" } });
  const all = ms(t);
  console.log(`| ${n.toLocaleString("en")} | ${add.toFixed(0)} | ${counts.toFixed(1)} | ${active.toFixed(1)} | ${since.toFixed(1)} | ${all.toFixed(0)} |`);
  await client.close();
  await service.close();
  rmSync(dataDir, { recursive: true, force: true });
}
