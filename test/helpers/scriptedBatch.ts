/**
 * A scripted stand-in for the Batch service, just enough to drive `runWorkload` through its
 * branches in unit tests (the real local Batch service, with containers, is its own component).
 * Tasks "finish" as the client polls task counts; the outcome of each comes from `exitCodeOf`.
 */
import type { ServerResponse } from "node:http";
import { SUPPORTED_IMAGES } from "../../shared/batch/images.js";
import { batchError, sendJson, startServer, type Recorded } from "./server.js";

export interface ScriptOptions {
  /** Each addtaskcollection answer waits this long, so that requests overlap (see `adds.maxInFlight`). */
  addDelayMs?: number;
  /** Exit code per task id; 0 by default. */
  exitCodeOf?: (taskId: string) => number;
  /** Tasks completed per task-count poll. */
  completePerPoll?: number;
  /** The pool already exists with these properties. */
  existingPool?: Record<string, unknown>;
  /** Node state once the pool is steady. */
  nodeState?: string;
  /** Page size of task lists (small, to exercise paging). */
  pageSize?: number;
}

interface Task {
  id: string;
  body: any;
  state: "active" | "completed";
  stateTransitionTime: string;
  exitCode?: number;
}

export async function startScriptedBatch(options: ScriptOptions = {}) {
  const pools = new Map<string, any>();
  if (options.existingPool) pools.set(String(options.existingPool.id), { state: "active", allocationState: "steady", ...options.existingPool });
  const jobs = new Map<string, { body: any; state: string; tasks: Map<string, Task>; terminateReason?: string }>();
  let poolGets = 0;
  const adds = { inFlight: 0, maxInFlight: 0 };
  let clock = Date.parse("2026-11-22T20:00:00Z");
  const tick = () => new Date((clock += 1000)).toISOString();

  const handle = (req: Recorded, res: ServerResponse) => {
    const parts = req.path.split("/").filter(Boolean).map(decodeURIComponent);
    const [kind, id, sub, subId, filesWord, ...file] = parts;
    // The account's image list: the same table the local Batch service serves.
    if (kind === "supportedimages" && req.method === "GET") return sendJson(res, 200, { value: SUPPORTED_IMAGES });
    if (kind === "pools" && !id && req.method === "POST") {
      if (pools.has(req.json.id)) return sendJson(res, 409, batchError("PoolExists", "The specified pool already exists."));
      pools.set(req.json.id, { ...req.json, state: "active", allocationState: "resizing" });
      return sendJson(res, 201, undefined);
    }
    if (kind === "pools" && id && !sub) {
      const pool = pools.get(id);
      if (req.method === "DELETE") {
        pools.delete(id);
        return sendJson(res, 202, undefined);
      }
      if (!pool) return sendJson(res, 404, batchError("PoolNotFound", "The specified pool does not exist."));
      if (++poolGets > 2) pool.allocationState = "steady";
      return sendJson(res, 200, pool);
    }
    if (kind === "pools" && sub === "nodes") {
      return sendJson(res, 200, {
        value: [
          {
            id: "tvm-1",
            state: options.nodeState ?? "idle",
            startTaskInfo: {
              state: "completed",
              exitCode: 3,
              failureInfo: { code: "FailureExitCode", message: "The task exited with an exit code representing a failure" },
            },
          },
        ],
      });
    }
    if (kind === "jobs" && !id && req.method === "GET") {
      const onlyActive = /state eq 'active'/.test(req.query.get("$filter") ?? "");
      const value = [...jobs.entries()]
        .filter(([, j]) => !onlyActive || j.state === "active")
        .map(([jobId, j]) => ({ id: jobId, state: j.state, poolInfo: j.body.poolInfo }));
      return sendJson(res, 200, { value });
    }
    if (kind === "jobs" && !id && req.method === "POST") {
      if (jobs.has(req.json.id)) return sendJson(res, 409, batchError("JobExists", "The specified job already exists."));
      jobs.set(req.json.id, { body: req.json, state: "active", tasks: new Map() });
      return sendJson(res, 201, undefined);
    }
    const job = id ? jobs.get(id) : undefined;
    if (kind === "jobs" && !job) return sendJson(res, 404, batchError("JobNotFound", "The specified job does not exist."));
    if (kind === "jobs" && job) {
      if (!sub && req.method === "GET")
        return sendJson(res, 200, {
          id,
          state: job.state,
          poolInfo: job.body.poolInfo,
          executionInfo: job.terminateReason ? { terminateReason: job.terminateReason } : {},
        });
      if (!sub && req.method === "DELETE") {
        jobs.delete(id!);
        return sendJson(res, 202, undefined);
      }
      // Job_Patch: a run sets onAllTasksComplete once its tasks are in (the stand-in keeps the body, it does not end jobs).
      if (!sub && req.method === "PATCH") {
        job.body = { ...job.body, ...req.json };
        return sendJson(res, 200, undefined);
      }
      if (sub === "terminate") {
        job.state = "completed";
        job.terminateReason = req.json?.terminateReason ?? "UserTerminate";
        return sendJson(res, 202, undefined);
      }
      if (sub === "addtaskcollection" && options.addDelayMs && !(req as { delayed?: boolean }).delayed) {
        adds.inFlight++;
        adds.maxInFlight = Math.max(adds.maxInFlight, adds.inFlight);
        setTimeout(() => {
          adds.inFlight--;
          handle(Object.assign(req, { delayed: true }), res);
        }, options.addDelayMs);
        return;
      }
      if (sub === "addtaskcollection") {
        const value = req.json.value.map((t: any) => {
          if (job.tasks.has(t.id)) return { status: "clienterror", taskId: t.id, error: batchError("TaskExists", "The specified task already exists.") };
          job.tasks.set(t.id, { id: t.id, body: t, state: "active", stateTransitionTime: tick() });
          return { status: "success", taskId: t.id, eTag: "0x1", lastModified: new Date(clock).toUTCString(), location: `${req.path}/${t.id}` };
        });
        return sendJson(res, 200, { value });
      }
      if (sub === "taskcounts") {
        let budget = options.completePerPoll ?? Number.POSITIVE_INFINITY;
        for (const t of job.tasks.values()) {
          if (budget <= 0) break;
          if (t.state === "active") {
            t.state = "completed";
            t.stateTransitionTime = tick();
            t.exitCode = options.exitCodeOf?.(t.id) ?? 0;
            budget--;
          }
        }
        const all = [...job.tasks.values()];
        const completed = all.filter((t) => t.state === "completed");
        const failed = completed.filter((t) => t.exitCode !== 0).length;
        return sendJson(res, 200, {
          taskCounts: { active: all.length - completed.length, running: 0, completed: completed.length, succeeded: completed.length - failed, failed },
          taskSlotCounts: { active: 0, running: 0, completed: 0, succeeded: 0, failed: 0 },
        });
      }
      if (sub === "tasks" && !subId) {
        const filter = req.query.get("$filter") ?? "";
        const since = /stateTransitionTime ge datetime'([^']+)'/.exec(filter)?.[1];
        let list = [...job.tasks.values()];
        if (filter.includes("state eq 'completed'")) list = list.filter((t) => t.state === "completed");
        if (since) list = list.filter((t) => t.stateTransitionTime >= since);
        const skip = Number(req.query.get("skip") ?? "0");
        const size = options.pageSize ?? 1000;
        const page = list.slice(skip, skip + size).map((t) => ({
          id: t.id,
          state: t.state,
          stateTransitionTime: t.stateTransitionTime,
          executionInfo: {
            startTime: "2026-11-22T20:00:00Z",
            endTime: "2026-11-22T20:00:03Z",
            exitCode: t.exitCode,
            result: t.exitCode === 0 ? "success" : "failure",
            retryCount: 0,
            requeueCount: 0,
            ...(t.exitCode
              ? { failureInfo: { category: "usererror", code: "FailureExitCode", message: "The task exited with an exit code representing a failure" } }
              : {}),
          },
          nodeInfo: { nodeId: "tvm-1", poolId: job.body.poolInfo.poolId },
          // What a rerun compares, as the service lists it.
          commandLine: t.body.commandLine,
          ...(t.body.containerSettings ? { containerSettings: t.body.containerSettings } : {}),
          ...(t.body.environmentSettings ? { environmentSettings: t.body.environmentSettings } : {}),
        }));
        const next =
          skip + size < list.length
            ? { "odata.nextLink": `http://${req.headers.host}${req.path}?api-version=2025-06-01&$filter=${encodeURIComponent(filter)}&skip=${skip + size}` }
            : {};
        return sendJson(res, 200, { value: page, ...next });
      }
      if (sub === "tasks" && subId && filesWord === "files") {
        const text = `line 1\nthe last line of ${file.join("/")} for ${subId}\n`;
        const range = /bytes=(\d+)-(\d+)/.exec(String(req.headers["ocp-range"] ?? ""));
        const body = range ? Buffer.from(text).subarray(Number(range[1]), Number(range[2]) + 1) : Buffer.from(text);
        res.writeHead(200, {
          "content-type": "application/octet-stream",
          "content-length": String(req.method === "HEAD" ? Buffer.byteLength(text) : body.length),
        });
        return res.end(req.method === "HEAD" ? undefined : body);
      }
      if (sub === "tasks" && subId) {
        const t = job.tasks.get(subId);
        return t
          ? sendJson(res, 200, { id: t.id, commandLine: t.body.commandLine, containerSettings: t.body.containerSettings })
          : sendJson(res, 404, batchError("TaskNotFound", "no"));
      }
    }
    sendJson(res, 400, batchError("InvalidUri", `not scripted: ${req.method} ${req.path}`));
  };

  const server = await startServer(handle);
  return { ...server, pools, jobs, adds };
}
