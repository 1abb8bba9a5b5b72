/**
 * The local service's state on disk, as Azurite keeps its own: `state.json` in the data folder,
 * written atomically (a temporary file, then a rename) shortly after every change, and read back
 * when the service starts on the same folder. A restart then loses no pool, job or task, and a
 * rerun of a spec finds its tasks and adds nothing twice.
 *
 * What ran when the service stopped is treated as Batch treats a node that rebooted: the process
 * groups and containers it had started are ended, the nodes start again (their start task runs
 * again), and tasks that were running go back to active, their `requeueCount` counted.
 */
import { TaskTable } from "./taskTable.js";
import { existsSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunHandle } from "./runtime/executors.js";
import {
  nodeWithId,
  now,
  type ApplicationRecord,
  type JobRecord,
  type PoolRecord,
  type ScheduleRecord,
  type ServiceContext,
  type TaskRecord,
} from "./state.js";

const FILE = "state.json";
const VERSION = 1;

type SavedPool = Omit<PoolRecord, "nodes" | "abort" | "nextNodeIndex"> & { nodeIds: string[]; spotNodeIds?: string[]; nextNodeIndex?: number };
type SavedTask = Omit<TaskRecord, "abort">;
type SavedJob = Omit<JobRecord, "tasks"> & { tasks: SavedTask[] };
type SavedSchedule = Omit<ScheduleRecord, "timer">;

interface SavedState {
  version: number;
  savedAt: string;
  taskOrder: number;
  pools: SavedPool[];
  jobs: SavedJob[];
  schedules: SavedSchedule[];
  applications?: ApplicationRecord[];
  live: RunHandle[];
}

export function snapshot(ctx: ServiceContext, taskOrder: number): SavedState {
  return {
    version: VERSION,
    savedAt: now(),
    taskOrder,
    // A node on its way out is not saved: after a restart the pool has the nodes it keeps.
    pools: [...ctx.pools.values()].map(({ nodes, abort: _abort, ...pool }) => ({
      ...pool,
      nodeIds: nodes.filter((n) => n.draining !== "leavingpool").map((n) => n.id),
      spotNodeIds: nodes.filter((n) => n.draining !== "leavingpool" && n.lowPriority).map((n) => n.id),
    })),
    jobs: [...ctx.jobs.values()].map(({ tasks, ...job }) => ({ ...job, tasks: [...tasks.values()].map(({ abort: _abort, ...task }) => task) })),
    schedules: [...ctx.schedules.values()].map(({ timer: _timer, ...schedule }) => schedule),
    applications: [...ctx.applications.values()],
    live: [...ctx.live.values()],
  };
}

/** Writes the state so that a crash mid-write leaves the previous file whole. */
export async function saveState(dataDir: string, state: SavedState): Promise<void> {
  const target = join(dataDir, FILE);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(state));
  await rename(temp, target);
}

export async function loadState(dataDir: string): Promise<SavedState | undefined> {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return undefined;
  const state = JSON.parse(await readFile(path, "utf8")) as SavedState;
  if (state.version !== VERSION) throw new Error(`${path} is of another version (${state.version}) of the local Batch service; move it away to start afresh`);
  return state;
}

/**
 * Puts a saved state back into an empty service. Returns the pools to start again and the handles
 * of what ran when it stopped, for the caller to end before anything runs.
 */
export function restore(ctx: ServiceContext, state: SavedState): { pools: PoolRecord[]; orphans: RunHandle[] } {
  const pools: PoolRecord[] = [];
  for (const { nodeIds, spotNodeIds = [], ...saved } of state.pools) {
    // Nodes keep their ids; the next one gets an index none had (older states did not save it).
    const highest = Math.max(0, ...nodeIds.map((id) => Number(/_(\d+)$/.exec(id)?.[1] ?? 0)));
    const pool: PoolRecord = {
      ...saved,
      nextNodeIndex: Math.max(saved.nextNodeIndex ?? 0, highest + 1),
      nodes: nodeIds.map((id) => Object.assign(nodeWithId(id), spotNodeIds.includes(id) ? { lowPriority: true } : {})),
      abort: new AbortController(),
      allocationState: "resizing",
    };
    ctx.pools.set(pool.body.id.toLowerCase(), pool);
    pools.push(pool);
  }
  for (const { tasks, ...saved } of state.jobs) {
    const job: JobRecord = { ...saved, tasks: new TaskTable() };
    for (const task of tasks) {
      const record: TaskRecord = { ...task };
      if (record.state === "running" || record.state === "preparing") {
        // As after a node reboot: back to active, to run again from the start.
        record.state = "active";
        record.stateTransitionTime = now();
        record.executionInfo = { ...record.executionInfo, requeueCount: record.executionInfo.requeueCount + 1 };
        delete record.nodeInfo;
      }
      job.tasks.set(record.body.id.toLowerCase(), record);
    }
    job.tasks.sortCompletions();
    ctx.jobs.set(job.body.id.toLowerCase(), job);
  }
  for (const saved of state.schedules) ctx.schedules.set(saved.body.id.toLowerCase(), { ...saved });
  for (const app of state.applications ?? []) ctx.applications.set(app.id.toLowerCase(), app);
  return { pools, orphans: state.live };
}
