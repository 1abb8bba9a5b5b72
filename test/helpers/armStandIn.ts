/**
 * A protocol-level stand-in for Azure Resource Manager (which cannot run here), speaking what the
 * core calls: BatchAccount_List, Pool_Create, Pool_Delete. It requires a bearer token, answers with
 * ARM's shapes and headers, records every exchange for oav, and puts a created pool on the data
 * plane of a real local Batch service (through its REST API), as ARM makes a pool appear on the account.
 */
import type { ServerResponse } from "node:http";
import { BatchClient } from "azure-batch-run";
import { dataPlanePool } from "../../shared/batch/armPool.js";
import { startServer, type Recorded } from "./server.js";

export interface ArmExchange {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  response: { status: number; body?: unknown; headers: Record<string, string> };
}

export interface StandInOptions {
  subscription: string;
  resourceGroup: string;
  accountName: string;
  /** The data plane the created pools appear on. */
  batch: BatchClient;
  /** Answer the first N pool PUTs 429 with this Retry-After (seconds). */
  throttleFirstPuts?: number;
  /** Answer pool PUTs with this ARM error instead. */
  failPuts?: { status: number; code: string; message: string };
}

export async function startArmStandIn(options: StandInOptions) {
  const exchanges: ArmExchange[] = [];
  const tokens: string[] = [];
  let puts = 0;
  const accountId = `/subscriptions/${options.subscription}/resourceGroups/${options.resourceGroup}/providers/Microsoft.Batch/batchAccounts/${options.accountName}`;
  const reply = (req: Recorded, res: ServerResponse, status: number, body?: unknown, extra: Record<string, string> = {}) => {
    const headers = {
      "content-type": "application/json; charset=utf-8",
      "x-ms-request-id": `req-${exchanges.length}`,
      "x-ms-correlation-request-id": `corr-${exchanges.length}`,
      ...extra,
    };
    exchanges.push({ method: req.method, path: req.path, query: Object.fromEntries(req.query), body: req.json, response: { status, body, headers } });
    res.writeHead(status, headers);
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const armError = (code: string, message: string) => ({ error: { code, message } });
  const server = await startServer(async (req, res) => {
    const auth = String(req.headers.authorization ?? "");
    if (!auth.startsWith("Bearer "))
      return reply(req, res, 401, armError("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."));
    tokens.push(auth.slice(7));
    if (req.query.get("api-version") !== "2024-07-01") return reply(req, res, 400, armError("InvalidApiVersionParameter", "The api-version is invalid."));
    if (req.method === "GET" && req.path === `/subscriptions/${options.subscription}/providers/Microsoft.Batch/batchAccounts`) {
      const endpoint = options.batch.accountUrl.host;
      return reply(req, res, 200, {
        value: [
          {
            id: `/subscriptions/${options.subscription}/resourceGroups/other/providers/Microsoft.Batch/batchAccounts/unrelated`,
            name: "unrelated",
            type: "Microsoft.Batch/batchAccounts",
            location: "westeurope",
            properties: { accountEndpoint: "unrelated.westeurope.batch.azure.com" },
          },
          {
            id: accountId,
            name: options.accountName,
            type: "Microsoft.Batch/batchAccounts",
            location: "westeurope",
            properties: {
              accountEndpoint: endpoint,
              dedicatedCoreQuota: 100,
              lowPriorityCoreQuota: 100,
              dedicatedCoreQuotaPerVMFamily: [{ name: "standardDSv3Family", coreQuota: 100 }],
              dedicatedCoreQuotaPerVMFamilyEnforced: true,
              poolQuota: 100,
              activeJobAndJobScheduleQuota: 300,
            },
          },
        ],
      });
    }
    if (req.method === "GET" && req.path === `/subscriptions/${options.subscription}/providers/Microsoft.Batch/locations/westeurope/virtualMachineSkus`) {
      return reply(req, res, 200, {
        value: [
          { name: "Standard_D2s_v3", familyName: "standardDSv3Family", capabilities: [{ name: "vCPUs", value: "2" }] },
          { name: "Standard_D4s_v3", familyName: "standardDSv3Family", capabilities: [{ name: "vCPUs", value: "4" }] },
        ],
      });
    }
    const m = new RegExp(`^${accountId.replace(/[.]/g, "\\.")}/pools/([^/]+)$`).exec(req.path);
    if (m && req.method === "PUT") {
      puts++;
      if (puts <= (options.throttleFirstPuts ?? 0)) return reply(req, res, 429, armError("TooManyRequests", "Too many requests."), { "retry-after": "1" });
      if (options.failPuts) return reply(req, res, options.failPuts.status, armError(options.failPuts.code, options.failPuts.message));
      const id = decodeURIComponent(m[1]!);
      const { pool, identities } = dataPlanePool(req.json, id);
      const created = await options.batch.send("POST", "/pools", { body: pool, idempotent: true, accept: [409] });
      if (created.status === 409 && req.headers["if-none-match"] === "*")
        return reply(req, res, 412, armError("PreconditionFailed", "The pool already exists."));
      void identities;
      return reply(req, res, 200, {
        id: `${accountId}/pools/${id}`,
        name: id,
        type: "Microsoft.Batch/batchAccounts/pools",
        etag: 'W/"0x8D4EDFEBFADF4AB"',
        identity: req.json.identity,
        properties: { ...req.json.properties, provisioningState: "Succeeded", allocationState: "Resizing" },
      });
    }
    if (m && req.method === "DELETE") {
      await options.batch.send("DELETE", `/pools/${m[1]}`, { accept: [404] });
      return reply(req, res, 200);
    }
    return reply(req, res, 404, armError("NotFound", `no such resource: ${req.method} ${req.path}`));
  });
  return { url: server.url, exchanges, tokens, close: server.close };
}
