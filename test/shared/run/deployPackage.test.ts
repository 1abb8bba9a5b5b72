/**
 * Application packages, end to end on the local service: a folder zipped and deployed through the
 * ARM side (application created, version created, zip uploaded to its storage URL, activated, made
 * the default), then a pool that installs it and tasks that run a script from it — in a container
 * with the `Applications` mount, and on the host — by `AZ_BATCH_APP_PACKAGE_*`. A redeploy of the
 * same content changes nothing; other content for an active version is refused unless replaced; a
 * task naming a missing package fails as Batch fails it. Every ARM and data-plane exchange is
 * checked against its definition with oav.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { ConflictError, createLocalBatchClient, deployPackage, loadSpecObject, runWorkload, type BatchClient } from "azure-batch-run";
import { buildBusyboxImage } from "../../../local-batch/images/busyboxImage.js";
import { dockerExecutor } from "../../../local-batch/runtime/executors.js";
import { LocalBatchService, type Exchange } from "../../../local-batch/service.js";
import { containersMissing } from "../../helpers/containers.js";
import { exchangesInvalid } from "../../helpers/oav.js";
import { recordingReporter } from "../../helpers/reporter.js";
import { batchSpecMissing, mgmtSpecMissing } from "../../helpers/requirements.js";

const KEY = Buffer.from("package key").toString("base64");
const IMAGE = "azure-batch-run/packages:1.0";
const work = mkdtempSync(join(tmpdir(), "azbr-packages-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

async function account(): Promise<{ client: BatchClient; exchanges: Exchange[] }> {
  const dataDir = mkdtempSync(join(work, "svc-"));
  const exchanges: Exchange[] = [];
  const service = new LocalBatchService({
    accountName: "local",
    accountKey: KEY,
    dataDir,
    executor: dockerExecutor(join(dataDir, "docker-config")),
    acceptBearer: true,
    onExchange: (e) => exchanges.push(e),
  });
  const url = await service.listen();
  const client = createLocalBatchClient({ accountUrl: url, accountName: "local", accountKey: KEY, armEndpoint: `${url}/arm` });
  toClose.push(
    () => service.close(),
    () => client.close(),
  );
  return { client, exchanges };
}

function toolFolder(name: string, says: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, "bin"), { recursive: true });
  writeFileSync(join(dir, "bin", "tool.sh"), `#!/bin/sh\necho "${says} $1 from $(dirname $(dirname $0))"\n`);
  chmodSync(join(dir, "bin", "tool.sh"), 0o755);
  writeFileSync(join(dir, "README"), "a tool\n");
  return dir;
}

const POOL = {
  id: "apps",
  vmSize: "Standard_D2s_v3",
  image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2404" },
  nodes: { dedicated: 1 },
  container: { type: "dockerCompatible", prefetch: [IMAGE] },
  applicationPackages: [{ id: "tool" }],
};

const stdout = async (client: BatchClient, job: string, task: string) => (await client.send("GET", `/jobs/${job}/tasks/${task}/files/stdout.txt`)).bodyText;

describe.skipIf(containersMissing || batchSpecMissing || mgmtSpecMissing)("application packages on the local service", () => {
  test("deployed from a folder, then run from a container with the Applications mount and from the host; a redeploy changes nothing", async () => {
    await buildBusyboxImage(IMAGE);
    const { client, exchanges } = await account();
    const folder = toolFolder("tool-1", "tool 1.0 says");
    const first = await deployPackage(client, { applicationId: "tool", version: "1.0", source: folder, setDefault: true });
    expect(first).toMatchObject({ applicationId: "tool", version: "1.0", outcome: "deployed", applicationCreated: true, defaultVersion: "1.0" });
    const calls = () =>
      exchanges.map(
        (e) =>
          `${e.method} ${new URL(e.url).pathname.replace(/^\/arm\/subscriptions\/[^/]+\/resourceGroups\/local\/providers\/Microsoft\.Batch\/batchAccounts\/local/, "~").replace(/^\/storage\/packages\/.*/, "<blob>")} ${e.status}`,
      );
    expect(calls()).toEqual([
      "GET /arm/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Batch/batchAccounts 200",
      "GET ~/applications/tool 404",
      "PUT ~/applications/tool 200",
      "GET ~/applications/tool/versions/1.0 404",
      "PUT ~/applications/tool/versions/1.0 200",
      "PUT <blob> 201",
      "POST ~/applications/tool/versions/1.0/activate 200",
      "PATCH ~/applications/tool 200",
    ]);

    // The same folder again: the same zip, so nothing is created, uploaded or activated.
    const before = exchanges.length;
    const again = await deployPackage(client, { applicationId: "tool", version: "1.0", source: folder, setDefault: true });
    expect(again).toMatchObject({ outcome: "unchanged", applicationCreated: false, md5: first.md5 });
    expect(calls().slice(before)).toEqual([
      "GET /arm/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Batch/batchAccounts 200",
      "GET ~/applications/tool 200",
      "GET ~/applications/tool/versions/1.0 200",
      "HEAD <blob> 200",
    ]);

    const applications = JSON.parse((await client.send("GET", "/applications")).bodyText) as { value: unknown[] };
    expect(applications.value).toEqual([{ id: "tool", displayName: "tool", versions: ["1.0"] }]);

    const { reporter, lines } = recordingReporter();
    const workload = loadSpecObject(
      {
        pool: POOL,
        job: { id: "use-tool" },
        tasks: {
          list: [
            {
              id: "in-container",
              image: IMAGE,
              mounts: [{ source: "Applications", readOnly: true }],
              workingDirectory: "containerImageDefault",
              applicationPackages: [{ id: "tool", version: "1.0" }],
              // The container sees exactly the package's folder under the applications folder, and nothing else of the node.
              command: `/bin/sh -c '$AZ_BATCH_APP_PACKAGE_tool_1_0/bin/tool.sh container && ls $(dirname $AZ_BATCH_APP_PACKAGE_tool_1_0) | wc -l && echo root=[$AZ_BATCH_NODE_ROOT_DIR]'`,
            },
            { id: "on-host", command: "/bin/sh -c '$AZ_BATCH_APP_PACKAGE_tool/bin/tool.sh host'" },
            { id: "missing", command: "/bin/true", applicationPackages: [{ id: "nosuch", version: "2" }] },
          ],
        },
      },
      { env: {} },
    );
    const result = await runWorkload(client, workload, reporter, { pollIntervalMs: 200 });
    const byId = Object.fromEntries(result.outcomes.map((o) => [o.id, o]));
    expect(byId["in-container"]).toMatchObject({ result: "success", exitCode: 0 });
    expect(byId["on-host"]).toMatchObject({ result: "success", exitCode: 0 });
    const out = (await stdout(client, "use-tool", "in-container")).split("\n");
    expect(out[0]).toMatch(/^tool 1\.0 says container from \/.*\/applications\/tool_1\.0\.[0-9a-f]{12}$/);
    expect(out[1]!.trim()).toBe("1");
    expect(out[2]).toBe("root=[]");
    expect(await stdout(client, "use-tool", "on-host")).toMatch(/^tool 1\.0 says host from \/.*\/applications\/tool_1\.0\.[0-9a-f]{12}\n$/);

    // A package that is not there: the task fails before it starts, as Batch fails it (a pre-processing error).
    expect(byId.missing).toMatchObject({ result: "failure", failure: { category: "usererror", code: "ApplicationPackageNotFound" } });
    const missing = JSON.parse((await client.send("GET", "/jobs/use-tool/tasks/missing")).bodyText) as { executionInfo: { failureInfo: unknown } };
    expect(missing.executionInfo.failureInfo).toMatchObject({
      category: "usererror",
      code: "ApplicationPackageNotFound",
      message: "The application package nosuch version 2 could not be installed: the application nosuch does not exist in the account",
    });
    expect(lines.join("\n")).not.toContain("sig=");

    // Other content for the active version: refused, unless replaced.
    writeFileSync(join(folder, "README"), "a changed tool\n");
    await expect(deployPackage(client, { applicationId: "tool", version: "1.0", source: folder })).rejects.toThrow(ConflictError);
    await expect(deployPackage(client, { applicationId: "tool", version: "1.0", source: folder })).rejects.toThrow(
      /^application tool version 1\.0 is active with other content \(MD5 \S+, this package \S+\); deploy it as a new version/,
    );
    const replaced = await deployPackage(client, { applicationId: "tool", version: "1.0", source: folder, replace: true });
    expect(replaced.outcome).toBe("replaced");
    expect(replaced.md5).not.toBe(first.md5);

    expect(await exchangesInvalid(exchanges)).toEqual([]);
  }, 120_000);

  test("a pool naming a package that is not there is refused (409 InvalidApplicationPackageReferences); a zip that is not one is refused before any call", async () => {
    const { client, exchanges } = await account();
    const workload = loadSpecObject(
      {
        pool: { ...POOL, id: "nopkg", applicationPackages: [{ id: "absent", version: "1" }] },
        job: { id: "j" },
        tasks: { list: [{ id: "t", command: "/bin/true" }] },
      },
      { env: {} },
    );
    const error = (await runWorkload(client, workload, recordingReporter().reporter).catch((e: unknown) => e)) as {
      statusCode?: number;
      code?: string;
      message: string;
    };
    expect(error.statusCode).toBe(409);
    expect(error.code).toBe("InvalidApplicationPackageReferences");
    const refused = exchanges.find((e) => e.method === "POST" && new URL(e.url).pathname === "/pools")!;
    expect((refused.responseBody as { values: unknown[] }).values).toEqual([
      {
        key: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Batch/batchAccounts/local/applications/absent",
        value: "the application absent does not exist in the account",
      },
    ]);
    const notZip = join(work, "not.zip");
    writeFileSync(notZip, "plain text");
    const count = exchanges.length;
    await expect(deployPackage(client, { applicationId: "tool", version: "1", source: notZip })).rejects.toThrow(/not\.zip is not a zip archive/);
    await expect(deployPackage(client, { applicationId: "bad id", version: "1", source: notZip })).rejects.toThrow(
      'application id "bad id": must be 1 to 64 letters, digits, _ and -',
    );
    expect(exchanges.length).toBe(count);
    expect(await exchangesInvalid(exchanges)).toEqual([]);
  }, 60_000);
});
