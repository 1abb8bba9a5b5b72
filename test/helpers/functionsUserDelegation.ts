/**
 * One scenario of the Function app run in its own process, because it needs certificates trusted
 * from the start (NODE_EXTRA_CA_CERTS): the app's storage connection identity-based (Entra ID,
 * through the stand-in), Azurite over https taking bearer tokens and giving user delegation keys,
 * the spec read with the app's identity, the input reaching the task with a user-delegation SAS.
 * Prints one JSON line with what happened; test/functions/functions.test.ts asserts on it.
 *   env: AZBR_CERT, AZBR_KEY, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST
 */
import { join } from "node:path";
import { createBatchClient } from "azure-batch-run";
import { startLocalBatch } from "../../local-batch/start.js";
import { startAzurite } from "./containers.js";
import { invoke, loadApp } from "./functionsHost.js";
import { blobDelivery, submitted } from "./functionsPayloads.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const SPEC = `
pool: { id: ud-pool, vmSize: Standard_D2s_v3, image: { publisher: canonical, offer: ubuntu-24_04-lts, sku: server }, nodes: { dedicated: 1 } }
job: { id: "ud-{{ event.day }}" }
tasks:
  list:
    - id: "{{ event.taskId }}"
      command: "/bin/sh -c 'cat input/{{ event.fileName }}'"
      resources: [{ url: "{{ event.sasUrl }}", path: "input/{{ event.fileName }}" }]
`;

const azurite = await startAzurite({ https: { cert: process.env.AZBR_CERT!, key: process.env.AZBR_KEY! }, oauth: true });
const local = await startLocalBatch({ executor: "process" });
const client = createBatchClient({ accountUrl: local.accountUrl, credential: { accountName: local.accountName, accountKey: local.accountKey } });
try {
  const spec = await azurite.upload("specs", "ud.yaml", SPEC);
  const content = "read with a user delegation SAS\n";
  const blob = await azurite.upload("uploads", "ud.txt", content);
  Object.assign(process.env, {
    AZBR_SPEC: spec.url,
    AZBR_STORAGE__blobServiceUri: azurite.blobEndpoint,
    AZBR_BATCH_ACCOUNT_URL: local.accountUrl,
    AZBR_BATCH_ACCOUNT_NAME: local.accountName,
    AZBR_BATCH_ACCOUNT_KEY: local.accountKey,
    AZBR_BLOB_PATH: "uploads/{name}",
  });
  delete process.env.AZBR_STORAGE;
  await loadApp(join(ROOT, "dist/functions/index.js"));
  const result = await invoke("batchOnBlob", blobDelivery("ud.txt", blob, content));
  const [entry] = submitted(result);
  let task: { state?: string; executionInfo?: { exitCode?: number; failureInfo?: unknown }; resourceFiles?: { httpUrl?: string }[] } = {};
  let stdout = "";
  if (entry) {
    const path = `/jobs/ud-${new Date().toISOString().slice(0, 10)}/tasks/${entry.split(":")[0]}`;
    const deadline = Date.now() + 20_000;
    while (task.state !== "completed") {
      if (Date.now() > deadline) throw new Error(`task ${entry} did not complete: ${JSON.stringify(task)}`);
      await new Promise((r) => setTimeout(r, 100));
      task = await client.json("GET", path);
    }
    if (task.executionInfo?.exitCode === 0) stdout = (await client.send("GET", `${path}/files/stdout.txt`)).bodyText;
  }
  const sas = new URL(task.resourceFiles?.[0]?.httpUrl ?? "http://none").searchParams;
  console.log(
    JSON.stringify({
      ok: result.ok,
      error: result.error?.message,
      entry,
      exitCode: task.executionInfo?.exitCode,
      failureInfo: task.executionInfo?.failureInfo,
      stdout,
      sasFields: [...sas.keys()].sort(),
      signedTenant: sas.get("sktid"),
    }),
  );
} finally {
  await client.close();
  await local.close();
  await azurite.stop();
}
