import {
  LocalBatchService,
  chooseExecutor
} from "./chunk-ICZXM5SX.js";
import "./chunk-RTUQQMIU.js";

// local-batch/home.ts
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
var DEFAULT_LOCAL_DIR = join(".azure-batch-run", "local");
var DEFAULT_LOCAL_PORT = 8871;
async function openHome(dir) {
  const root = resolve(dir);
  await mkdir(join(root, "data"), { recursive: true });
  const file = join(root, "account.json");
  let account;
  try {
    account = JSON.parse(await readFile(file, "utf8"));
    if (typeof account.accountKey !== "string" || typeof account.accountName !== "string") throw new Error(`${file} is not an account`);
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
    account = { accountName: "local", accountKey: randomBytes(32).toString("base64") };
    await writeFile(file, JSON.stringify(account, null, 2), { mode: 384, flag: "wx" }).catch(async (e) => {
      if (e.code !== "EEXIST") throw e;
      account = JSON.parse(await readFile(file, "utf8"));
    });
  }
  return { dir: root, ...account, dataDir: join(root, "data") };
}
var alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
};
async function runningServiceInfo(home) {
  const url = await runningService(home);
  if (!url) return void 0;
  const served = JSON.parse(await readFile(join(home.dir, "service.json"), "utf8"));
  return { url, executor: served.executor };
}
async function runningService(home) {
  let served;
  try {
    served = JSON.parse(await readFile(join(home.dir, "service.json"), "utf8"));
  } catch {
    return void 0;
  }
  if (!alive(served.pid)) return void 0;
  try {
    await fetch(`${served.url}/pools?api-version=2025-06-01`, { signal: AbortSignal.timeout(2e3) });
    return served.url;
  } catch {
    return void 0;
  }
}
async function serveHome(home, options = {}) {
  const executor = await chooseExecutor(options.executor ?? "auto", home.dataDir, options.warn ?? (() => {
  }));
  const service = new LocalBatchService({
    accountName: home.accountName,
    accountKey: home.accountKey,
    dataDir: home.dataDir,
    executor,
    account: options.account,
    identityRegistries: options.identityRegistries,
    identityStorage: options.identityStorage
  });
  const accountUrl = await service.listen(options.port ?? 0);
  const announced = options.announce !== false;
  if (announced)
    await writeFile(join(home.dir, "service.json"), JSON.stringify({ url: accountUrl, pid: process.pid, executor: executor.kind }));
  const close = async () => {
    await service.close();
    if (announced) await rm(join(home.dir, "service.json"), { force: true });
  };
  return {
    service,
    accountUrl,
    accountName: home.accountName,
    accountKey: home.accountKey,
    executor: executor.kind,
    close,
    armEndpoint: `${accountUrl}/arm`
  };
}
export {
  DEFAULT_LOCAL_DIR,
  DEFAULT_LOCAL_PORT,
  openHome,
  runningService,
  runningServiceInfo,
  serveHome
};
//# sourceMappingURL=home-LSW32MII.js.map
