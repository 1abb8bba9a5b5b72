import { afterEach, describe, expect, test } from "vitest";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { ArmError } from "../../../shared/client/armClient.js";
import { BatchClient } from "../../../shared/client/batchClient.js";
import { BatchServiceError } from "../../../shared/client/errors.js";
import { bearerTokenPolicy, BATCH_SCOPE } from "../../../shared/client/policies/bearerTokenPolicy.js";
import { batchError, sendJson, startServer } from "../../helpers/server.js";

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function serve(handler: Parameters<typeof startServer>[0]) {
  const server = await startServer(handler);
  const client = new BatchClient({ accountUrl: server.url, auth: { kind: "none" }, retry: { maxRetries: 0 } });
  cleanup.push(
    () => server.close(),
    () => client.close(),
  );
  return { server, client };
}

describe("paging", () => {
  test("follows odata.nextLink until the last page, with the first query only on the first call", async () => {
    const { server, client } = await serve((req, res) => {
      const page = Number(req.query.get("page") ?? "0");
      const value = Array.from({ length: page < 2 ? 3 : 1 }, (_, i) => ({ id: `t-${page * 3 + i}` }));
      const next = page < 2 ? { "odata.nextLink": `${server.url}/jobs/j/tasks?api-version=2024-07-01.20.0&page=${page + 1}` } : {};
      sendJson(res, 200, { value, ...next });
    });
    const ids: string[] = [];
    for await (const t of client.list<{ id: string }>("/jobs/j/tasks", { query: { $select: "id,state", $filter: "state eq 'completed'" } })) ids.push(t.id);
    expect(ids).toEqual(["t-0", "t-1", "t-2", "t-3", "t-4", "t-5", "t-6"]);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]!.query.get("$select")).toBe("id,state");
    expect(server.requests[0]!.query.get("$filter")).toBe("state eq 'completed'");
    expect(server.requests[2]!.query.get("page")).toBe("2");
  });

  test("stops lazily: breaking out fetches no further page", async () => {
    const { server, client } = await serve((req, res) =>
      sendJson(res, 200, { value: [{ id: "a" }, { id: "b" }], "odata.nextLink": `${server.url}/pools?page=x` }),
    );
    for await (const _ of client.list("/pools")) break;
    expect(server.requests).toHaveLength(1);
  });

  test("refuses a nextLink to another host (credentials stay with the account)", async () => {
    const { client } = await serve((_req, res) => sendJson(res, 200, { value: [{ id: "a" }], "odata.nextLink": "https://evil.example.com/pools?page=2" }));
    const ids: string[] = [];
    await expect(async () => {
      for await (const p of client.list<{ id: string }>("/pools")) ids.push(p.id);
    }).rejects.toThrow(/another host/);
    expect(ids).toEqual(["a"]);
  });
});

describe("one base for both planes: the ARM client pages, refuses and fails as the Batch client does, in ARM's dialect", () => {
  const credential: TokenCredential = { getToken: async () => ({ token: "arm-token-123", expiresOnTimestamp: Date.now() + 3_600_000 }) };
  async function arm(handler: Parameters<typeof startServer>[0]) {
    const server = await startServer(handler);
    const client = new BatchClient({
      accountUrl: server.url,
      auth: { kind: "none" },
      retry: { maxRetries: 0 },
      arm: { credential, endpoint: `${server.url}/arm` },
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    return { server, arm: client.arm! };
  }

  test("nextLink paging with x-ms-client-request-id and a bearer token; the same page twice ends the listing", async () => {
    const { server, arm: client } = await arm((req, res) => {
      const page = Number(req.query.get("page") ?? "0");
      sendJson(res, 200, { value: [{ name: `p${page}` }], nextLink: `${server.url}/arm/pools?page=${Math.min(page + 1, 2)}` });
    });
    const names: string[] = [];
    await expect(async () => {
      for await (const p of client.list<{ name: string }>("/pools", { query: { "api-version": "2024-07-01" } })) names.push(p.name);
    }).rejects.toThrow(/with a nextLink to a page already read/);
    expect(names).toEqual(["p0", "p1", "p2"]);
    expect(server.requests[0]!.headers["x-ms-client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.requests[0]!.headers.authorization).toBe("Bearer arm-token-123");
  });

  test("a nextLink to another host is not followed; an error answer is an ArmError with ARM's ids, the token redacted", async () => {
    const { arm: client } = await arm((req, res) =>
      req.path.startsWith("/arm/pools")
        ? sendJson(res, 200, { value: [], nextLink: "https://evil.example.com/arm/pools?page=2" })
        : sendJson(res, 403, { error: { code: "AuthorizationFailed", message: "no access for arm-token-123" } }, { "x-ms-request-id": "rid-1" }),
    );
    await expect(async () => {
      for await (const _ of client.list("/pools")) void _;
    }).rejects.toThrow(/with a nextLink to another host \(https:\/\/evil\.example\.com\); not followed/);
    const error = await client.json("GET", "/accounts/a").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArmError);
    expect((error as ArmError).message).toMatch(
      /^AuthorizationFailed: no access for <redacted> \(HTTP 403 on GET \/arm\/accounts\/a, x-ms-request-id rid-1\)$/,
    );
  });
});

describe("errors", () => {
  test("carry code, message, values and request-id, in one readable line", async () => {
    const { client } = await serve((_req, res) =>
      sendJson(res, 409, batchError("JobExists", "The specified job already exists.", [{ key: "Reason", value: "duplicate" }]), {
        "request-id": "11111111-2222",
      }),
    );
    const error = (await client.send("POST", "/jobs", { body: { id: "j" } }).catch((e: unknown) => e)) as BatchServiceError;
    expect(error).toBeInstanceOf(BatchServiceError);
    expect(error.code).toBe("JobExists");
    expect(error.requestId).toBe("11111111-2222");
    expect(error.values).toEqual([{ key: "Reason", value: "duplicate" }]);
    expect(error.message).toBe("JobExists: The specified job already exists. [Reason=duplicate] (HTTP 409 on POST /jobs, request-id 11111111-2222)");
    expect(error.clientRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("statuses listed in accept are answers, not errors", async () => {
    const { client } = await serve((_req, res) => sendJson(res, 404, batchError("PoolNotFound", "The specified pool does not exist.")));
    expect((await client.send("GET", "/pools/x", { accept: [404] })).status).toBe(404);
  });
});

describe("credentials", () => {
  test("bearer tokens: the Batch scope with its double slash, cached, one refresh in flight, refreshed ahead of expiry", async () => {
    let now = 1_000_000;
    const scopes: string[] = [];
    let release: (() => void) | undefined;
    const credential: TokenCredential = {
      async getToken(scope: string | string[]): Promise<AccessToken> {
        scopes.push(String(scope));
        await new Promise<void>((r) => (release = r));
        return { token: `token-${scopes.length}`, expiresOnTimestamp: now + 60 * 60_000 };
      },
    };
    const policy = bearerTokenPolicy(credential, { now: () => now });
    const seen: string[] = [];
    const next = async (req: any) => {
      seen.push(req.headers.authorization);
      return { status: 200, headers: {}, bodyText: "", request: req };
    };
    const req = () => ({
      method: "GET" as const,
      url: new URL("https://a.b.batch.azure.com/pools"),
      headers: {} as Record<string, string>,
      idempotent: true,
      timeoutMs: 1000,
    });
    const first = Promise.all([policy.sendRequest(req(), next), policy.sendRequest(req(), next), policy.sendRequest(req(), next)]);
    await new Promise((r) => setTimeout(r, 10));
    release!();
    await first;
    expect(scopes).toEqual([BATCH_SCOPE]);
    expect(BATCH_SCOPE).toBe("https://batch.core.windows.net//.default");
    expect(seen).toEqual(["Bearer token-1", "Bearer token-1", "Bearer token-1"]);
    now += 56 * 60_000; // inside the 5 minute refresh window
    const again = policy.sendRequest(req(), next);
    await new Promise((r) => setTimeout(r, 10));
    release!();
    await again;
    expect(seen.at(-1)).toBe("Bearer token-2");
  });

  test("credentials never go over plain http except to loopback", async () => {
    const policy = bearerTokenPolicy({ getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }) });
    const next = async (req: any) => ({ status: 200, headers: {}, bodyText: "", request: req });
    const req = (url: string) => ({ method: "GET" as const, url: new URL(url), headers: {}, idempotent: true, timeoutMs: 1000 });
    await expect(policy.sendRequest(req("http://acct.region.batch.azure.com/pools"), next)).rejects.toThrow(/refusing to send Batch credentials over http/);
    await expect(policy.sendRequest(req("http://127.0.0.1:8080/pools"), next)).resolves.toMatchObject({ status: 200 });
  });
});

describe("choosing auth and account from the environment", () => {
  test("Shared Key when AZURE_BATCH_ACCESS_KEY is set; the account name from the URL or AZURE_BATCH_ACCOUNT", async () => {
    const { authFromEnvironment } = await import("../../../shared/client/credentials.js");
    expect(await authFromEnvironment("https://acct1.westeurope.batch.azure.com", { AZURE_BATCH_ACCESS_KEY: "k" })).toEqual({
      kind: "sharedKey",
      accountName: "acct1",
      accountKey: "k",
    });
    expect(await authFromEnvironment("http://127.0.0.1:8080", { AZURE_BATCH_ACCESS_KEY: "k", AZURE_BATCH_ACCOUNT: "local" })).toMatchObject({
      accountName: "local",
    });
    const entra = await authFromEnvironment("https://acct1.westeurope.batch.azure.com", {});
    expect(entra.kind).toBe("entra");
    expect((entra as { credential: object }).credential.constructor.name).toBe("DefaultAzureCredential");
  });

  test("account URL: flag, then spec, then AZURE_BATCH_ACCOUNT_URL, then AZURE_BATCH_ENDPOINT", async () => {
    const { resolveAccountUrl } = await import("../../../shared/client/credentials.js");
    const env = { AZURE_BATCH_ACCOUNT_URL: "https://env.batch.azure.com", AZURE_BATCH_ENDPOINT: "endpoint.batch.azure.com" };
    expect(resolveAccountUrl("https://flag", "https://spec.westeurope.batch.azure.com", env)).toBe("https://flag");
    expect(resolveAccountUrl(undefined, "https://spec.westeurope.batch.azure.com", env)).toBe("https://spec.westeurope.batch.azure.com");
    expect(resolveAccountUrl(undefined, undefined, env)).toBe("https://env.batch.azure.com");
    expect(resolveAccountUrl(undefined, undefined, { AZURE_BATCH_ENDPOINT: "endpoint.batch.azure.com" })).toBe("https://endpoint.batch.azure.com");
    expect(resolveAccountUrl(undefined, undefined, {})).toBeUndefined();
  });

  test.each([
    ["https://collector.example.com", false],
    ["https://acct.westeurope.batch.azure.com.evil.example.com", false],
    ["http://acct.westeurope.batch.azure.com", false],
    ["https://user:pw@acct.westeurope.batch.azure.com", false],
    ["https://169.254.169.254", false],
    ["https://acct.westeurope.batch.azure.com", true],
    ["https://acct.usgovvirginia.batch.usgovcloudapi.net", true],
    ["https://acct.chinanorth3.batch.chinacloudapi.cn", true],
    ["http://127.0.0.1:8080", true],
    ["http://localhost:8080", true],
  ])("a spec's account.url %s: taken on its own only when it is a Batch endpoint or loopback (%s)", async (url, ok) => {
    const { resolveAccountUrl } = await import("../../../shared/client/credentials.js");
    if (ok) expect(resolveAccountUrl(undefined, url, {})).toBe(url);
    else
      expect(() => resolveAccountUrl(undefined, url, {})).toThrow(/account\.url: .* is not an Azure Batch endpoint .* give that endpoint with --account-url/);
    // Given by the caller, any endpoint is the caller's choice.
    expect(resolveAccountUrl(url, url, {})).toBe(url);
  });
});

describe("a client for the local Batch service", () => {
  test("Shared Key on the data plane, a stand-in bearer token on its ARM side; refused for any host but this machine", async () => {
    const { createLocalBatchClient } = await import("../../../shared/client/credentials.js");
    const { startLocalBatch } = await import("../../../local-batch/start.js");
    const local = await startLocalBatch({ executor: "process" });
    const client = createLocalBatchClient(local);
    try {
      expect((await client.send("GET", "/pools")).status).toBe(200);
      // ARM answers only a bearer token: the stand-in one gets the account list.
      const accounts = await client.arm!.json<{ value: { name: string }[] }>("GET", "/subscriptions/local/providers/Microsoft.Batch/batchAccounts", {
        query: { "api-version": "2024-07-01" },
      });
      expect(accounts.value.map((a) => a.name)).toEqual([local.accountName]);
    } finally {
      await client.close();
      await local.close();
    }
    expect(() => createLocalBatchClient({ ...local, accountUrl: "https://acct.westeurope.batch.azure.com" })).toThrow(/is not a service on this machine/);
  });
});
