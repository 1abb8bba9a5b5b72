// What the submission benchmark talks to, in processes of their own so that the client's CPU, the
// network's and the service's are not one thread's (as they are not against Azure Batch):
// (benchmarks/scale.ts bundles it first, as the CLI bundles the local service):
//   node remoteService.mjs service <accountKey>
//     the local Batch service; prints {"url"} on stdout
//   node remoteService.mjs proxy <target url> <rttMs>
//     a proxy that adds rttMs to every round trip (benchmarks/slowProxy.ts); prints {"url"}
// Each ends when its stdin closes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processExecutor } from "../local-batch/runtime/executors.js";
import { LocalBatchService } from "../local-batch/service.js";
import { slowProxy } from "./slowProxy.js";

const [role, a, b] = process.argv.slice(2);
let close: () => Promise<void>;
let url: string;
if (role === "service") {
  const dataDir = mkdtempSync(join(tmpdir(), "azbr-remote-"));
  const service = new LocalBatchService({ accountName: "local", accountKey: a!, dataDir, executor: processExecutor() });
  url = await service.listen();
  close = async () => (await service.close(), rmSync(dataDir, { recursive: true, force: true }));
} else if (role === "proxy") {
  const proxy = await slowProxy(a!, Number(b));
  url = proxy.url;
  close = proxy.close;
} else throw new Error(`unknown role ${role}: service or proxy`);
const ready = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  const used = process.cpuUsage(ready);
  if (process.env.AZBR_BENCH_CPU) process.stderr.write(`${role} cpu ms ${((used.user + used.system) / 1000).toFixed(0)}\n`);
  await close();
  process.exit(0);
});
