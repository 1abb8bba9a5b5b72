// What the submission benchmark talks to, in processes of their own so that the client's CPU, the
// network's and the service's are not one thread's (as they are not against Azure Batch):
// (benchmarks/scale.ts bundles it first, as the CLI bundles the local service):
//   node remoteService.mjs service <accountKey>
//     the local Batch service; prints {"url"} on stdout
//   node remoteService.mjs proxy <target url> <rttMs>
//     a proxy that adds rttMs to every round trip (benchmarks/slowProxy.ts); prints {"url"}
//   node remoteService.mjs instant
//     a server that answers at once: pools and jobs as posted, every task of addtaskcollection
//     added (the REST definition's TaskAddCollectionResult); what the client alone costs
//     (no signature check, no state: not a Batch service)
// Each ends when its stdin closes.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
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
} else if (role === "instant") {
  const server = createServer(instant());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
} else throw new Error(`unknown role ${role}: service, proxy or instant`);

function instant() {
  const pools = new Map<string, Record<string, unknown>>();
  const jobs = new Map<string, Record<string, unknown>>();
  const send = (res: ServerResponse, status: number, body?: unknown) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json;odata=minimalmetadata", "content-length": String(Buffer.byteLength(text)) });
    res.end(text);
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname.split("/").filter(Boolean).map(decodeURIComponent);
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
      const [kind, id, action] = path;
      const table = kind === "pools" ? pools : kind === "jobs" ? jobs : undefined;
      if (!table) return send(res, 404, { code: "InvalidUri", message: { lang: "en-US", value: "not served" } });
      if (req.method === "POST" && id === undefined) {
        const key = String(body.id).toLowerCase();
        if (table.has(key)) return send(res, 409, { code: kind === "pools" ? "PoolExists" : "JobExists", message: { lang: "en-US", value: "exists" } });
        table.set(key, { ...body, state: "active", allocationState: "steady", url: `${kind}/${body.id}` });
        return send(res, 201);
      }
      if (req.method === "GET" && id !== undefined && action === undefined) {
        const found = table.get(id.toLowerCase());
        return found
          ? send(res, 200, found)
          : send(res, 404, { code: kind === "pools" ? "PoolNotFound" : "JobNotFound", message: { lang: "en-US", value: "not found" } });
      }
      if (req.method === "POST" && action === "addtaskcollection") {
        const at = new Date().toISOString();
        const value = ((body.value ?? []) as { id: string }[]).map((t, i) => ({
          status: "success",
          taskId: t.id,
          eTag: `0x8DD${String(i).padStart(12, "0")}`,
          lastModified: at,
          location: `${req.headers.host}/jobs/${id}/tasks/${t.id}`,
        }));
        return send(res, 200, { value });
      }
      send(res, 400, { code: "InvalidRequest", message: { lang: "en-US", value: "not served" } });
    });
  };
}
const ready = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  const used = process.cpuUsage(ready);
  if (process.env.AZBR_BENCH_CPU) process.stderr.write(`${role} cpu ms ${((used.user + used.system) / 1000).toFixed(0)}\n`);
  await close();
  process.exit(0);
});
