/**
 * The bundled Action itself (`node dist/action/index.js`), run the way the runner runs it: every
 * input as INPUT_* (defaults from action.yml), GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE
 * files, GITHUB_EVENT_PATH, and the post step given the state main saved as STATE_*.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { BUSYBOX } from "../../local-batch/images/busyboxImage.js";
import { dockerExecutor, processExecutor } from "../../local-batch/runtime/executors.js";
import { containersMissing, startRegistry } from "../helpers/containers.js";
import { opensslMissing } from "../helpers/requirements.js";
import { action, runStep } from "../helpers/actionRunner.js";
import { startAcrStandIn } from "../helpers/acrStandIn.js";
import { startEntraStandIn } from "../helpers/entraStandIn.js";
import { LocalBatchService } from "../../local-batch/service.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "azbr-action-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

/** A build context: busybox-static FROM scratch (no public registry here), and more Dockerfile lines. */
function busyboxContext(dir: string, lines: string[] = []): string {
  const context = join(dir, "context");
  mkdirSync(context);
  copyFileSync(BUSYBOX!, join(context, "busybox"));
  writeFileSync(
    join(context, "Dockerfile"),
    ["FROM scratch", "COPY busybox /bin/busybox", 'RUN ["/bin/busybox", "--install", "-s", "/bin"]', ...lines, ""].join("\n"),
  );
  return context;
}

/** A spec file whose one task runs the image the Action builds (`{{ build.image }}`) on a container pool. */
function builtImageSpec(dir: string, command: string): string {
  const file = join(dir, "spec.json");
  writeFileSync(
    file,
    JSON.stringify({
      pool: {
        id: "built",
        vmSize: "Standard_D2s_v3",
        image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2404" },
        container: { type: "dockerCompatible" },
      },
      job: { id: "built-{{ github.run_id }}" },
      tasks: { list: [{ id: "t", image: "{{ build.image }}", command }] },
    }),
  );
  return file;
}

const spec = (tasks: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    pool: { id: "gh-pool", vmSize: "Standard_D2s_v3", image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" }, taskSlotsPerNode: 2 },
    job: { id: "gh-{{ github.run_id }}-{{ github.run_attempt }}" },
    tasks: { list: tasks },
    ...extra,
  });

describe("the bundled Action", () => {
  test("mode local: runs the spec with the GitHub context, writes outputs, a result file and the summary", async () => {
    const dir = mkdtempSync(join(work, "local-"));
    const file = join(dir, "spec.json");
    writeFileSync(
      file,
      spec([{ id: "t{{ item }}", command: "/bin/sh -c 'echo {{ github.sha }} $STAGE'", env: { STAGE: "{{ env.STAGE }}" }, forEach: { range: [1, 3] } }]),
    );
    const main = await runStep(dir, { spec: file, mode: "local", vars: "a=1", follow: "t2" }, { STAGE: "ci" });
    expect({ code: main.code, out: main.code ? main.stdout : "" }).toEqual({ code: 0, out: "" });
    // The chosen task's output, streamed into the log as it ran, marked with its task: once, and only its own.
    // ($STAGE is a secret by flow, but "ci" is below the length a redactor hides: a two-letter value would hide every "ci" in a log.)
    expect(main.stdout.match(/^\[t2\] [0-9a-f]{40} ci$/gm)).toHaveLength(1);
    expect(main.stdout).not.toMatch(/^\[t[13]\]/m);
    expect(main.outputs).toMatchObject({ "pool-id": "gh-pool", "job-id": "gh-4242-1", "tasks-total": "3", "tasks-succeeded": "3", "tasks-failed": "0" });
    const result = JSON.parse(readFileSync(main.outputs.result!, "utf8"));
    expect(result.tasks.map((t: { id: string; result: string }) => `${t.id}:${t.result}`).sort()).toEqual(["t1:success", "t2:success", "t3:success"]);
    expect(main.summary).toContain("<h2>Azure Batch: job gh-4242-1</h2>");
    expect(main.summary).toMatch(/<table>.*<th>task<\/th>.*<td>t1<\/td><td>succeeded<\/td><td>0<\/td>/s);
    expect(main.stdout).toMatch(/tasks: 3\/3 completed/);
    // The post step has nothing to do for the local service, which ended with main.
    const post = await runStep(dir, { spec: file, mode: "local" }, {}, main.state);
    expect(post.code).toBe(0);
    expect(post.stdout).not.toMatch(/::warning::/);
  }, 60_000);

  test("what the account says of the image (here: unverified) is a warning annotation and in the summary's warnings", async () => {
    const dir = mkdtempSync(join(work, "warn-"));
    const file = join(dir, "spec.json");
    const rocky = JSON.parse(spec([{ id: "t", command: "/bin/true" }]));
    rocky.pool.image = { publisher: "resf", offer: "rockylinux-x86_64", sku: "9-base" };
    writeFileSync(file, JSON.stringify(rocky));
    const main = await runStep(dir, { spec: file, mode: "local" });
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/::warning::pool\.image: resf \/ rockylinux-x86_64 \/ 9-base is unverified with node agent "batch\.node\.el 9"/);
    expect(main.summary).toMatch(/<h3>Warnings<\/h3>\s*<ul>\s*<li>pool\.image: resf \/ rockylinux-x86_64 \/ 9-base is unverified/);
  }, 60_000);

  test("the runner's own variables are not the spec's unless env-allow names them", async () => {
    const dir = mkdtempSync(join(work, "allow-"));
    const file = join(dir, "spec.json");
    writeFileSync(file, spec([{ id: "t", command: "/bin/true", env: { TOKEN: "{{ env.GITHUB_TOKEN }}" } }]));
    const token = "ghs_runnerOwnTokenValue0123456789";
    const refused = await runStep(dir, { spec: file, mode: "local" }, { GITHUB_TOKEN: token });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('::error::invalid input: tasks.list[0].env.TOKEN: unknown variable "env.GITHUB_TOKEN"');
    expect(refused.stdout).toContain("name it in the env-allow input");
    expect(refused.stdout).not.toContain(token);
    const allowed = await runStep(dir, { spec: file, mode: "local", "env-allow": "GITHUB_TOKEN" }, { GITHUB_TOKEN: token });
    expect(allowed.code).toBe(0);
    // It flows into a task's environment: a secret, masked before anything could print it.
    expect(allowed.stdout).toContain(`::add-mask::${token}`);
    expect(allowed.stdout.replace(`::add-mask::${token}`, "")).not.toContain(token);
  }, 60_000);

  test("a failed task: an error annotation naming it, its stderr in a group, exit 1, outputs written first", async () => {
    const dir = mkdtempSync(join(work, "fail-"));
    const file = join(dir, "spec.json");
    writeFileSync(
      file,
      spec([
        { id: "bad", command: "/bin/sh -c 'echo broken input >&2; exit 4'" },
        { id: "good", command: "/bin/true" },
      ]),
    );
    const main = await runStep(dir, { spec: file, mode: "local" });
    expect(main.code).toBe(1);
    expect(main.stdout).toMatch(/::error title=Batch task bad failed::task bad failed \(exit code 4\)/);
    expect(main.stdout).toMatch(/::group::bad: the last lines of stderr\.txt\n(.*\n)*broken input\n::endgroup::/);
    expect(main.stdout).toContain("::error::tasks failed: 1 task of job gh-4242-1 failed");
    expect(main.outputs).toMatchObject({ "tasks-succeeded": "1", "tasks-failed": "1" });
  }, 60_000);

  test.each([
    ["SIGTERM", "had already ended"],
    ["SIGKILL", "terminated"],
  ] as const)(
    "mode azure with an account key, %s mid-wait: post ends the job if main could not, and cleans up what main created",
    async (signal, postSays) => {
      const key = Buffer.from("action test key").toString("base64");
      const dataDir = mkdtempSync(join(work, "service-"));
      const service = new LocalBatchService({ accountName: "local", accountKey: key, dataDir, executor: processExecutor() });
      const url = await service.listen();
      toClose.push(() => service.close());
      const dir = mkdtempSync(join(work, "azure-"));
      const file = join(dir, "spec.json");
      writeFileSync(file, spec([{ id: "slow", command: "/bin/sleep 30" }]));
      const inputs = { spec: file, "account-url": url, "account-key": key, "account-name": "local" };
      const main = await runStep(dir, inputs, {}, {}, (child) => {
        const poll = setInterval(() => {
          if ([...service.jobs.values()].some((j) => [...j.tasks.values()].some((t) => t.state === "running"))) {
            clearInterval(poll);
            child.kill(signal);
          }
        }, 50);
        child.once("exit", () => clearInterval(poll));
      });
      // The mask command is how the runner learns the secret; nothing else may show it.
      const shown = (text: string) =>
        text
          .split("\n")
          .filter((l) => !l.startsWith("::add-mask::"))
          .join("\n");
      expect(main.stdout).toContain(`::add-mask::${key}`);
      expect(shown(main.stdout)).not.toContain(key);
      const job = service.jobs.get("gh-4242-1")!;
      // A SIGTERM lets main terminate the job itself; after a SIGKILL only post can.
      expect(job.state).toBe(signal === "SIGTERM" ? "completed" : "active");
      const post = await runStep(dir, inputs, {}, main.state);
      expect(post.code).toBe(0);
      expect(post.stdout).toContain(`job gh-4242-1: ${postSays}`);
      expect(post.stdout).toContain("deleted job gh-4242-1");
      expect(post.stdout).toContain("deleted pool gh-pool");
      expect(service.jobs.size).toBe(0);
      expect(service.pools.size).toBe(0);
      expect(shown(`${main.stdout}${post.stdout}`) + JSON.stringify(main.state)).not.toContain(key);
      rmSync(dataDir, { recursive: true, force: true });
    },
    60_000,
  );
});

describe.skipIf(opensslMissing)("signing in with GitHub OIDC", () => {
  test("the runner's ID token, exchanged with Entra ID by @azure/identity, signs the Batch calls; no token shows", async () => {
    const dir = mkdtempSync(join(work, "oidc-"));
    const entra = await startEntraStandIn(dir);
    toClose.push(() => entra.close());
    const dataDir = mkdtempSync(join(work, "oidc-service-"));
    const seen: string[] = [];
    // Entra ID is a stand-in: the local service takes any bearer token in its dev mode, and records it.
    const service = new LocalBatchService({
      accountName: "local",
      accountKey: Buffer.from("unused").toString("base64"),
      dataDir,
      executor: processExecutor(),
      acceptBearer: true,
      onExchange: (e) => seen.push(e.requestHeaders.authorization ?? ""),
    });
    const url = await service.listen();
    toClose.push(() => service.close());
    const file = join(dir, "spec.json");
    writeFileSync(file, spec([{ id: "t", command: "/bin/true" }]));
    const main = await runStep(
      dir,
      { spec: file, "account-url": url, "client-id": entra.clientId, "tenant-id": entra.tenant },
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: entra.idTokenUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: entra.idTokenRequestToken,
        AZURE_AUTHORITY_HOST: entra.authorityHost,
        NODE_EXTRA_CA_CERTS: entra.caFile,
      },
    );
    expect({ code: main.code, tail: main.code ? main.stdout.split("\n").slice(-6) : [] }).toEqual({ code: 0, tail: [] });
    expect(main.outputs["tasks-succeeded"]).toBe("1");
    // The runner was asked for an ID token for Entra's audience, with the runner's request token.
    expect(entra.idTokenRequests[0]).toEqual({ audience: "api://AzureADTokenExchange", authorization: `Bearer ${entra.idTokenRequestToken}` });
    // Entra got a client credentials grant with that assertion, for the Batch scope (double slash).
    expect(entra.tokenRequests.map((r) => r.scope)).toContain("https://batch.core.windows.net//.default");
    const batchToken = entra.accessTokenFor("https://batch.core.windows.net//.default");
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every((a) => a === `Bearer ${batchToken}`)).toBe(true);
    expect(main.stdout).not.toContain(batchToken);
    expect(main.stdout).not.toContain(entra.idTokenRequestToken);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
});

describe.skipIf(opensslMissing)("other clouds", () => {
  test("environment and audience: the ID token is asked for the audience given, and the Batch token for that cloud's scope", async () => {
    const dir = mkdtempSync(join(work, "cloud-"));
    const entra = await startEntraStandIn(dir);
    toClose.push(() => entra.close());
    const dataDir = mkdtempSync(join(work, "cloud-service-"));
    const service = new LocalBatchService({
      accountName: "local",
      accountKey: Buffer.from("unused").toString("base64"),
      dataDir,
      executor: processExecutor(),
      acceptBearer: true,
    });
    const url = await service.listen();
    toClose.push(() => service.close());
    const file = join(dir, "spec.json");
    writeFileSync(file, spec([{ id: "t", command: "/bin/true" }]));
    const main = await runStep(
      dir,
      {
        spec: file,
        "account-url": url,
        "client-id": entra.clientId,
        "tenant-id": entra.tenant,
        environment: "AzureUSGovernment",
        audience: "api://AzureADTokenExchangeUSGov",
      },
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: entra.idTokenUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: entra.idTokenRequestToken,
        AZURE_AUTHORITY_HOST: entra.authorityHost,
        NODE_EXTRA_CA_CERTS: entra.caFile,
      },
    );
    expect({ code: main.code, tail: main.code ? main.stdout.split("\n").slice(-6) : [] }).toEqual({ code: 0, tail: [] });
    expect(entra.idTokenRequests[0]?.audience).toBe("api://AzureADTokenExchangeUSGov");
    expect(entra.tokenRequests.map((r) => r.scope)).toContain("https://batch.core.usgovcloudapi.net//.default");
    expect(entra.tokenRequests.map((r) => r.scope)).not.toContain("https://batch.core.windows.net//.default");
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  test("an account of another cloud than environment says is invalid input, before any request", async () => {
    const dir = mkdtempSync(join(work, "cloud-mismatch-"));
    const file = join(dir, "spec.json");
    writeFileSync(file, spec([{ id: "t", command: "/bin/true" }]));
    const main = await runStep(dir, {
      spec: file,
      "account-url": "https://acct.chinaeast2.batch.chinacloudapi.cn",
      "account-key": Buffer.from("k").toString("base64"),
      environment: "AzureCloud",
    });
    expect(main.stdout.split("\n").filter((l) => l.startsWith("::error"))).toEqual([
      "::error::invalid input: input environment is AzureCloud, but the account acct.chinaeast2.batch.chinacloudapi.cn is in AzureChinaCloud: set environment: AzureChinaCloud",
    ]);
    const bad = await runStep(dir, { spec: file, mode: "local", environment: "Mars" });
    expect(bad.stdout).toMatch(/::error::invalid input: input environment: "Mars" is not one of AzureCloud, AzureUSGovernment, AzureChinaCloud/);
  });
});

describe("secrets in everything the Action writes", () => {
  test("stdout and stderr, the summary, the outputs, the state and the result file hold none, raw, URL-encoded or base64", async () => {
    const key = Buffer.from("action secrets test key!").toString("base64");
    const secrets = { DBPW: "db/Pass+word=42", API_TOKEN: "tok-abcdef0123456789", QS: "sv=2024-01-01&sp=rw&sig=SecretSig%3D" };
    const dataDir = mkdtempSync(join(work, "secrets-service-"));
    const service = new LocalBatchService({ accountName: "local", accountKey: key, dataDir, executor: processExecutor() });
    const url = await service.listen();
    toClose.push(() => service.close());
    const dir = mkdtempSync(join(work, "secrets-"));
    const file = join(dir, "spec.json");
    writeFileSync(
      file,
      spec([
        {
          id: "leaky",
          command: '/bin/sh -c \'echo "$DB_PASSWORD $TOKEN"; echo "$DB_PASSWORD" >&2; exit 2\'',
          env: { DB_PASSWORD: "{{ env.DBPW }}", TOKEN: "{{ env.API_TOKEN }}" },
          outputs: [{ pattern: "*.txt", container: "https://acct.blob.core.windows.net/out?{{ env.QS }}", when: "taskSuccess" }],
        },
      ]),
    );
    const inputs = { spec: file, "account-url": url, "account-key": key, "account-name": "local" };
    const main = await runStep(dir, inputs, secrets);
    expect(main.code).toBe(1);
    const post = await runStep(dir, inputs, secrets, main.state);
    const files = [main.outputs.result!, join(dir, "summary.md"), join(dir, "output"), join(dir, "state-main"), join(dir, "state-post")].map((f) =>
      readFileSync(f, "utf8"),
    );
    const shown = [main.stdout, post.stdout]
      .join("\n")
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    const forms = (v: string) => [v, encodeURIComponent(v), Buffer.from(v).toString("base64")];
    const leaks = [...Object.values(secrets), key].flatMap((v) => forms(v).filter((f) => [shown, ...files].some((t) => t.includes(f))));
    expect(leaks).toEqual([]);
    // What is redacted was there to redact: the failed task printed its secrets.
    expect(main.stdout).toMatch(/::group::leaky: the last lines of stderr\.txt\n<redacted>\n::endgroup::/);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
});

describe.skipIf(containersMissing)("the bundled Action building its image", () => {
  test("builds, pushes to the private registry, runs the tasks by digest in containers", async () => {
    const registry = await startRegistry();
    toClose.push(() => registry.stop());
    const dir = mkdtempSync(join(work, "build-"));
    const context = busyboxContext(dir, ["RUN echo built-into-the-image > /stamp"]);
    const file = builtImageSpec(dir, "/bin/sh -c 'cat /stamp'");
    const main = await runStep(
      dir,
      {
        spec: file,
        mode: "local",
        context,
        registry: registry.host,
        repository: "render",
        tags: "v1",
        "registry-username": registry.username,
        "registry-password": registry.password,
      },
      { DOCKER_CONFIG: join(dir, "docker-config") },
    );
    expect({ code: main.code, tail: main.code ? main.stdout.split("\n").slice(-8) : [] }).toEqual({ code: 0, tail: [] });
    expect(main.outputs.image).toBe(`${registry.host}/render:v1`);
    expect(main.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(main.outputs["tasks-succeeded"]).toBe("1");
    expect(main.summary).toContain(`run as <code>${registry.host}/render@${main.outputs.digest}</code>`);
    const shown = main.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    expect(shown).not.toContain(registry.password);
    await run("docker", ["rmi", "--force", `${registry.host}/render:v1`]).catch(() => undefined);
  }, 120_000);
});

describe.skipIf(containersMissing)("the bundled Action and an image already pushed, or input that cannot be built", () => {
  const catalog = async (registry: { host: string; username: string; password: string }) => {
    const response = await fetch(`http://${registry.host}/v2/_catalog`, {
      headers: { authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString("base64")}` },
    });
    return ((await response.json()) as { repositories: string[] }).repositories;
  };
  const builtSpec = (dir: string) => builtImageSpec(dir, "/bin/sh -c 'grep -q first /stamp'");

  test("rebuild: false runs the digest the registry has for the tag, without building; a tag it lacks is built", async () => {
    const registry = await startRegistry();
    toClose.push(() => registry.stop());
    const dir = mkdtempSync(join(work, "rebuild-"));
    const context = busyboxContext(dir, ["RUN echo first > /stamp"]);
    const file = builtSpec(dir);
    const inputs = {
      spec: file,
      mode: "local",
      context,
      registry: registry.host,
      repository: "render",
      tags: "v1",
      platforms: "linux/amd64",
      "registry-username": registry.username,
      "registry-password": registry.password,
    };
    const env = { DOCKER_CONFIG: join(dir, "docker-config") };
    const first = await runStep(dir, inputs, env);
    expect({ code: first.code, tail: first.code ? first.stdout.split("\n").slice(-8) : [] }).toEqual({ code: 0, tail: [] });
    // The Dockerfile changes and the engine forgets the image: with rebuild false, what runs is what the registry has.
    writeFileSync(join(context, "Dockerfile"), readFileSync(join(context, "Dockerfile"), "utf8").replace("echo first", "echo second"));
    await run("docker", ["rmi", "--force", `${registry.host}/render:v1`]);
    const again = await runStep(dir, { ...inputs, rebuild: "false" }, env);
    expect({
      code: again.code,
      tail: again.code
        ? again.stdout
            .split("\n")
            .filter((l) => !l.startsWith("::debug::"))
            .slice(-30)
        : [],
    }).toEqual({ code: 0, tail: [] });
    expect(again.stdout).toContain(`${registry.host}/render:v1 is already in the registry: not rebuilt`);
    expect(again.stdout).not.toMatch(/^building /m);
    expect(again.outputs.digest).toBe(first.outputs.digest);
    expect(again.outputs["tasks-succeeded"]).toBe("1");
    expect(again.summary).toContain("(already in the registry)");
    // A tag the registry does not have is built, from the changed Dockerfile: the task's check fails.
    const other = await runStep(dir, { ...inputs, tags: "v2", rebuild: "false", "fail-on-task-failure": "false" }, env);
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/^building .*render:v2/m);
    expect(other.outputs.digest).not.toBe(first.outputs.digest);
    expect(other.outputs["tasks-failed"]).toBe("1");
    await run("docker", ["rmi", "--force", `${registry.host}/render:v1`, `${registry.host}/render:v2`]).catch(() => undefined);
  }, 180_000);

  test("a bad spec, or platforms this engine cannot build, fail before anything is built or pushed", async () => {
    const registry = await startRegistry();
    toClose.push(() => registry.stop());
    const dir = mkdtempSync(join(work, "refused-"));
    const context = busyboxContext(dir);
    const inputs = {
      spec: builtSpec(dir),
      mode: "local",
      context,
      registry: registry.host,
      repository: "refused",
      tags: "v1",
      "registry-username": registry.username,
      "registry-password": registry.password,
    };
    const env = { DOCKER_CONFIG: join(dir, "docker-config") };
    const badSpec = join(dir, "bad.json");
    writeFileSync(badSpec, JSON.stringify({ ...JSON.parse(readFileSync(inputs.spec, "utf8")), job: { id: "has spaces" } }));
    const bad = await runStep(dir, { ...inputs, spec: badSpec }, env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/::error::invalid input: .*job\.id/);
    const platforms = await runStep(dir, { ...inputs, platforms: "linux/amd64,linux/arm64" }, env);
    expect(platforms.code).toBe(1);
    expect(platforms.stdout).toMatch(/::error::invalid input: input platforms: building for linux\/amd64, linux\/arm64 needs docker buildx/);
    const tag = await runStep(dir, { ...inputs, tags: "-v1" }, env);
    expect(tag.stdout).toMatch(/::error::invalid input: input tags: "-v1" is not a tag/);
    for (const step of [bad, platforms, tag]) expect(step.stdout).not.toMatch(/^building /m);
    expect(await catalog(registry)).toEqual([]);
    await expect(run("docker", ["image", "inspect", `${registry.host}/refused:v1`])).rejects.toThrow();
  }, 120_000);
});

describe.skipIf(containersMissing)("the bundled Action when the build fails, and its registry login", () => {
  test("a failing build step: a build failure (not a service error), its log in a group, its last lines in the one annotation; post logs out of the registry", async () => {
    const registry = await startRegistry();
    toClose.push(() => registry.stop());
    const dir = mkdtempSync(join(work, "build-fails-"));
    const context = busyboxContext(dir, ["RUN echo the compiler says: missing semicolon >&2 && exit 7"]);
    const inputs = {
      spec: builtImageSpec(dir, "/bin/true"),
      mode: "local",
      context,
      registry: registry.host,
      repository: "broken",
      tags: "v1",
      "registry-username": registry.username,
      "registry-password": registry.password,
    };
    const env = { DOCKER_CONFIG: join(dir, "docker-config") };
    const main = await runStep(dir, inputs, env);
    expect(main.code).toBe(1);
    const annotations = main.stdout.split("\n").filter((l) => l.startsWith("::error"));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatch(/^::error::build failed: docker build failed \(exit \d+\):/);
    expect(annotations[0]).toContain("missing semicolon");
    expect(annotations[0]).not.toContain("DEPRECATED");
    expect(main.stdout).toMatch(/::group::the failing build step's log\n[\s\S]*\nthe compiler says: missing semicolon\n[\s\S]*::endgroup::/);
    expect(main.summary).toContain("outcome: <b>build failed</b>");
    // Logged in by main, logged out by post: no credential of the registry stays in DOCKER_CONFIG.
    const auths = () =>
      Object.keys((JSON.parse(readFileSync(join(env.DOCKER_CONFIG, "config.json"), "utf8")) as { auths?: Record<string, unknown> }).auths ?? {});
    expect(auths()).toContain(registry.host);
    const post = await runStep(dir, inputs, env, main.state);
    expect(post.code).toBe(0);
    expect(post.stdout).toContain(`logged out of ${registry.host}`);
    expect(auths()).not.toContain(registry.host);
    expect(post.stdout).not.toContain("::warning::cleanup");
  }, 120_000);
});

describe.skipIf(containersMissing ?? opensslMissing)("pushing to ACR with the workflow's Entra identity", () => {
  test("OIDC, then the registry's token exchange: built, pushed, pulled by the nodes with the exchanged token, run", async () => {
    const dir = mkdtempSync(join(work, "acr-oidc-"));
    const entra = await startEntraStandIn(dir);
    toClose.push(() => entra.close());
    const acr = await startAcrStandIn(entra.accessTokenFor("https://management.azure.com/.default"));
    toClose.push(() => acr.close());
    const dataDir = mkdtempSync(join(work, "acr-service-"));
    const service = new LocalBatchService({
      accountName: "local",
      accountKey: Buffer.from("unused").toString("base64"),
      dataDir,
      executor: dockerExecutor(join(dataDir, "docker-config")),
      acceptBearer: true,
    });
    const url = await service.listen();
    toClose.push(() => service.close());
    const context = busyboxContext(dir);
    const file = join(dir, "spec.json");
    writeFileSync(
      file,
      JSON.stringify({
        pool: {
          id: "acrpool",
          vmSize: "Standard_D2s_v3",
          image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2404" },
          container: { type: "dockerCompatible" },
        },
        job: { id: "acr-{{ github.run_id }}" },
        tasks: { list: [{ id: "t", image: "{{ build.image }}", command: "/bin/sh -c 'echo from ACR'" }] },
      }),
    );
    const main = await runStep(
      dir,
      { spec: file, "account-url": url, "client-id": entra.clientId, "tenant-id": entra.tenant, context, registry: acr.host, repository: "render", tags: "v2" },
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: entra.idTokenUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: entra.idTokenRequestToken,
        AZURE_AUTHORITY_HOST: entra.authorityHost,
        NODE_EXTRA_CA_CERTS: entra.caFile,
        DOCKER_CONFIG: join(dir, "docker-config"),
      },
    );
    expect({ code: main.code, tail: main.code ? main.stdout.split("\n").slice(-8) : [] }).toEqual({ code: 0, tail: [] });
    expect(acr.exchanges).toEqual([
      { grant_type: "access_token", service: acr.host, access_token: entra.accessTokenFor("https://management.azure.com/.default"), tenant: entra.tenant },
    ]);
    expect(main.outputs.digest).toMatch(/^sha256:/);
    expect(main.outputs["tasks-succeeded"]).toBe("1");
    const shown = main.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    expect(shown).not.toContain(acr.refreshToken);
    expect(main.stdout).toContain(`::add-mask::${acr.refreshToken}`);
    // rebuild: false asks the registry (its Bearer challenge, ACR's refresh-token grant) for the tag's digest.
    const again = await runStep(
      dir,
      {
        spec: file,
        "account-url": url,
        "client-id": entra.clientId,
        "tenant-id": entra.tenant,
        context,
        registry: acr.host,
        repository: "render",
        tags: "v2",
        rebuild: "false",
        "job-id": "acr-again",
      },
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: entra.idTokenUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: entra.idTokenRequestToken,
        AZURE_AUTHORITY_HOST: entra.authorityHost,
        NODE_EXTRA_CA_CERTS: entra.caFile,
        DOCKER_CONFIG: join(dir, "docker-config"),
      },
    );
    expect({ code: again.code, tail: again.code ? again.stdout.split("\n").slice(-8) : [] }).toEqual({ code: 0, tail: [] });
    expect(again.stdout).toContain("is already in the registry: not rebuilt");
    expect(again.outputs.digest).toBe(main.outputs.digest);
    expect(acr.tokenRequests).toContainEqual({ method: "POST", scope: "repository:render:pull" });
    // The post step removes what main created.
    const post = await runStep(
      dir,
      { spec: file, "account-url": url, "client-id": entra.clientId, "tenant-id": entra.tenant, registry: acr.host },
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: entra.idTokenUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: entra.idTokenRequestToken,
        AZURE_AUTHORITY_HOST: entra.authorityHost,
        NODE_EXTRA_CA_CERTS: entra.caFile,
      },
      main.state,
    );
    expect(post.code).toBe(0);
    expect(post.stdout).toContain("deleted job acr-4242");
    expect(post.stdout).toContain("deleted pool acrpool");
    expect(service.pools.size).toBe(0);
    await run("docker", ["rmi", "--force", `${acr.host}/render:v2`]).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);
});

describe("action.yml and docs/action.md agree", () => {
  test("every input and output is in the tables of docs/action.md, and nothing else is", () => {
    const section = readFileSync(join(ROOT, "docs/action.md"), "utf8");
    const names = (heading: string) => {
      const table = section.slice(section.indexOf(heading));
      return [...table.slice(0, table.indexOf("\n\n", table.indexOf("|---"))).matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    };
    expect(names("| input |")).toEqual(Object.keys(action.inputs));
    expect(names("| output |")).toEqual(Object.keys(action.outputs));
  });
});
