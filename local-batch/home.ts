/**
 * A local account that stays: its folder (`.azure-batch-run/local/` in the project by default)
 * holds the account's name and key (made once, readable by its owner only), the service's state
 * (`data/`: pools, jobs, tasks and their files) and, while a service serves it, where
 * (`service.json`: URL and process). `azure-batch-run local` serves it in the foreground;
 * `run --local`, `status`, `logs`, `jobs` and `tasks` use the running one, or start one on the
 * same folder for as long as they need it. The state outlives them all.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { AccountQuotas } from "./account.js";
import { chooseExecutor, type ExecutorChoice, type StartedLocalBatch } from "./start.js";
import { LocalBatchService } from "./service.js";
import type { IdentityRegistry, IdentityStorage } from "./state.js";

export const DEFAULT_LOCAL_DIR = join(".azure-batch-run", "local");
/** The port `azure-batch-run local` serves on unless told otherwise. */
export const DEFAULT_LOCAL_PORT = 8871;

export interface LocalHome {
  dir: string;
  accountName: string;
  accountKey: string;
  /** The service's data folder. */
  dataDir: string;
}

interface Served {
  url: string;
  pid: number;
  executor?: "docker" | "process";
}

/** The folder's account, made on first use (a fresh key, mode 0600). */
export async function openHome(dir: string): Promise<LocalHome> {
  const root = resolve(dir);
  await mkdir(join(root, "data"), { recursive: true });
  const file = join(root, "account.json");
  let account: { accountName: string; accountKey: string };
  try {
    account = JSON.parse(await readFile(file, "utf8")) as typeof account;
    if (typeof account.accountKey !== "string" || typeof account.accountName !== "string") throw new Error(`${file} is not an account`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    account = { accountName: "local", accountKey: randomBytes(32).toString("base64") };
    await writeFile(file, JSON.stringify(account, null, 2), { mode: 0o600, flag: "wx" }).catch(async (e: NodeJS.ErrnoException) => {
      // Made at the same moment by another process: theirs stands.
      if (e.code !== "EEXIST") throw e;
      account = JSON.parse(await readFile(file, "utf8")) as typeof account;
    });
  }
  return { dir: root, ...account, dataDir: join(root, "data") };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** The service serving the folder now, if one does (its process alive and its URL answering): where, and what runs its tasks. */
export async function runningServiceInfo(home: LocalHome): Promise<{ url: string; executor?: "docker" | "process" } | undefined> {
  const url = await runningService(home);
  if (!url) return undefined;
  const served = JSON.parse(await readFile(join(home.dir, "service.json"), "utf8")) as Served;
  return { url, executor: served.executor };
}

/** The URL of the service serving the folder now, if one does (its process alive and its URL answering). */
export async function runningService(home: LocalHome): Promise<string | undefined> {
  let served: Served;
  try {
    served = JSON.parse(await readFile(join(home.dir, "service.json"), "utf8")) as Served;
  } catch {
    return undefined;
  }
  if (!alive(served.pid)) return undefined;
  try {
    // Any answer will do (an unsigned request is refused): it is listening.
    await fetch(`${served.url}/pools?api-version=2025-06-01`, { signal: AbortSignal.timeout(2_000) });
    return served.url;
  } catch {
    return undefined;
  }
}

export interface ServeOptions {
  port?: number;
  executor?: ExecutorChoice;
  account?: Partial<AccountQuotas>;
  identityRegistries?: IdentityRegistry[];
  identityStorage?: IdentityStorage[];
  warn?: (m: string) => void;
  /** Say where it serves in `service.json`, for other commands to find (default true). */
  announce?: boolean;
}

/** Serves the folder's account: its state restored, its key kept; closing leaves the state there. */
export async function serveHome(home: LocalHome, options: ServeOptions = {}): Promise<StartedLocalBatch> {
  const executor = await chooseExecutor(options.executor ?? "auto", home.dataDir, options.warn ?? (() => {}));
  const service = new LocalBatchService({
    accountName: home.accountName,
    accountKey: home.accountKey,
    dataDir: home.dataDir,
    executor,
    account: options.account,
    identityRegistries: options.identityRegistries,
    identityStorage: options.identityStorage,
  });
  const accountUrl = await service.listen(options.port ?? 0);
  const announced = options.announce !== false;
  if (announced)
    await writeFile(join(home.dir, "service.json"), JSON.stringify({ url: accountUrl, pid: process.pid, executor: executor.kind } satisfies Served));
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
    armEndpoint: `${accountUrl}/arm`,
  };
}
