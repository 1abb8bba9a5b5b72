/**
 * Shared Key signatures checked against an independent implementation: the `@azure/batch`
 * package's BatchSharedKeyCredentials (the SDK Microsoft shipped for this API).
 */
import { BatchSharedKeyCredentials } from "@azure/batch";
import { describe, expect, test } from "vitest";
import { signSharedKey, stringToSign } from "../../../shared/client/sharedKey.js";
import { BatchClient, BATCH_CONTENT_TYPE } from "../../../shared/client/batchClient.js";
import type { PipelineRequest } from "../../../shared/client/pipeline.js";

const ACCOUNT = "myaccount";
const KEY = Buffer.from("a fake but well-formed account key, 64 bytes long................").toString("base64");

/** The slice of ms-rest-js's HttpHeaders that BatchSharedKeyCredentials uses. */
function sdkHeaders(init: Record<string, string>) {
  const map = new Map(Object.entries(init).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    get: (name: string) => map.get(name.toLowerCase()),
    set: (name: string, value: string) => void map.set(name.toLowerCase(), value),
    headerNames: () => [...map.keys()],
  };
}

async function sdkSignature(method: string, url: string, headers: Record<string, string>, body?: string): Promise<string> {
  const webResource = { method, url, headers: sdkHeaders(headers), body };
  await new BatchSharedKeyCredentials(ACCOUNT, KEY).signRequest(webResource as never);
  return webResource.headers.get("authorization") as string;
}

const DATE = "Sun, 22 Nov 2026 20:00:00 GMT";
const base = "https://myaccount.westeurope.batch.azure.com";

const cases: [string, string, string, Record<string, string>, string | undefined][] = [
  ["GET with api-version", "GET", `${base}/pools/render?api-version=2024-07-01.20.0`, { "ocp-date": DATE }, undefined],
  [
    "GET with $filter and $select (encoded spaces, quotes, commas)",
    "GET",
    `${base}/jobs/render-1/tasks?api-version=2024-07-01.20.0&%24filter=state%20eq%20%27completed%27%20and%20stateTransitionTime%20ge%20datetime%272026-11-22T20%3A00%3A00.000Z%27&%24select=id%2Cstate%2CexecutionInfo&maxresults=1000`,
    { "ocp-date": DATE, "client-request-id": "9b6f6a2c-2f5b-4ad1-8c51-5b0b1e0f6f41", "return-client-request-id": "true" },
    undefined,
  ],
  [
    "POST with a JSON body",
    "POST",
    `${base}/jobs/render-1/addtaskcollection?api-version=2024-07-01.20.0`,
    { "ocp-date": DATE, "content-type": BATCH_CONTENT_TYPE },
    JSON.stringify({ value: [{ id: "frame-1", commandLine: "/app/render --frame 1 ☃" }] }),
  ],
  ["POST without a body (terminate)", "POST", `${base}/jobs/render-1/terminate?api-version=2024-07-01.20.0`, { "ocp-date": DATE }, undefined],
  ["DELETE", "DELETE", `${base}/pools/render?api-version=2024-07-01.20.0`, { "ocp-date": DATE }, undefined],
  [
    "GET a file with ocp-range",
    "GET",
    `${base}/jobs/j/tasks/t/files/stderr.txt?api-version=2024-07-01.20.0`,
    { "ocp-date": DATE, "ocp-range": "bytes=100-199" },
    undefined,
  ],
];

describe("Shared Key signing matches @azure/batch's BatchSharedKeyCredentials", () => {
  test.each(cases)("%s", async (_name, method, url, headers, body) => {
    const ours = signSharedKey({ method, url: new URL(url), headers, body }, ACCOUNT, KEY);
    expect(ours).toMatch(/^SharedKey myaccount:[A-Za-z0-9+/]{43}=$/);
    expect(ours).toBe(await sdkSignature(method, url, headers, body));
  });

  test("a different key, path, query or body gives a different signature", () => {
    const req = { method: "GET", url: new URL(`${base}/pools/a?api-version=2024-07-01.20.0`), headers: { "ocp-date": DATE } };
    const sig = signSharedKey(req, ACCOUNT, KEY);
    expect(signSharedKey(req, ACCOUNT, Buffer.from("another key").toString("base64"))).not.toBe(sig);
    expect(signSharedKey({ ...req, url: new URL(`${base}/pools/b?api-version=2024-07-01.20.0`) }, ACCOUNT, KEY)).not.toBe(sig);
    expect(signSharedKey({ ...req, url: new URL(`${base}/pools/a?api-version=2023-05-01.17.0`) }, ACCOUNT, KEY)).not.toBe(sig);
  });

  test("the string to sign follows the documented layout", () => {
    const s = stringToSign(
      {
        method: "POST",
        url: new URL(`${base}/jobs?api-version=2024-07-01.20.0&timeout=30`),
        headers: { "ocp-date": DATE, "content-type": BATCH_CONTENT_TYPE },
        body: "{}",
      },
      ACCOUNT,
    );
    expect(s).toBe(
      [
        "POST",
        "",
        "",
        "2",
        "",
        BATCH_CONTENT_TYPE,
        "",
        "",
        "",
        "",
        "",
        "",
        `ocp-date:${DATE}`,
        "/myaccount/jobs",
        "api-version:2024-07-01.20.0",
        "timeout:30",
      ].join("\n"),
    );
  });

  test("the client signs what it actually sends (URL encoding, content length, ocp-date)", async () => {
    const seen: PipelineRequest[] = [];
    const client = new BatchClient({
      accountUrl: base,
      auth: { kind: "sharedKey", accountName: ACCOUNT, accountKey: KEY },
      transport: async (request) => {
        seen.push(request);
        return { status: 200, headers: {}, bodyText: '{"value":[]}', request };
      },
    });
    for await (const _ of client.list("/jobs/j/tasks", { query: { $filter: "state eq 'completed'", $select: "id,state" } })) void _;
    await client.send("POST", "/jobs", { body: { id: "j", poolInfo: { poolId: "p" } } });
    for (const request of seen) {
      const { authorization, ...headers } = request.headers;
      expect(authorization).toBe(await sdkSignature(request.method, request.url.toString(), headers, request.body));
    }
    expect(seen[0]!.url.search).toContain("%24filter=state%20eq%20%27completed%27");
    expect(seen[1]!.headers["content-type"]).toBe("application/json; odata=minimalmetadata");
  });
});
