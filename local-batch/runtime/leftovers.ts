/**
 * What a local service leaves when its process is killed (SIGKILL: no exit hook runs) is found and
 * removed by the next local service that starts, before it serves:
 * - its containers, by label: each carries the process that started it (`pid:start time`, so that
 *   a reused pid is not taken for the owner), and one whose owner is gone is removed, running or not;
 * - its host processes, by a lease file in a runtime folder (`AZBR_LOCAL_RUNTIME_DIR`, or
 *   `azure-batch-run-local-<uid>` in the temporary folder): one per service, naming its process and
 *   data folder, with a line per process group it starts and ends. The groups of a dead owner that
 *   still run (same pid, same start time) are killed, and a data folder the service made for itself
 *   (`run --local`'s) is removed.
 * Nothing of a live service is touched, whoever's it is.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** A process's start time in clock ticks since boot (`/proc/{pid}/stat`, field 22), or undefined where there is no /proc. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces; count fields after it.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** This process, as the owner of what it starts. */
export const SELF = `${process.pid}:${processStartTime(process.pid) ?? "?"}`;

/** Whether `pid:start` names a process that still runs (the same one, not a later one with its pid). */
export function ownerAlive(owner: string): boolean {
  const [pidText, started] = owner.split(":");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return started === "?" || started === undefined || processStartTime(pid) === started;
}

export function defaultRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.AZBR_LOCAL_RUNTIME_DIR || join(tmpdir(), `azure-batch-run-local-${userInfo().uid}`);
}

interface LeaseHead {
  owner: string;
  dataDir: string;
  ownsDataDir: boolean;
}

type LeaseLine = LeaseHead | { started: string } | { ended: number };

/** One service's record of what it started, appended as it goes (a write per process, synchronous: it is on disk before a kill can come). */
export class Lease {
  private constructor(readonly path: string) {}

  static open(runtimeDir: string, dataDir: string, ownsDataDir: boolean): Lease {
    mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
    const lease = new Lease(join(runtimeDir, `${process.pid}-${randomUUID()}.lease`));
    writeFileSync(lease.path, `${JSON.stringify({ owner: SELF, dataDir, ownsDataDir } satisfies LeaseHead)}\n`, { mode: 0o600 });
    return lease;
  }

  /** A process group started (its leader's pid): recorded with its start time. */
  started(pid: number): void {
    const t = processStartTime(pid);
    // Gone already, or no /proc: nothing a later service could check it by.
    if (t) this.append({ started: `${pid}:${t}` });
  }

  ended(pid: number): void {
    this.append({ ended: pid });
  }

  release(): void {
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }

  private append(line: LeaseLine): void {
    try {
      appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    } catch {
      /* the runtime folder went away: the exit hook still ends what runs */
    }
  }
}

export interface Swept {
  processGroups: number;
  dataDirs: number;
  leases: number;
}

/** Ends the process groups and removes the data folders that services whose process is gone left in `runtimeDir`. */
export function sweepLeases(runtimeDir: string, log: (m: string) => void = () => {}): Swept {
  const swept: Swept = { processGroups: 0, dataDirs: 0, leases: 0 };
  let names: string[];
  try {
    names = readdirSync(runtimeDir).filter((n) => n.endsWith(".lease"));
  } catch {
    return swept;
  }
  for (const name of names) {
    const path = join(runtimeDir, name);
    let lines: LeaseLine[];
    try {
      lines = readFileSync(path, "utf8")
        .split("\n")
        .filter(Boolean)
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as LeaseLine];
          } catch {
            return []; // a line cut short by the kill
          }
        });
    } catch {
      continue;
    }
    const head = lines[0] as LeaseHead | undefined;
    if (!head || typeof head.owner !== "string" || ownerAlive(head.owner)) continue;
    const groups = new Map<number, string>();
    for (const l of lines) {
      if ("started" in l) groups.set(Number(l.started.split(":")[0]), l.started);
      else if ("ended" in l) groups.delete(l.ended);
    }
    for (const [pid, owner] of groups) {
      if (!ownerAlive(owner)) continue;
      try {
        process.kill(-pid, "SIGKILL");
        swept.processGroups++;
      } catch {
        /* gone meanwhile */
      }
    }
    if (head.ownsDataDir && typeof head.dataDir === "string" && head.dataDir) {
      rmSync(head.dataDir, { recursive: true, force: true });
      swept.dataDirs++;
    }
    rmSync(path, { force: true });
    swept.leases++;
  }
  if (swept.processGroups || swept.dataDirs)
    log(`removed what a killed local service left: ${swept.processGroups} process group(s), ${swept.dataDirs} data folder(s)`);
  return swept;
}
