/** A real HTTP server on 127.0.0.1 for client tests: scripted handler, every request recorded. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
  json?: any;
}

export type Handler = (req: Recorded, res: ServerResponse) => unknown;

export async function startServer(handler: Handler): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    const rec: Recorded = { method: req.method ?? "", path: u.pathname, query: u.searchParams, headers: req.headers, body };
    if (body && /json/.test(req.headers["content-type"] ?? "")) rec.json = JSON.parse(body);
    requests.push(rec);
    try {
      await handler(rec, res);
    } catch (error) {
      res.statusCode = 599;
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": "application/json;odata=minimalmetadata",
    "request-id": "rid-" + Math.random().toString(16).slice(2, 10),
    ...headers,
  });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

export function batchError(code: string, message: string, values: { key: string; value: string }[] = []) {
  return {
    "odata.metadata": "https://x/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element",
    code,
    message: { lang: "en-US", value: `${message}\nRequestId:abc\nTime:2026-11-22T20:00:00.0000000Z` },
    values,
  };
}
