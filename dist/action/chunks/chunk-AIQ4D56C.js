import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);

// local-batch/runtime/leftovers.ts
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
function processStartTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return void 0;
  }
}
var SELF = `${process.pid}:${processStartTime(process.pid) ?? "?"}`;
function ownerAlive(owner) {
  const [pidText, started] = owner.split(":");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== "EPERM") return false;
  }
  return started === "?" || started === void 0 || processStartTime(pid) === started;
}
function defaultRuntimeDir(env = process.env) {
  return env.AZBR_LOCAL_RUNTIME_DIR || join(tmpdir(), `azure-batch-run-local-${userInfo().uid}`);
}
var Lease = class _Lease {
  constructor(path) {
    this.path = path;
  }
  path;
  static open(runtimeDir, dataDir, ownsDataDir) {
    mkdirSync(runtimeDir, { recursive: true, mode: 448 });
    const lease = new _Lease(join(runtimeDir, `${process.pid}-${randomUUID()}.lease`));
    writeFileSync(lease.path, `${JSON.stringify({ owner: SELF, dataDir, ownsDataDir })}
`, { mode: 384 });
    return lease;
  }
  /** A process group started (its leader's pid): recorded with its start time. */
  started(pid) {
    const t = processStartTime(pid);
    if (t) this.append({ started: `${pid}:${t}` });
  }
  ended(pid) {
    this.append({ ended: pid });
  }
  release() {
    try {
      unlinkSync(this.path);
    } catch {
    }
  }
  append(line) {
    try {
      appendFileSync(this.path, `${JSON.stringify(line)}
`);
    } catch {
    }
  }
};
function sweepLeases(runtimeDir, log = () => {
}) {
  const swept = { processGroups: 0, dataDirs: 0, leases: 0 };
  let names;
  try {
    names = readdirSync(runtimeDir).filter((n) => n.endsWith(".lease"));
  } catch {
    return swept;
  }
  for (const name of names) {
    const path = join(runtimeDir, name);
    let lines;
    try {
      lines = readFileSync(path, "utf8").split("\n").filter(Boolean).flatMap((l) => {
        try {
          return [JSON.parse(l)];
        } catch {
          return [];
        }
      });
    } catch {
      continue;
    }
    const head = lines[0];
    if (!head || typeof head.owner !== "string" || ownerAlive(head.owner)) continue;
    const groups = /* @__PURE__ */ new Map();
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

export {
  processStartTime,
  SELF,
  ownerAlive,
  defaultRuntimeDir,
  Lease,
  sweepLeases
};
//# sourceMappingURL=chunk-AIQ4D56C.js.map
