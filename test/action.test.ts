/**
 * The bundled Action itself (`node dist/action/index.js`), run the way the runner runs it: every
 * input as INPUT_* (defaults from action.yml), GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE
 * files, GITHUB_EVENT_PATH, and the post step given the state main saved as STATE_*.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { BUSYBOX } from "../local-batch/images/busyboxImage.js";
import { processExecutor } from "../local-batch/runtime/executors.js";
import { containersMissing, startRegistry } from "./helpers/containers.js";
import { LocalBatchService } from "../local-batch/service.js";

const ROOT = new URL("..", import.meta.url).pathname;
const run = promisify(execFile);
const BUNDLE = join(ROOT, "dist/action/index.js");
const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as { inputs: Record<string, { default?: string }>; outputs: Record<string, unknown> };
const work = mkdtempSync(join(tmpdir(), "azbr-action-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

/** `name<<delimiter` blocks (GITHUB_OUTPUT, GITHUB_STATE) as the runner reads them. */
function readCommandFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(path)) return out;
  const lines = readFileSync(path, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join("\n");
  }
  return out;
}

interface Step {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

function runStep(dir: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}, state: Record<string, string> = {}, onStart?: (child: ChildProcess) => void): Promise<Step> {
  const files = { GITHUB_OUTPUT: join(dir, "output"), GITHUB_STATE: join(dir, `state-${Object.keys(state).length ? "post" : "main"}`), GITHUB_STEP_SUMMARY: join(dir, "summary.md"), GITHUB_EVENT_PATH: join(dir, "event.json") };
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify({ repository: { full_name: "octo/render" } }));
  // The runner creates the command files before the step runs.
  for (const f of [files.GITHUB_OUTPUT, files.GITHUB_STATE, files.GITHUB_STEP_SUMMARY]) writeFileSync(f, "");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...files,
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    GITHUB_REF: "refs/heads/main",
    GITHUB_REPOSITORY: "octo/render",
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_NUMBER: "7",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_ACTOR: "octocat",
    GITHUB_EVENT_NAME: "push",
    GITHUB_WORKFLOW: "render",
    GITHUB_JOB: "batch",
    GITHUB_SERVER_URL: "https://github.com",
    RUNNER_TEMP: dir,
    ...extraEnv,
  };
  for (const [name, spec] of Object.entries(action.inputs)) env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? spec.default ?? "";
  for (const [name, value] of Object.entries(state)) env[`STATE_${name}`] = value;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUNDLE], { env, cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stdout += d));
    onStart?.(child);
    child.once("exit", (code) => resolve({ code, stdout, outputs: readCommandFile(files.GITHUB_OUTPUT), state: readCommandFile(files.GITHUB_STATE), summary: existsSync(files.GITHUB_STEP_SUMMARY) ? readFileSync(files.GITHUB_STEP_SUMMARY, "utf8") : "" }));
  });
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
    writeFileSync(file, spec([{ id: "t{{ item }}", command: "/bin/sh -c 'echo {{ github.sha }} $STAGE'", env: { STAGE: "{{ env.STAGE }}" }, forEach: { range: [1, 3] } }]));
    const main = await runStep(dir, { spec: file, mode: "local", vars: "a=1" }, { STAGE: "ci" });
    expect({ code: main.code, out: main.code ? main.stdout : "" }).toEqual({ code: 0, out: "" });
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
    writeFileSync(file, spec([{ id: "bad", command: "/bin/sh -c 'echo broken input >&2; exit 4'" }, { id: "good", command: "/bin/true" }]));
    const main = await runStep(dir, { spec: file, mode: "local" });
    expect(main.code).toBe(1);
    expect(main.stdout).toMatch(/::error title=Batch task bad failed::task bad failed \(exit code 4\)/);
    expect(main.stdout).toMatch(/::group::bad: the last lines of stderr\.txt\n(.*\n)*broken input\n::endgroup::/);
    expect(main.stdout).toContain("::error::tasks failed: 1 task of job gh-4242-1 failed");
    expect(main.outputs).toMatchObject({ "tasks-succeeded": "1", "tasks-failed": "1" });
  }, 60_000);

  test("mode azure with an account key: post cleans up what main created; a SIGTERM mid-wait still ends the job", async () => {
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
          child.kill("SIGTERM");
        }
      }, 50);
      child.once("exit", () => clearInterval(poll));
    });
    // The mask command is how the runner learns the secret; nothing else may show it.
    const shown = (text: string) => text.split("\n").filter((l) => !l.startsWith("::add-mask::")).join("\n");
    expect(main.stdout).toContain(`::add-mask::${key}`);
    expect(shown(main.stdout)).not.toContain(key);
    const job = service.jobs.get("gh-4242-1")!;
    expect(job.state).toBe("completed"); // main's own cancellation terminated it
    const post = await runStep(dir, inputs, {}, main.state);
    expect(post.code).toBe(0);
    expect(post.stdout).toContain("deleted job gh-4242-1");
    expect(post.stdout).toContain("deleted pool gh-pool");
    expect(service.jobs.size).toBe(0);
    expect(service.pools.size).toBe(0);
    expect(shown(`${main.stdout}${post.stdout}`) + JSON.stringify(main.state)).not.toContain(key);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
});

describe.skipIf(containersMissing)("the bundled Action building its image", () => {
  test("builds, pushes to the private registry, runs the tasks by digest in containers", async () => {
    const registry = await startRegistry();
    toClose.push(() => registry.stop());
    const dir = mkdtempSync(join(work, "build-"));
    const context = join(dir, "context");
    (await import("node:fs")).mkdirSync(context);
    copyFileSync(BUSYBOX!, join(context, "busybox"));
    writeFileSync(join(context, "Dockerfile"), 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nRUN echo built-into-the-image > /stamp\n');
    const file = join(dir, "spec.json");
    writeFileSync(
      file,
      JSON.stringify({
        pool: { id: "built", vmSize: "Standard_D2s_v3", image: { publisher: "microsoft-azure-batch", offer: "ubuntu-server-container", sku: "20-04-lts" }, container: { type: "dockerCompatible" } },
        job: { id: "built-{{ github.run_id }}" },
        tasks: { list: [{ id: "t", image: "{{ build.image }}", command: "/bin/sh -c 'cat /stamp'" }] },
      }),
    );
    const main = await runStep(dir, { spec: file, mode: "local", context, registry: registry.host, repository: "render", tags: "v1", "registry-username": registry.username, "registry-password": registry.password }, { DOCKER_CONFIG: join(dir, "docker-config") });
    expect({ code: main.code, tail: main.code ? main.stdout.split("\n").slice(-8) : [] }).toEqual({ code: 0, tail: [] });
    expect(main.outputs.image).toBe(`${registry.host}/render:v1`);
    expect(main.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(main.outputs["tasks-succeeded"]).toBe("1");
    expect(main.summary).toContain(`run as <code>${registry.host}/render@${main.outputs.digest}</code>`);
    const shown = main.stdout.split("\n").filter((l) => !l.startsWith("::add-mask::")).join("\n");
    expect(shown).not.toContain(registry.password);
    await run("docker", ["rmi", "--force", `${registry.host}/render:v1`]).catch(() => undefined);
  }, 120_000);
});

describe("action.yml and the README agree", () => {
  test("every input and output is in the README's tables, and nothing else is", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## The GitHub Action"), readme.indexOf("\n## ", readme.indexOf("## The GitHub Action") + 5));
    const names = (heading: string) => {
      const table = section.slice(section.indexOf(heading));
      return [...table.slice(0, table.indexOf("\n\n", table.indexOf("|---"))).matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    };
    expect(names("| input |")).toEqual(Object.keys(action.inputs));
    expect(names("| output |")).toEqual(Object.keys(action.outputs));
  });
});
