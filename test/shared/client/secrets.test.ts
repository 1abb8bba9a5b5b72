/**
 * Secrets at the core's boundary: templates see only the environment the caller passes, and every
 * error the core throws is already redacted, however deep in the client it was raised.
 */
import { afterEach, describe, expect, test } from "vitest";
import {
  BatchClient,
  BatchServiceError,
  classifyError,
  createBatchClient,
  loadSpecObject,
  runWorkload,
  silentReporter,
  SpecError,
  submitTasks,
  type PipelinePolicy,
} from "azure-batch-run";
import { baseSpec, merge } from "../../helpers/specs.js";
import { batchError, sendJson, startServer } from "../../helpers/server.js";

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

const RUNNER_TOKEN = "ghs_theRunnersOwnToken0123456789";

describe("templates read only the environment the caller passes", () => {
  const spec = merge(baseSpec(), { tasks: { list: [{ id: "t1", command: "/app/run", env: { TOKEN: "{{ env.GITHUB_TOKEN }}" } }] } });

  test("a variable the caller did not allow fails with its field path, even when the process has it", () => {
    const saved = process.env.GITHUB_TOKEN;
    process.env.GITHUB_TOKEN = RUNNER_TOKEN;
    try {
      for (const options of [{ env: { BUILD_ID: "7" }, envHint: "add it to the Action's env-allow input" }, {}]) {
        const error = (() => {
          try {
            loadSpecObject(spec, options);
          } catch (e) {
            return e as SpecError;
          }
        })();
        expect(error).toBeInstanceOf(SpecError);
        expect(error!.issues).toHaveLength(1);
        expect(error!.issues[0]!.path).toBe("tasks.list[0].env.TOKEN");
        expect(error!.issues[0]!.message).toContain('unknown variable "env.GITHUB_TOKEN"');
        expect(error!.issues[0]!.message).toContain("the environment given to the spec has no GITHUB_TOKEN");
        if ("envHint" in options) expect(error!.issues[0]!.message).toContain("add it to the Action's env-allow input");
        expect(error!.message).not.toContain(RUNNER_TOKEN);
      }
    } finally {
      if (saved === undefined) delete process.env.GITHUB_TOKEN;
      else process.env.GITHUB_TOKEN = saved;
    }
  });

  test("an allowed variable is used, and treated as a secret for its secret-like name", () => {
    const w = loadSpecObject(spec, { env: { GITHUB_TOKEN: RUNNER_TOKEN } });
    expect(w.tasks.at(0)!.env).toEqual({ TOKEN: RUNNER_TOKEN });
    expect(w.secrets).toContain(RUNNER_TOKEN);
  });
});

describe("errors from deep in the client reach the caller redacted", () => {
  // Characters that URL-encode differently, so that the encoded form must be hidden too.
  const PASSWORD = "p@ss/w0rd+registry-Secret";
  const ACCOUNT_KEY = Buffer.from("the account key of this test, 32 bytes long!").toString("base64");
  const registrySpec = merge(baseSpec(), {
    pool: { container: { type: "dockerCompatible", registries: [{ server: "myacr.azurecr.io", username: "puller", password: "{{ env.REG_PASSWORD }}" }] } },
  });
  const workload = () => loadSpecObject(registrySpec, { env: { REG_PASSWORD: PASSWORD } });
  const secretsIn = (text: string) => [PASSWORD, encodeURIComponent(PASSWORD), ACCOUNT_KEY].filter((s) => text.includes(s));

  test("a service that echoes the failing request (password in the body) into its error", async () => {
    const server = await startServer((req, res) => {
      if (req.method === "GET") return sendJson(res, 404, batchError("PoolNotFound", "The specified pool does not exist."));
      // A verbose proxy or service: the request body (with the registry password) and the
      // password URL-encoded, in the message and in the values.
      return sendJson(
        res,
        400,
        batchError("InvalidPropertyValue", `Rejected body ${req.body} (encoded ${encodeURIComponent(PASSWORD)})`, [{ key: "Body", value: req.body }]),
        { "request-id": "rid-echo" },
      );
    });
    toClose.push(server.close);
    const client = new BatchClient({ accountUrl: server.url, auth: { kind: "sharedKey", accountName: "acct", accountKey: ACCOUNT_KEY } });
    toClose.push(() => client.close());

    const error = await runWorkload(client, workload(), silentReporter, { checkImage: false }).catch((e) => e);
    expect(server.requests.some((r) => r.body.includes(PASSWORD))).toBe(true); // the secret really was in the failing request
    expect(error).toBeInstanceOf(BatchServiceError);
    expect(error).toMatchObject({ code: "InvalidPropertyValue", statusCode: 400, requestId: "rid-echo" });
    expect(classifyError(error)).toBe("service");
    for (const text of [error.message, error.stack, error.serviceMessage, JSON.stringify(error.values)]) {
      expect(secretsIn(text)).toEqual([]);
      expect(text).toContain("<redacted>");
    }
  });

  test("an error thrown inside the pipeline that quotes the account key and the password", async () => {
    const server = await startServer((_req, res) => sendJson(res, 404, batchError("PoolNotFound", "The specified pool does not exist.")));
    toClose.push(server.close);
    // A policy after authentication that fails on the create, quoting what it had in hand.
    const leaky: PipelinePolicy = {
      name: "leaky",
      async sendRequest(request, next) {
        if (request.method === "POST") {
          throw new Error(`could not send ${request.body} with key ${ACCOUNT_KEY} (${request.headers.authorization})`, {
            cause: new Error(`inner: ${PASSWORD}`),
          });
        }
        return next(request);
      },
    };
    const client = new BatchClient({ accountUrl: server.url, auth: { kind: "sharedKey", accountName: "acct", accountKey: ACCOUNT_KEY }, policies: [leaky] });
    toClose.push(() => client.close());

    for (const call of [
      () => runWorkload(client, workload(), silentReporter, { checkImage: false }),
      () => submitTasks(client, workload(), undefined, { checkImage: false }),
    ]) {
      const error = await call().catch((e) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toContain("could not send");
      expect(secretsIn(`${error.message}\n${error.stack}\n${error.cause.message}`)).toEqual([]);
      expect(error.message).toMatch(/SharedKey <redacted>/);
    }
  });

  test("a bearer token the client obtained, echoed bare by the service", async () => {
    const TOKEN = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL2JhdGNoLmNvcmUud2luZG93cy5uZXQvIn0.c2lnbmF0dXJl";
    const scopes: string[] = [];
    // A TokenCredential as @azure/identity defines it; Entra ID itself cannot run here.
    const credential = {
      getToken: async (scope: string | string[]) => (scopes.push(String(scope)), { token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
    const server = await startServer((req, res) => {
      const token = String(req.headers.authorization).replace(/^Bearer /, "");
      return sendJson(res, 401, batchError("InvalidAuthenticationInfo", `token ${token} is not valid for this account`), { "request-id": "rid-401" });
    });
    toClose.push(server.close);
    const client = createBatchClient({ accountUrl: server.url, credential });
    toClose.push(() => client.close());
    const error = await runWorkload(client, workload(), silentReporter, { checkImage: false }).catch((e) => e);
    expect(scopes).toEqual(["https://batch.core.windows.net//.default"]);
    expect(error).toBeInstanceOf(BatchServiceError);
    expect(classifyError(error)).toBe("auth");
    expect(`${error.message}\n${error.stack}\n${error.serviceMessage}`).not.toContain(TOKEN);
    expect(error.message).toContain("token <redacted> is not valid");
  });
});
