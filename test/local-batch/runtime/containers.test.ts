/**
 * Integration: the core CLI against the local Batch service with real containers from a private
 * registry, blob outputs in Azurite, every exchange validated with oav.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import type { CloudTask } from "../../../shared/batch/types.js";
import { BatchClient } from "../../../shared/client/batchClient.js";
import { EXIT, main } from "../../../cli/main.js";
import { dockerExecutor } from "../../../local-batch/runtime/executors.js";
import { LocalBatchService } from "../../../local-batch/service.js";
import { containersMissing, pushTestImages, startAzurite, startRegistry, type Azurite, type Registry } from "../../helpers/containers.js";
import { ExchangeRecorder } from "../../helpers/recorder.js";
import { batchSpecMissing } from "../../helpers/requirements.js";

const run = promisify(execFile);
const KEY = Buffer.from("container test key").toString("base64");

describe.skipIf(containersMissing ?? batchSpecMissing)("containers on the local Batch service", () => {
  let registry: Registry;
  let azurite: Azurite;
  let images: Awaited<ReturnType<typeof pushTestImages>>;
  let service: LocalBatchService;
  let client: BatchClient;
  let dataDir: string;
  const recorder = new ExchangeRecorder();
  const specDir = mkdtempSync(join(tmpdir(), "azbr-specs-"));

  beforeAll(async () => {
    [registry, azurite] = await Promise.all([startRegistry(), startAzurite()]);
    images = await pushTestImages(registry);
    dataDir = mkdtempSync(join(tmpdir(), "azbr-containers-"));
    service = new LocalBatchService({
      accountName: "local",
      accountKey: KEY,
      dataDir,
      executor: dockerExecutor(join(dataDir, "docker-config")),
      onExchange: recorder.record,
    });
    await service.listen();
    client = new BatchClient({ accountUrl: service.url, auth: { kind: "sharedKey", accountName: "local", accountKey: KEY } });
  }, 240_000);

  afterAll(async () => {
    await client?.close();
    await service?.close();
    await Promise.all([registry?.stop(), azurite?.stop()]);
  });

  const pool = (password = "{{ env.REG_PASSWORD }}") => ({
    id: "containers",
    vmSize: "Standard_D2s_v3",
    image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2404" },
    nodes: { dedicated: 1 },
    taskSlotsPerNode: 4,
    startTask: { command: "/bin/sh -c 'echo started on $AZ_BATCH_NODE_ID > started.txt'" },
    container: {
      type: "dockerCompatible",
      prefetch: [images.plain, images.entry],
      registries: [{ server: registry.host, username: registry.username, password }],
    },
  });

  async function cli(spec: Record<string, unknown>, extra: string[] = [], env: Record<string, string> = {}) {
    const file = join(specDir, `${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, stringify(spec));
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = "";
    let stderr = "";
    out.on("data", (d) => (stdout += d));
    err.on("data", (d) => (stderr += d));
    const code = await main(["run", file, "--account-url", service.url, "--poll-interval", "0.2", ...extra], {
      stdout: out,
      stderr: err as unknown as NodeJS.WriteStream,
      env: { AZURE_BATCH_ACCESS_KEY: KEY, AZURE_BATCH_ACCOUNT: "local", REG_PASSWORD: registry.password, ...env },
    });
    return { code, stdout, stderr };
  }

  const task = (jobId: string, id: string) => client.json<CloudTask>("GET", `/jobs/${jobId}/tasks/${id}`);
  const file = async (jobId: string, id: string, name: string) => (await client.send("GET", `/jobs/${jobId}/tasks/${id}/files/${name}`)).bodyText;
  const nodeRoot = () => join(dataDir, "pools", "containers", "nodes", "tvmps_local_containers_1");

  test("prefetch with registry credentials; ENTRYPOINT vs command line; environment; working directory", async () => {
    const r = await cli({
      pool: pool(),
      job: { id: "basics" },
      tasks: {
        defaults: { env: { MODE: "fast" } },
        list: [
          { id: "entrypoint", image: images.entry, command: "" },
          { id: "command", image: images.plain, command: "/bin/echo plain-ran" },
          { id: "env", image: images.plain, command: "/bin/sh -c 'echo $AZ_BATCH_JOB_ID/$AZ_BATCH_TASK_ID $MODE; pwd; echo $AZ_BATCH_TASK_WORKING_DIR'" },
          { id: "imagedir", image: images.plain, command: "/bin/sh -c pwd", workingDirectory: "containerImageDefault" },
          // No image: a host process on the node, which sees the start task's output.
          { id: "host", command: "/bin/cat ../../../../../startup/wd/started.txt" },
        ],
      },
    });
    expect(r.stderr).not.toContain(registry.password);
    expect(r.code).toBe(EXIT.ok);
    // The images were removed locally after the push: the pool pulled them with the credentials.
    await run("docker", ["image", "inspect", images.plain], { env: { ...process.env, DOCKER_CONFIG: join(dataDir, "docker-config") } });
    expect(await file("basics", "entrypoint", "stdout.txt")).toBe("entrypoint-ran as entrypoint\n");
    expect(await file("basics", "command", "stdout.txt")).toBe("plain-ran\n");
    const [ids, pwd, wd] = (await file("basics", "env", "stdout.txt")).trim().split("\n");
    expect(ids).toBe("basics/env fast");
    expect(pwd).toBe(wd);
    expect(pwd).toBe(join(nodeRoot(), "workitems", "basics", "job-1", "env", "wd"));
    expect(await file("basics", "imagedir", "stdout.txt")).toBe("/\n");
    expect(await file("basics", "host", "stdout.txt")).toBe("started on tvmps_local_containers_1\n");
  }, 120_000);

  test("isolation mounts: only Task cannot see shared/; read-only mounts refuse writes; dependencies order them", async () => {
    const shared = join(nodeRoot(), "shared");
    const r = await cli({
      pool: pool(),
      job: { id: "isolation" },
      tasks: {
        defaults: { image: images.plain },
        list: [
          { id: "writer", command: "/bin/sh -c 'echo hi > $AZ_BATCH_NODE_SHARED_DIR/marker'" },
          {
            id: "isolated",
            command: `/bin/sh -c 'test ! -e ${shared}/marker && test -z "$AZ_BATCH_NODE_SHARED_DIR" && echo isolated'`,
            mounts: [{ source: "Task" }],
            dependsOn: ["writer"],
          },
          {
            id: "readonly",
            command: "/bin/sh -c 'cat $AZ_BATCH_NODE_SHARED_DIR/marker && touch $AZ_BATCH_NODE_SHARED_DIR/new'",
            mounts: [{ source: "Task" }, { source: "Shared", readOnly: true }],
            dependsOn: ["writer"],
          },
        ],
      },
    });
    expect(r.code).toBe(EXIT.taskFailed);
    // The marker is there on the node, at the path the isolated task looked for, yet it saw nothing.
    expect(readFileSync(join(shared, "marker"), "utf8")).toBe("hi\n");
    expect(await file("isolation", "isolated", "stdout.txt")).toBe("isolated\n");
    const ro = await task("isolation", "readonly");
    expect(ro.executionInfo?.result).toBe("failure");
    expect(await file("isolation", "readonly", "stdout.txt")).toBe("hi\n");
    expect(await file("isolation", "readonly", "stderr.txt")).toMatch(/Read-only file system/);
    const writer = await task("isolation", "writer");
    const isolated = await task("isolation", "isolated");
    expect(Date.parse(isolated.executionInfo!.startTime!)).toBeGreaterThanOrEqual(Date.parse(writer.executionInfo!.endTime!));
  }, 120_000);

  test("exit codes, retries and the wall-clock limit", async () => {
    const started = Date.now();
    const r = await cli({
      pool: pool(),
      job: { id: "limits" },
      tasks: {
        defaults: { image: images.plain },
        list: [
          { id: "exit3", command: "/bin/sh -c 'echo attempt; exit 3'", retries: 2 },
          { id: "flaky", command: "/bin/sh -c 'test -e $AZ_BATCH_TASK_DIR/seen || { touch $AZ_BATCH_TASK_DIR/seen; exit 1; }'", retries: 1 },
          { id: "slow", command: "/bin/sleep 60", maxWallClock: "PT2S" },
        ],
      },
    });
    expect(r.code).toBe(EXIT.taskFailed);
    expect(Date.now() - started).toBeLessThan(45_000);
    const exit3 = await task("limits", "exit3");
    expect(exit3.executionInfo).toMatchObject({
      exitCode: 3,
      retryCount: 2,
      result: "failure",
      failureInfo: { category: "usererror", code: "FailureExitCode" },
    });
    expect(await file("limits", "exit3", "stdout.txt")).toBe("attempt\nattempt\nattempt\n");
    expect((await task("limits", "flaky")).executionInfo).toMatchObject({ exitCode: 0, retryCount: 1, result: "success" });
    expect((await task("limits", "slow")).executionInfo).toMatchObject({ result: "failure", failureInfo: { code: "MaxWallClockTimeExceeded" } });
    expect(r.stdout).toMatch(/FAIL slow .*MaxWallClockTimeExceeded/);
  }, 120_000);

  test("output files land in Azurite per upload condition; resource files come from it", async () => {
    const results = await azurite.containerSasUrl("results");
    const inputs = await azurite.containerSasUrl("inputs");
    const inputUrl = new URL(inputs);
    inputUrl.pathname += "/input.txt";
    await fetch(inputUrl, { method: "PUT", body: "input data\n", headers: { "x-ms-blob-type": "BlockBlob" } });
    const sas = results.split("?")[1]!;
    const r = await cli(
      {
        pool: pool(),
        job: { id: "outputs" },
        tasks: {
          defaults: { image: images.plain },
          list: [
            {
              id: "render",
              command: "/bin/sh -c 'mkdir -p out && cp in/input.txt out/copy.txt && echo done > out/result.txt'",
              resources: [{ url: inputUrl.toString(), path: "in/input.txt" }],
              outputs: [
                { pattern: "out/**", container: `${results.split("?")[0]}?{{ env.RESULTS_SAS }}`, path: "{{ task.id }}" },
                {
                  pattern: "../stdout.txt",
                  container: `${results.split("?")[0]}?{{ env.RESULTS_SAS }}`,
                  path: "logs/{{ task.id }}-failed.txt",
                  when: "taskFailure",
                },
              ],
            },
          ],
        },
      },
      [],
      { RESULTS_SAS: sas },
    );
    expect(r.stdout + r.stderr).toContain("1 succeeded, 0 failed");
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout + r.stderr).not.toMatch(/sig=/);
    expect(await azurite.readBlob("results", "render/out/result.txt")).toBe("done\n");
    expect(await azurite.readBlob("results", "render/out/copy.txt")).toBe("input data\n");
    expect(await azurite.readBlob("results", "logs/render-failed.txt")).toBeUndefined();
  }, 120_000);

  test("terminating the job stops its containers", async () => {
    const r = await cli(
      { pool: pool(), job: { id: "stopme" }, tasks: { defaults: { image: images.plain }, list: [{ id: "sleeper", command: "/bin/sleep 300" }] } },
      ["--no-wait"],
    );
    expect(r.code).toBe(EXIT.ok);
    const deadline = Date.now() + 30_000;
    while ((await task("stopme", "sleeper")).state !== "running" && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
    const dockerEnv = { ...process.env, DOCKER_CONFIG: join(dataDir, "docker-config") };
    const running = async () => (await run("docker", ["ps", "--quiet", "--filter", "label=azure-batch-run.local=1"], { env: dockerEnv })).stdout.trim();
    while (!(await running()) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
    expect(await running()).not.toBe("");
    await client.send("POST", "/jobs/stopme/terminate", { body: { terminateReason: "test" }, idempotent: true });
    while ((await task("stopme", "sleeper")).state !== "completed" && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
    expect((await task("stopme", "sleeper")).executionInfo?.failureInfo?.code).toBe("TaskEnded");
    expect(await running()).toBe("");
  }, 60_000);

  test("a bad image is a clear pull failure; a wrong registry password makes the pool unusable", async () => {
    const r = await cli({
      pool: pool(),
      job: { id: "badimage" },
      tasks: { defaults: { image: images.missing }, list: [{ id: "nope", command: "/bin/true" }] },
    });
    expect(r.code).toBe(EXIT.taskFailed);
    const t = await task("badimage", "nope");
    expect(t.executionInfo?.failureInfo).toMatchObject({ category: "usererror", code: "ContainerImagePullFailed" });
    expect(t.executionInfo?.failureInfo?.message).toMatch(/missing|not found|manifest unknown/i);

    const wrong = await cli(
      {
        pool: { ...pool("{{ env.WRONG_PASSWORD }}"), id: "wrongpw" },
        job: { id: "wrongpw" },
        tasks: { defaults: { image: images.plain }, list: [{ id: "x", command: "/bin/true" }] },
      },
      [],
      { WRONG_PASSWORD: "not-the-password" },
    );
    expect(wrong.code).toBe(EXIT.service);
    expect(wrong.stderr).toMatch(/no node of pool wrongpw can run tasks: .*unusable.*ContainerImagePullFailed/);
    expect(wrong.stderr).not.toContain("not-the-password");
  }, 120_000);

  test("every request the core sent and every response the service gave validate against the REST definition", async () => {
    const { problems, operations } = await recorder.validate();
    expect(problems).toEqual([]);
    expect(operations.size).toBeGreaterThan(8);
  }, 120_000);
});
