/**
 * The local Batch service: an HTTP server speaking the part of the Azure Batch REST API
 * (2024-07-01.20.0) that this project uses, which really runs the tasks: in containers through
 * Docker where an engine is reachable, or as host processes.
 *
 * State lives in memory; node directories live under `dataDir`, laid out like a Batch node's.
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { JobAddParameter, JobScheduleAddParameter, PoolAddParameter, TaskAddParameter } from "../shared/batch/types.js";
import { API_VERSION } from "../shared/batch/types.js";
import { authenticate, type AuthConfig } from "./auth.js";
import { validateBody } from "./bodies.js";
import { parseDuration, UNLIMITED } from "./duration.js";
import { BatchHttpError, exists, invalidValue, notFound } from "./errors.js";
import { parseFilter, select } from "./odata.js";
import type { Executor } from "./runtime/executors.js";
import { createNodeDirs, fileInfo, listFiles, runOnNode, TaskFailure, uploadOutputFiles, type NodeDirs, type TaskContext } from "./runtime/taskRunner.js";

export interface FaultOptions {
  /** Added to every request. */
  latencyMs?: number;
  /** Share of requests answered 429 with Retry-After. */
  throttleShare?: number;
  /** Share answered 503 with Retry-After. */
  unavailableShare?: number;
  /** Share whose connection is reset before anything is done. */
  resetShare?: number;
  /** Share of mutating requests carried out, whose response is then lost (connection reset). */
  commitThenFailShare?: number;
  /** Retry-After given with 429/503, in ms (sent as retry-after-ms and, rounded up, Retry-After). */
  retryAfterMs?: number;
  /**
   * Make sure each configured fault happens at least once whatever the dice say: the first request
   * is reset, the next throttled, the next answered 503, and the first response of each kind of
   * mutating call (POST pools, POST jobs, addtaskcollection, ...) is lost after the commit.
   */
  atLeastOnce?: boolean;
  random?: () => number;
}

export interface LocalBatchOptions extends AuthConfig {
  dataDir: string;
  executor: Executor;
  /** Upper bound on simulated nodes per pool (each runs real work on this machine). */
  maxNodesPerPool?: number;
  faults?: FaultOptions;
  /** Called with every request and response (for recorders). */
  onExchange?: (exchange: Exchange) => void;
  log?: (message: string) => void;
}

export interface Exchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: unknown;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody?: unknown;
}

type TaskState = "active" | "preparing" | "running" | "completed";

interface NodeRecord {
  id: string;
  state: "creating" | "starting" | "waitingforstarttask" | "idle" | "running" | "starttaskfailed" | "unusable";
  stateTransitionTime: string;
  dirs?: NodeDirs;
  usedSlots: number;
  running: Set<TaskRecord>;
  startTaskInfo?: Record<string, unknown>;
  errors?: { code: string; message: string }[];
  totalTasksRun: number;
  totalTasksSucceeded: number;
  jobPrepDone: Map<string, Promise<boolean>>;
}

interface PoolRecord {
  body: PoolAddParameter;
  creationTime: string;
  stateTransitionTime: string;
  allocationState: "steady" | "resizing" | "stopping";
  allocationStateTransitionTime: string;
  state: "active" | "deleting";
  eTag: string;
  lastModified: string;
  nodes: NodeRecord[];
  resizeErrors: { code: string; message: string }[];
  ready: Promise<void>;
}

interface TaskRecord {
  jobId: string;
  body: TaskAddParameter & { killJobOnCompletion?: boolean };
  kind: "task" | "manager";
  creationTime: string;
  state: TaskState;
  stateTransitionTime: string;
  previousState?: TaskState;
  previousStateTransitionTime?: string;
  eTag: string;
  lastModified: string;
  executionInfo: Record<string, unknown> & { retryCount: number; requeueCount: number };
  nodeInfo?: Record<string, unknown>;
  abort?: AbortController;
  endReason?: { code: string; message: string };
  taskDir?: string;
  order: number;
}

interface JobRecord {
  body: JobAddParameter;
  creationTime: string;
  state: "active" | "terminating" | "completed" | "deleting";
  stateTransitionTime: string;
  previousState?: string;
  eTag: string;
  lastModified: string;
  executionInfo: Record<string, unknown>;
  tasks: Map<string, TaskRecord>;
  scheduleId?: string;
}

interface ScheduleRecord {
  body: JobScheduleAddParameter;
  creationTime: string;
  state: "active" | "completed" | "deleting";
  stateTransitionTime: string;
  eTag: string;
  lastModified: string;
  jobCount: number;
  recentJobId?: string;
  nextRunTime?: string;
  timer?: NodeJS.Timeout;
}

const now = () => new Date().toISOString();
const etag = () => `0x${randomUUID().replace(/-/g, "").slice(0, 15).toUpperCase()}`;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_BODY_BYTES = 1024 * 1024;

export class LocalBatchService {
  readonly pools = new Map<string, PoolRecord>();
  readonly jobs = new Map<string, JobRecord>();
  readonly schedules = new Map<string, ScheduleRecord>();
  private server?: Server;
  private baseUrl = "";
  private taskOrder = 0;
  private pumpTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly inflight = new Set<Promise<unknown>>();
  /** What fault injection did, so that tests and benchmarks can show the faults really happened. */
  readonly injected = { throttled: 0, unavailable: 0, resets: 0, lostResponses: [] as string[] };
  private readonly lostKinds = new Set<string>();

  constructor(private readonly options: LocalBatchOptions) {}

  get url(): string {
    return this.baseUrl;
  }

  get executorKind(): Executor["kind"] {
    return this.options.executor.kind;
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    await mkdir(this.options.dataDir, { recursive: true });
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${address.port}`;
    this.pumpTimer = setInterval(() => this.pump(), 100);
    return this.baseUrl;
  }

  /** Stops timers, kills running work, closes the server. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pumpTimer);
    for (const s of this.schedules.values()) clearTimeout(s.timer);
    for (const job of this.jobs.values()) for (const t of job.tasks.values()) t.abort?.abort(new Error("service closing"));
    await Promise.allSettled([...this.inflight]);
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => {});
    return p;
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? "/", this.baseUrl);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size <= MAX_BODY_BYTES + 1) chunks.push(c as Buffer);
    }
    const bodyText = Buffer.concat(chunks).toString("utf8");
    const headers: Record<string, string> = { "request-id": requestId };
    if (req.headers["return-client-request-id"] === "true" && req.headers["client-request-id"]) headers["client-request-id"] = String(req.headers["client-request-id"]);
    let parsedBody: unknown;
    const reply = (status: number, body?: unknown, extra: Record<string, string> = {}, raw?: Buffer) => {
      const all = { ...headers, ...extra };
      if (this.options.onExchange) {
        this.options.onExchange({
          method: req.method ?? "GET",
          url: url.toString(),
          requestHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          requestBody: parsedBody,
          status,
          responseHeaders: all,
          responseBody: raw ? raw.toString("utf8") : body,
        });
      }
      if (raw) {
        res.writeHead(status, all);
        res.end(req.method === "HEAD" ? undefined : raw);
        return;
      }
      if (body === undefined) {
        res.writeHead(status, all);
        res.end();
        return;
      }
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json;odata=minimalmetadata", "content-length": String(Buffer.byteLength(text)), ...all });
      res.end(text);
    };

    const faults = this.options.faults ?? {};
    const random = faults.random ?? Math.random;
    try {
      if (faults.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
      const forced = (share: number | undefined, count: number) => Boolean(faults.atLeastOnce && share && count === 0);
      if (faults.resetShare && (forced(faults.resetShare, this.injected.resets) || random() < faults.resetShare)) {
        this.injected.resets++;
        return void req.socket.destroy();
      }
      const retryAfter = faults.retryAfterMs ?? 1000;
      const retryHeaders = { "retry-after-ms": String(retryAfter), "retry-after": String(Math.max(1, Math.ceil(retryAfter / 1000))) };
      if (faults.throttleShare && (forced(faults.throttleShare, this.injected.throttled) || random() < faults.throttleShare)) {
        this.injected.throttled++;
        throw Object.assign(new BatchHttpError(429, "TooManyRequests", "The server is busy; retry after the given time."), { headers: retryHeaders });
      }
      if (faults.unavailableShare && (forced(faults.unavailableShare, this.injected.unavailable) || random() < faults.unavailableShare)) {
        this.injected.unavailable++;
        throw Object.assign(new BatchHttpError(503, "ServerBusy", "The server is currently unable to receive requests. Please retry your request."), { headers: retryHeaders });
      }
      authenticate(req, url, bodyText, this.options);
      const apiVersion = url.searchParams.get("api-version");
      if (apiVersion !== API_VERSION) {
        throw new BatchHttpError(400, apiVersion ? "InvalidApiVersionParameter" : "MissingRequiredQueryParameter", apiVersion ? `The api-version ${apiVersion} is not supported; the local service speaks ${API_VERSION}.` : "A query parameter that's mandatory for this request is not specified.", [{ key: "QueryParameterName", value: "api-version" }]);
      }
      if (size > MAX_BODY_BYTES) {
        throw new BatchHttpError(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.", [{ key: "MaxLimit", value: String(MAX_BODY_BYTES) }]);
      }
      if (bodyText) {
        try {
          parsedBody = JSON.parse(bodyText);
        } catch {
          throw new BatchHttpError(400, "InvalidRequestBody", "The specified Request Body is not syntactically valid.", [{ key: "Reason", value: "the body is not JSON" }]);
        }
      }
      const result = await this.route(req.method ?? "GET", url, parsedBody, req);
      const mutating = req.method !== "GET" && req.method !== "HEAD";
      const kind = `${req.method} ${url.pathname.split("/").pop()}`;
      const firstOfKind = Boolean(faults.atLeastOnce && faults.commitThenFailShare && mutating && !this.lostKinds.has(kind));
      const commitThenFail = faults.commitThenFailShare && mutating && (firstOfKind || random() < faults.commitThenFailShare);
      if (commitThenFail) {
        this.lostKinds.add(kind);
        this.injected.lostResponses.push(`${req.method} ${url.pathname}`);
        return void req.socket.destroy();
      }
      reply(result.status, result.body, result.headers, result.raw);
    } catch (error) {
      if (error instanceof BatchHttpError) {
        reply(error.status, error.body(requestId), (error as BatchHttpError & { headers?: Record<string, string> }).headers ?? {});
      } else {
        this.log(`internal error: ${(error as Error).stack ?? error}`);
        reply(500, new BatchHttpError(500, "InternalServerError", "The server encountered an internal error. Please retry the request.").body(requestId));
      }
    }
  }

  private async route(method: string, url: URL, body: unknown, req: IncomingMessage): Promise<{ status: number; body?: unknown; headers?: Record<string, string>; raw?: Buffer }> {
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const q = url.searchParams;
    const [root, id, sub, subId, fileWord, ...filePath] = parts;
    const key = `${method} ${root ?? ""}${id !== undefined ? "/{id}" : ""}${sub !== undefined ? `/${sub}` : ""}${subId !== undefined ? "/{sub}" : ""}${fileWord !== undefined ? `/${fileWord}` : ""}${filePath.length ? "/{path}" : ""}`;
    switch (key) {
      case "POST pools":
        return this.addPool(body as PoolAddParameter);
      case "GET pools":
        return this.list([...this.pools.values()].map((p) => this.poolView(p)), url);
      case "GET pools/{id}":
        return this.one(this.poolView(this.pool(id!)), q);
      case "HEAD pools/{id}":
        return this.pools.has(id!.toLowerCase()) ? { status: 200 } : { status: 404 };
      case "DELETE pools/{id}":
        return this.deletePool(id!);
      case "PATCH pools/{id}":
        return this.patchPool(id!, body);
      case "POST pools/{id}/resize":
        return this.resizePool(id!, body);
      case "GET pools/{id}/nodes":
        return this.list(this.pool(id!).nodes.map((n) => this.nodeView(id!, n)), url);
      case "POST jobs":
        validateBody(body, "JobAdd");
        return this.addJob(body as JobAddParameter);
      case "GET jobs":
        return this.list([...this.jobs.values()].map((j) => this.jobView(j)), url);
      case "GET jobs/{id}":
        return this.one(this.jobView(this.job(id!)), q);
      case "DELETE jobs/{id}":
        return this.deleteJob(id!);
      case "PATCH jobs/{id}":
        return this.patchJob(id!, body);
      case "POST jobs/{id}/terminate":
        if (body !== undefined) validateBody(body, "JobTerminate");
        return this.terminateJob(id!, (body as { terminateReason?: string } | undefined)?.terminateReason ?? "UserTerminate");
      case "GET jobs/{id}/taskcounts":
        return { status: 200, body: this.taskCounts(this.job(id!)) };
      case "POST jobs/{id}/tasks":
        validateBody(body, "TaskAdd");
        return this.addTask(id!, body as TaskAddParameter);
      case "POST jobs/{id}/addtaskcollection":
        return this.addTaskCollection(id!, body);
      case "GET jobs/{id}/tasks":
        return this.list([...this.job(id!).tasks.values()].sort((a, b) => a.order - b.order).map((t) => this.taskView(t)), url);
      case "GET jobs/{id}/tasks/{sub}":
        return this.one(this.taskView(this.task(id!, subId!)), q);
      case "DELETE jobs/{id}/tasks/{sub}":
        return this.deleteTask(id!, subId!);
      case "POST jobs/{id}/tasks/{sub}/terminate":
        return this.terminateTask(id!, subId!);
      case "GET jobs/{id}/tasks/{sub}/files":
        return this.listTaskFiles(id!, subId!, url);
      case "GET jobs/{id}/tasks/{sub}/files/{path}":
      case "HEAD jobs/{id}/tasks/{sub}/files/{path}":
        return this.getTaskFile(id!, subId!, filePath.join("/"), req);
      case "POST jobschedules":
        validateBody(body, "JobScheduleAdd");
        return this.addSchedule(body as JobScheduleAddParameter);
      case "GET jobschedules":
        return this.list([...this.schedules.values()].map((s) => this.scheduleView(s)), url);
      case "GET jobschedules/{id}":
        return this.one(this.scheduleView(this.schedule(id!)), q);
      case "DELETE jobschedules/{id}":
        return this.deleteSchedule(id!);
      default:
        throw new BatchHttpError(400, "InvalidUri", `The requested URI does not represent any resource on the local Batch service: ${method} ${url.pathname}`);
    }
  }

  private one(view: Record<string, unknown>, q: URLSearchParams) {
    return { status: 200, body: select(view, q.get("$select")), headers: { etag: String(view.eTag ?? ""), "last-modified": new Date(String(view.lastModified ?? now())).toUTCString() } };
  }

  /** Lists with $filter, $select, maxresults and an opaque continuation in odata.nextLink. */
  private list(items: Record<string, unknown>[], url: URL) {
    const q = url.searchParams;
    const filtered = items.filter(parseFilter(q.get("$filter")));
    const max = Math.min(Number(q.get("maxresults") ?? 1000) || 1000, 1000);
    const skip = Number(q.get("skiptoken") ?? 0) || 0;
    const page = filtered.slice(skip, skip + max).map((i) => select(i, q.get("$select")));
    const body: Record<string, unknown> = { value: page };
    if (skip + max < filtered.length) {
      const link = new URL(url.pathname, this.baseUrl);
      link.search = q.toString();
      link.searchParams.set("skiptoken", String(skip + max));
      body["odata.nextLink"] = link.toString();
    }
    return { status: 200, body };
  }

  // ---------------------------------------------------------------- lookups

  private pool(id: string): PoolRecord {
    const p = this.pools.get(id.toLowerCase());
    if (!p) throw notFound("Pool", id);
    return p;
  }

  private job(id: string): JobRecord {
    const j = this.jobs.get(id.toLowerCase());
    if (!j) throw notFound("Job", id);
    return j;
  }

  private task(jobId: string, taskId: string): TaskRecord {
    const t = this.job(jobId).tasks.get(taskId.toLowerCase());
    if (!t) throw notFound("Task", taskId);
    return t;
  }

  private schedule(id: string): ScheduleRecord {
    const s = this.schedules.get(id.toLowerCase());
    if (!s) throw notFound("JobSchedule", id);
    return s;
  }

  private created(path: string, record: { eTag: string; lastModified: string }) {
    return { status: 201, headers: { etag: record.eTag, "last-modified": new Date(record.lastModified).toUTCString(), location: `${this.baseUrl}${path}`, dataserviceid: `${this.baseUrl}${path}` } };
  }

  // ---------------------------------------------------------------- pools

  private addPool(body: PoolAddParameter) {
    validateBody(body, "PoolAdd");
    if (!ID.test(body.id)) throw invalidValue("id", "ids are 1 to 64 letters, digits, hyphens and underscores");
    if (this.pools.has(body.id.toLowerCase())) throw exists("Pool", body.id);
    if (body.enableAutoScale) throw invalidValue("enableAutoScale", "autoscale formulas are not evaluated by the local Batch service; give targetDedicatedNodes");
    const t = now();
    const count = Math.min((body.targetDedicatedNodes ?? 0) + (body.targetLowPriorityNodes ?? 0), this.options.maxNodesPerPool ?? 2);
    const nodes: NodeRecord[] = Array.from({ length: count }, (_, i) => ({
      id: `tvmps_local_${body.id.toLowerCase()}_${i + 1}`,
      state: "creating",
      stateTransitionTime: t,
      usedSlots: 0,
      running: new Set(),
      totalTasksRun: 0,
      totalTasksSucceeded: 0,
      jobPrepDone: new Map(),
    }));
    const record: PoolRecord = { body, creationTime: t, stateTransitionTime: t, allocationState: "resizing", allocationStateTransitionTime: t, state: "active", eTag: etag(), lastModified: t, nodes, resizeErrors: [], ready: Promise.resolve() };
    this.pools.set(body.id.toLowerCase(), record);
    record.ready = this.track(this.startPool(record));
    return this.created(`/pools/${body.id}`, record);
  }

  /** Registry logins and image prefetch once per pool, then each node's start task. */
  private async startPool(pool: PoolRecord): Promise<void> {
    const executor = this.options.executor;
    const container = pool.body.virtualMachineConfiguration?.containerConfiguration;
    let prefetchError: { code: string; message: string } | undefined;
    await Promise.all(pool.nodes.map(async (n) => (n.dirs = await createNodeDirs(join(this.options.dataDir, "pools", pool.body.id, "nodes", n.id)))));
    pool.allocationState = "steady";
    pool.allocationStateTransitionTime = now();
    for (const n of pool.nodes) this.setNodeState(n, "starting");
    if (container && executor.kind === "docker") {
      try {
        for (const r of container.containerRegistries ?? []) {
          if (r.username && r.password && r.registryServer) await executor.login!(r.registryServer, r.username, r.password);
        }
        for (const image of container.containerImageNames ?? []) await executor.pull!(image);
      } catch (error) {
        prefetchError = { code: "ContainerImagePullFailed", message: (error as Error).message };
      }
    }
    await Promise.all(
      pool.nodes.map(async (node) => {
        if (prefetchError) {
          node.errors = [prefetchError];
          return this.setNodeState(node, "unusable");
        }
        const start = pool.body.startTask;
        if (!start) return this.setNodeState(node, "idle");
        this.setNodeState(node, "waitingforstarttask");
        const startTime = now();
        node.startTaskInfo = { state: "running", startTime, retryCount: 0 };
        let exitCode = 0;
        let failure: { code: string; message: string } | undefined;
        for (let attempt = 0; attempt <= Math.max(0, start.maxTaskRetryCount ?? 0); attempt++) {
          // Batch runs a failed start task again up to maxTaskRetryCount; its resource files come once.
          const ctx = this.nodeTask(pool, node, undefined, start, "starttask", node.dirs!.startup, attempt);
          const r = await this.runAttempt(ctx, new AbortController().signal);
          exitCode = r.exitCode;
          failure = r.failure;
          node.startTaskInfo.retryCount = attempt;
          if (exitCode === 0 && !failure) break;
        }
        node.startTaskInfo = {
          state: "completed",
          startTime,
          endTime: now(),
          exitCode,
          retryCount: node.startTaskInfo.retryCount,
          result: exitCode === 0 && !failure ? "success" : "failure",
          ...(exitCode !== 0 || failure ? { failureInfo: { category: "usererror", ...(failure ?? { code: "FailureExitCode", message: "The task exited with an exit code representing a failure" }) } } : {}),
        };
        const ok = exitCode === 0 && !failure;
        this.setNodeState(node, ok || start.waitForSuccess === false ? "idle" : "starttaskfailed");
      }),
    );
    this.pump();
  }

  private setNodeState(node: NodeRecord, state: NodeRecord["state"]): void {
    node.state = state;
    node.stateTransitionTime = now();
  }

  private deletePool(id: string) {
    const pool = this.pool(id);
    pool.state = "deleting";
    for (const job of this.jobs.values()) {
      if (job.body.poolInfo.poolId?.toLowerCase() === id.toLowerCase()) for (const t of job.tasks.values()) t.abort?.abort(new Error("pool deleted"));
    }
    this.pools.delete(id.toLowerCase());
    void this.track(rm(join(this.options.dataDir, "pools", pool.body.id), { recursive: true, force: true }));
    return { status: 202 };
  }

  private patchPool(id: string, body: unknown) {
    validateBody(body, "PoolPatch");
    const pool = this.pool(id);
    const patch = body as Partial<PoolAddParameter>;
    if (patch.vmSize !== undefined || patch.taskSlotsPerNode !== undefined) throw invalidValue(patch.vmSize !== undefined ? "vmSize" : "taskSlotsPerNode", "cannot be changed on an existing pool");
    Object.assign(pool.body, patch);
    pool.eTag = etag();
    pool.lastModified = now();
    return { status: 200, headers: { etag: pool.eTag } };
  }

  private resizePool(id: string, body: unknown) {
    validateBody(body, "PoolResize");
    const pool = this.pool(id);
    const b = body as { targetDedicatedNodes?: number; targetLowPriorityNodes?: number };
    const target = Math.min((b.targetDedicatedNodes ?? 0) + (b.targetLowPriorityNodes ?? 0), this.options.maxNodesPerPool ?? 2);
    pool.body.targetDedicatedNodes = b.targetDedicatedNodes ?? 0;
    pool.body.targetLowPriorityNodes = b.targetLowPriorityNodes ?? 0;
    while (pool.nodes.length > target) {
      const idle = pool.nodes.findIndex((n) => n.running.size === 0);
      pool.nodes.splice(idle >= 0 ? idle : pool.nodes.length - 1, 1);
    }
    const added: NodeRecord[] = [];
    while (pool.nodes.length < target) {
      const node: NodeRecord = { id: `tvmps_local_${pool.body.id.toLowerCase()}_${pool.nodes.length + 1}`, state: "creating", stateTransitionTime: now(), usedSlots: 0, running: new Set(), totalTasksRun: 0, totalTasksSucceeded: 0, jobPrepDone: new Map() };
      pool.nodes.push(node);
      added.push(node);
    }
    void this.track(
      Promise.all(
        added.map(async (n) => {
          n.dirs = await createNodeDirs(join(this.options.dataDir, "pools", pool.body.id, "nodes", n.id));
          this.setNodeState(n, "idle");
        }),
      ),
    );
    pool.eTag = etag();
    return { status: 202, headers: { etag: pool.eTag } };
  }

  private poolView(p: PoolRecord): Record<string, unknown> {
    const b = p.body;
    return {
      id: b.id,
      ...(b.displayName ? { displayName: b.displayName } : {}),
      url: `${this.baseUrl}/pools/${b.id}`,
      eTag: p.eTag,
      lastModified: p.lastModified,
      creationTime: p.creationTime,
      state: p.state,
      stateTransitionTime: p.stateTransitionTime,
      allocationState: p.allocationState,
      allocationStateTransitionTime: p.allocationStateTransitionTime,
      vmSize: b.vmSize.toLowerCase(),
      ...(b.virtualMachineConfiguration ? { virtualMachineConfiguration: this.withoutPasswords(b.virtualMachineConfiguration) } : {}),
      resizeTimeout: b.resizeTimeout ?? "PT15M",
      ...(p.resizeErrors.length ? { resizeErrors: p.resizeErrors } : {}),
      currentDedicatedNodes: p.nodes.length,
      currentLowPriorityNodes: 0,
      targetDedicatedNodes: b.targetDedicatedNodes ?? 0,
      targetLowPriorityNodes: b.targetLowPriorityNodes ?? 0,
      enableAutoScale: false,
      enableInterNodeCommunication: b.enableInterNodeCommunication ?? false,
      ...(b.startTask ? { startTask: this.withoutPasswords(b.startTask) } : {}),
      taskSlotsPerNode: b.taskSlotsPerNode ?? 1,
      taskSchedulingPolicy: { nodeFillType: "Spread" },
      ...(b.metadata ? { metadata: b.metadata } : {}),
    };
  }

  /** The service never returns registry passwords. */
  private withoutPasswords<T>(value: T): T {
    return JSON.parse(JSON.stringify(value, (k, v) => (k === "password" ? undefined : v)));
  }

  private nodeView(poolId: string, n: NodeRecord): Record<string, unknown> {
    return {
      id: n.id,
      url: `${this.baseUrl}/pools/${poolId}/nodes/${n.id}`,
      state: n.state,
      schedulingState: "enabled",
      stateTransitionTime: n.stateTransitionTime,
      ipAddress: "127.0.0.1",
      vmSize: this.pools.get(poolId.toLowerCase())?.body.vmSize.toLowerCase(),
      totalTasksRun: n.totalTasksRun,
      runningTasksCount: n.running.size,
      runningTaskSlotsCount: n.usedSlots,
      totalTasksSucceeded: n.totalTasksSucceeded,
      isDedicated: true,
      ...(n.startTaskInfo ? { startTaskInfo: n.startTaskInfo } : {}),
      ...(n.errors ? { errors: n.errors } : {}),
    };
  }

  // ---------------------------------------------------------------- jobs

  private addJob(body: JobAddParameter, scheduleId?: string) {
    if (!scheduleId && !ID.test(body.id)) throw invalidValue("id", "ids are 1 to 64 letters, digits, hyphens and underscores");
    if (this.jobs.has(body.id.toLowerCase())) throw exists("Job", body.id);
    if (!body.poolInfo?.poolId) throw invalidValue("poolInfo", "auto pools are not supported by the local Batch service; give poolInfo.poolId");
    const t = now();
    const job: JobRecord = {
      body,
      creationTime: t,
      state: "active",
      stateTransitionTime: t,
      eTag: etag(),
      lastModified: t,
      executionInfo: { startTime: t, poolId: body.poolInfo.poolId },
      tasks: new Map(),
      scheduleId,
    };
    this.jobs.set(body.id.toLowerCase(), job);
    const m = body.jobManagerTask;
    if (m) {
      this.insertTask(job, { ...m, killJobOnCompletion: m.killJobOnCompletion ?? true }, "manager");
    }
    this.pump();
    return this.created(`/jobs/${body.id}`, job);
  }

  private patchJob(id: string, body: unknown) {
    validateBody(body, "JobPatch");
    const job = this.job(id);
    Object.assign(job.body, body as object);
    job.eTag = etag();
    job.lastModified = now();
    this.pump();
    return { status: 200, headers: { etag: job.eTag } };
  }

  private setJobState(job: JobRecord, state: JobRecord["state"]): void {
    job.previousState = job.state;
    job.state = state;
    job.stateTransitionTime = now();
  }

  private terminateJob(id: string, reason: string) {
    const job = this.job(id);
    if (job.state === "completed") throw new BatchHttpError(409, "JobCompleted", "The specified job is already in a completed state.");
    this.endJob(job, reason);
    return { status: 202, headers: { etag: job.eTag } };
  }

  /** Ends a job: running tasks are killed (their containers too), nothing more is scheduled. */
  private endJob(job: JobRecord, reason: string): void {
    if (job.state === "completed") return;
    this.setJobState(job, "terminating");
    job.executionInfo.terminateReason = reason;
    for (const t of job.tasks.values()) {
      if (t.state === "running" || t.state === "preparing") {
        t.endReason = { code: "TaskEnded", message: "Task Was Ended by User Request" };
        t.abort?.abort(new Error(reason));
      }
    }
    this.setJobState(job, "completed");
    job.executionInfo.endTime = now();
    job.eTag = etag();
  }

  private deleteJob(id: string) {
    const job = this.job(id);
    for (const t of job.tasks.values()) {
      t.endReason = { code: "TaskEnded", message: "Task Was Ended by User Request" };
      t.abort?.abort(new Error("job deleted"));
    }
    this.jobs.delete(id.toLowerCase());
    return { status: 202 };
  }

  private jobView(j: JobRecord): Record<string, unknown> {
    const b = j.body;
    return {
      id: b.id,
      ...(b.displayName ? { displayName: b.displayName } : {}),
      usesTaskDependencies: b.usesTaskDependencies ?? false,
      url: `${this.baseUrl}/jobs/${b.id}`,
      eTag: j.eTag,
      lastModified: j.lastModified,
      creationTime: j.creationTime,
      state: j.state,
      stateTransitionTime: j.stateTransitionTime,
      ...(j.previousState ? { previousState: j.previousState } : {}),
      priority: b.priority ?? 0,
      maxParallelTasks: b.maxParallelTasks ?? -1,
      constraints: { maxWallClockTime: b.constraints?.maxWallClockTime ?? UNLIMITED, maxTaskRetryCount: b.constraints?.maxTaskRetryCount ?? 0 },
      ...(b.jobManagerTask ? { jobManagerTask: b.jobManagerTask } : {}),
      ...(b.jobPreparationTask ? { jobPreparationTask: b.jobPreparationTask } : {}),
      ...(b.jobReleaseTask ? { jobReleaseTask: b.jobReleaseTask } : {}),
      ...(b.commonEnvironmentSettings ? { commonEnvironmentSettings: b.commonEnvironmentSettings } : {}),
      poolInfo: b.poolInfo,
      onAllTasksComplete: b.onAllTasksComplete ?? "noaction",
      onTaskFailure: b.onTaskFailure ?? "noaction",
      ...(b.metadata ? { metadata: b.metadata } : {}),
      executionInfo: j.executionInfo,
    };
  }

  private taskCounts(job: JobRecord) {
    const c = { active: 0, running: 0, completed: 0, succeeded: 0, failed: 0 };
    const s = { active: 0, running: 0, completed: 0, succeeded: 0, failed: 0 };
    for (const t of job.tasks.values()) {
      const slots = t.body.requiredSlots ?? 1;
      const bucket = t.state === "preparing" ? "running" : t.state;
      c[bucket]++;
      s[bucket] += slots;
      if (t.state === "completed") {
        const ok = t.executionInfo.result === "success";
        c[ok ? "succeeded" : "failed"]++;
        s[ok ? "succeeded" : "failed"] += slots;
      }
    }
    return { taskCounts: c, taskSlotCounts: s };
  }

  // ---------------------------------------------------------------- tasks

  private insertTask(job: JobRecord, body: TaskAddParameter & { killJobOnCompletion?: boolean }, kind: TaskRecord["kind"] = "task"): TaskRecord {
    const t = now();
    const record: TaskRecord = {
      jobId: job.body.id,
      body,
      kind,
      creationTime: t,
      state: "active",
      stateTransitionTime: t,
      eTag: etag(),
      lastModified: t,
      executionInfo: { retryCount: 0, requeueCount: 0 },
      order: this.taskOrder++,
    };
    job.tasks.set(body.id.toLowerCase(), record);
    return record;
  }

  private checkTaskAdd(job: JobRecord, body: TaskAddParameter): BatchHttpError | undefined {
    if (!ID.test(body.id)) return invalidValue("id", "ids are 1 to 64 letters, digits, hyphens and underscores");
    if (job.state !== "active") return new BatchHttpError(409, "JobCompleted", "The specified job is already in a completed state.");
    if (job.tasks.has(body.id.toLowerCase())) return exists("Task", body.id);
    if (body.dependsOn && !job.body.usesTaskDependencies) {
      return new BatchHttpError(409, "TaskDependenciesNotSpecifiedOnJob", "The task has dependencies, but the job does not have usesTaskDependencies set.");
    }
    const pool = this.pools.get(job.body.poolInfo.poolId!.toLowerCase());
    if (body.containerSettings && pool && !pool.body.virtualMachineConfiguration?.containerConfiguration) {
      return new BatchHttpError(409, "InvalidPropertyValue", "Container settings are given, but the pool has no container configuration.", [{ key: "PropertyName", value: "containerSettings" }]);
    }
    return undefined;
  }

  private addTask(jobId: string, body: TaskAddParameter) {
    const job = this.job(jobId);
    const error = this.checkTaskAdd(job, body);
    if (error) throw error;
    const t = this.insertTask(job, body);
    this.pump();
    return this.created(`/jobs/${job.body.id}/tasks/${body.id}`, t);
  }

  private addTaskCollection(jobId: string, body: unknown) {
    const job = this.job(jobId);
    validateBody(body, "TaskCollection");
    const value = (body as { value: TaskAddParameter[] }).value;
    if (value.length > 100) {
      throw new BatchHttpError(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.", [{ key: "MaxLimit", value: "100 tasks" }]);
    }
    const results = value.map((task) => {
      const error = this.checkTaskAdd(job, task);
      if (error) return { status: "clienterror", taskId: task.id, error: error.body() };
      const t = this.insertTask(job, task);
      return { status: "success", taskId: task.id, eTag: t.eTag, lastModified: t.lastModified, location: `${this.baseUrl}/jobs/${job.body.id}/tasks/${task.id}` };
    });
    this.pump();
    return { status: 200, body: { value: results } };
  }

  private deleteTask(jobId: string, taskId: string) {
    const job = this.job(jobId);
    const t = this.task(jobId, taskId);
    t.endReason = { code: "TaskEnded", message: "Task Was Ended by User Request" };
    t.abort?.abort(new Error("task deleted"));
    job.tasks.delete(taskId.toLowerCase());
    return { status: 200 };
  }

  private terminateTask(jobId: string, taskId: string) {
    const t = this.task(jobId, taskId);
    if (t.state === "completed") return { status: 204 };
    t.endReason = { code: "TaskEnded", message: "Task Was Ended by User Request" };
    if (t.abort) t.abort.abort(new Error("task terminated"));
    else this.completeTask(t, undefined, { code: "TaskEnded", message: "Task Was Ended by User Request" });
    return { status: 204 };
  }

  private taskView(t: TaskRecord): Record<string, unknown> {
    const b = t.body;
    const job = this.jobs.get(t.jobId.toLowerCase());
    const { killJobOnCompletion: _k, ...body } = b;
    const constraints = {
      maxWallClockTime: b.constraints?.maxWallClockTime ?? UNLIMITED,
      retentionTime: b.constraints?.retentionTime ?? "P7D",
      maxTaskRetryCount: b.constraints?.maxTaskRetryCount ?? job?.body.constraints?.maxTaskRetryCount ?? 0,
    };
    const { constraints: _c, ...rest } = body as TaskAddParameter & Record<string, unknown>;
    if (t.kind === "manager") {
      for (const k of ["runExclusive", "allowLowPriorityNode"]) delete (rest as Record<string, unknown>)[k];
    }
    return {
      ...rest,
      url: `${this.baseUrl}/jobs/${t.jobId}/tasks/${b.id}`,
      eTag: t.eTag,
      lastModified: t.lastModified,
      creationTime: t.creationTime,
      state: t.state,
      stateTransitionTime: t.stateTransitionTime,
      ...(t.previousState ? { previousState: t.previousState, previousStateTransitionTime: t.previousStateTransitionTime } : {}),
      constraints,
      requiredSlots: b.requiredSlots ?? 1,
      executionInfo: t.executionInfo,
      ...(t.nodeInfo ? { nodeInfo: t.nodeInfo } : {}),
    };
  }

  private setTaskState(t: TaskRecord, state: TaskState): void {
    t.previousState = t.state;
    t.previousStateTransitionTime = t.stateTransitionTime;
    t.state = state;
    t.stateTransitionTime = now();
    t.eTag = etag();
    t.lastModified = t.stateTransitionTime;
  }

  // ---------------------------------------------------------------- scheduling

  /** Dependencies are satisfied when every parent completed successfully. */
  private dependenciesMet(job: JobRecord, t: TaskRecord): boolean {
    const deps = t.body.dependsOn;
    if (!deps) return true;
    const done = (id: string) => {
      const parent = job.tasks.get(id.toLowerCase());
      return parent?.state === "completed" && parent.executionInfo.result === "success";
    };
    for (const id of deps.taskIds ?? []) if (!done(id)) return false;
    for (const r of deps.taskIdRanges ?? []) for (let i = r.start; i <= r.end; i++) if (!done(String(i))) return false;
    return true;
  }

  /** Places runnable tasks on free slots. Cheap; called on every change and on a timer. */
  pump(): void {
    if (this.closed) return;
    for (const job of this.jobs.values()) {
      if (job.state !== "active") continue;
      const pool = this.pools.get((job.body.poolInfo.poolId ?? "").toLowerCase());
      if (!pool) continue;
      const slotsPerNode = pool.body.taskSlotsPerNode ?? 1;
      const max = job.body.maxParallelTasks ?? -1;
      let running = [...job.tasks.values()].filter((t) => t.state === "running" || t.state === "preparing").length;
      const pending = [...job.tasks.values()].filter((t) => t.state === "active").sort((a, b) => (a.kind === "manager" ? -1 : b.kind === "manager" ? 1 : a.order - b.order));
      for (const t of pending) {
        if (max > 0 && running >= max) break;
        if (!this.dependenciesMet(job, t)) continue;
        const slots = t.body.requiredSlots ?? 1;
        const node = pool.nodes
          .filter((n) => (n.state === "idle" || n.state === "running") && n.usedSlots + slots <= slotsPerNode)
          .sort((a, b) => a.usedSlots - b.usedSlots)[0];
        if (!node) continue;
        running++;
        node.usedSlots += slots;
        node.running.add(t);
        this.setNodeState(node, "running");
        void this.track(this.execute(job, pool, node, t));
      }
    }
  }

  private async execute(job: JobRecord, pool: PoolRecord, node: NodeRecord, t: TaskRecord): Promise<void> {
    t.abort = new AbortController();
    const taskDir = join(node.dirs!.workitems, job.body.id, "job-1", t.body.id);
    t.taskDir = taskDir;
    t.nodeInfo = { affinityId: node.id, nodeUrl: `${this.baseUrl}/pools/${pool.body.id}/nodes/${node.id}`, poolId: pool.body.id, nodeId: node.id, taskRootDirectory: `workitems/${job.body.id}/job-1/${t.body.id}`, taskRootDirectoryUrl: `${this.baseUrl}/jobs/${job.body.id}/tasks/${t.body.id}/files` };
    this.setTaskState(t, "preparing");
    let failure: { code: string; message: string; category?: string } | undefined;
    let exitCode: number | undefined;
    try {
      await mkdir(join(taskDir, "wd"), { recursive: true });
      const prepOk = await this.jobPreparation(job, pool, node);
      if (!prepOk) {
        failure = { code: "JobPreparationTaskFailed", message: "The job preparation task failed on the node; the task was not run." };
      } else {
        this.setTaskState(t, "running");
        t.executionInfo.startTime = now();
        const maxRetries = t.body.constraints?.maxTaskRetryCount ?? job.body.constraints?.maxTaskRetryCount ?? 0;
        const wallClock = parseDuration(t.body.constraints?.maxWallClockTime);
        const timer = wallClock !== undefined ? setTimeout(() => {
          t.endReason = { code: "MaxWallClockTimeExceeded", message: `The task ran longer than its maximum wall clock time (${t.body.constraints?.maxWallClockTime}) and was ended` };
          t.abort?.abort(new Error("wall clock"));
        }, wallClock) : undefined;
        try {
          for (let attempt = 0; ; attempt++) {
            const ctx = this.nodeTask(pool, node, job, t.body, t.body.id, taskDir, attempt);
            const r = await this.runAttempt(ctx, t.abort.signal);
            exitCode = r.exitCode;
            failure = r.failure;
            if (t.abort.signal.aborted) break;
            const ok = exitCode === 0 && !failure;
            if (ok || (maxRetries !== -1 && attempt >= maxRetries)) break;
            t.executionInfo.retryCount = attempt + 1;
            t.executionInfo.lastRetryTime = now();
          }
        } finally {
          clearTimeout(timer);
        }
      }
      const succeeded = exitCode === 0 && !failure && !t.endReason;
      if (!t.endReason) {
        try {
          await uploadOutputFiles(t.body.outputFiles, taskDir, succeeded);
        } catch (error) {
          failure = { code: (error as TaskFailure).code ?? "FileUploadMiscError", message: (error as Error).message };
        }
      }
    } catch (error) {
      failure = error instanceof TaskFailure ? { code: error.code, message: error.message, category: error.category } : { code: "TaskFailed", message: (error as Error).message, category: "servererror" };
    } finally {
      node.usedSlots -= t.body.requiredSlots ?? 1;
      node.running.delete(t);
      node.totalTasksRun++;
      if (node.running.size === 0 && node.state === "running") this.setNodeState(node, "idle");
    }
    this.completeTask(t, exitCode, t.endReason ?? failure, node);
    this.pump();
  }

  private completeTask(t: TaskRecord, exitCode: number | undefined, failure: { code: string; message: string; category?: string } | undefined, node?: NodeRecord): void {
    const ok = exitCode === 0 && !failure;
    t.executionInfo.endTime = now();
    t.executionInfo.startTime ??= t.executionInfo.endTime;
    if (exitCode !== undefined && exitCode >= 0) t.executionInfo.exitCode = exitCode;
    t.executionInfo.result = ok ? "success" : "failure";
    if (!ok) {
      t.executionInfo.failureInfo = failure
        ? { category: failure.category ?? "usererror", code: failure.code, message: failure.message }
        : { category: "usererror", code: "FailureExitCode", message: "The task exited with an exit code representing a failure" };
    }
    if (ok && node) node.totalTasksSucceeded++;
    t.abort = undefined;
    this.setTaskState(t, "completed");
    const job = this.jobs.get(t.jobId.toLowerCase());
    if (!job || job.state !== "active") return;
    if (t.kind === "manager" && t.body.killJobOnCompletion !== false) {
      this.endJob(job, "JMComplete");
      void this.track(this.jobRelease(job));
      return;
    }
    const tasks = [...job.tasks.values()];
    if (job.body.onAllTasksComplete?.toLowerCase() === "terminatejob" && tasks.length > 0 && tasks.every((x) => x.state === "completed")) {
      this.endJob(job, "AllTasksComplete");
      void this.track(this.jobRelease(job));
    }
  }

  /** Runs the job preparation task once per node, before the first task of the job there. */
  private jobPreparation(job: JobRecord, pool: PoolRecord, node: NodeRecord): Promise<boolean> {
    const prep = job.body.jobPreparationTask;
    if (!prep) return Promise.resolve(true);
    let done = node.jobPrepDone.get(job.body.id);
    if (!done) {
      done = (async () => {
        const dir = join(node.dirs!.workitems, job.body.id, "job-1", "jobpreparation");
        const r = await this.runAttempt({ ...this.nodeTask(pool, node, job, prep, prep.id ?? "jobpreparation", dir), jobPrepDir: undefined }, new AbortController().signal);
        return (r.exitCode === 0 && !r.failure) || prep.waitForSuccess === false;
      })();
      node.jobPrepDone.set(job.body.id, done);
    }
    return done;
  }

  /** Runs the job release task on every node that ran the preparation task. */
  private async jobRelease(job: JobRecord): Promise<void> {
    const release = job.body.jobReleaseTask;
    const pool = this.pools.get((job.body.poolInfo.poolId ?? "").toLowerCase());
    if (!release || !pool) return;
    for (const node of pool.nodes) {
      if (!node.jobPrepDone.has(job.body.id)) continue;
      const dir = join(node.dirs!.workitems, job.body.id, "job-1", "jobrelease");
      await this.runAttempt(this.nodeTask(pool, node, job, release, release.id ?? "jobrelease", dir), AbortSignal.timeout(parseDuration(release.maxWallClockTime) ?? 15 * 60_000));
    }
  }

  /** The context of any task on a node: start, preparation, release, manager or ordinary task. */
  private nodeTask(
    pool: PoolRecord,
    node: NodeRecord,
    job: JobRecord | undefined,
    task: Pick<TaskAddParameter, "commandLine" | "containerSettings" | "environmentSettings" | "resourceFiles" | "userIdentity">,
    taskId: string,
    taskDir: string,
    attempt = 0,
  ): TaskContext {
    const jobId = job?.body.id ?? "";
    return {
      jobId,
      taskId,
      poolId: pool.body.id,
      nodeId: node.id,
      node: node.dirs!,
      taskDir,
      commandLine: task.commandLine,
      containerSettings: task.containerSettings,
      env: [...(job?.body.commonEnvironmentSettings ?? []), ...(task.environmentSettings ?? [])],
      resourceFiles: attempt === 0 ? task.resourceFiles : undefined,
      attempt,
      isAdmin: task.userIdentity?.autoUser?.elevationLevel === "admin",
      jobPrepDir: job?.body.jobPreparationTask ? join(node.dirs!.workitems, jobId, "job-1", "jobpreparation") : undefined,
    };
  }

  private async runAttempt(ctx: TaskContext, signal: AbortSignal): Promise<{ exitCode: number; failure?: { code: string; message: string; category?: string } }> {
    await mkdir(join(ctx.taskDir, "wd"), { recursive: true });
    try {
      const r = await runOnNode(this.options.executor, ctx, signal);
      if (r.startError) {
        const category = r.startError.code === "ContainerImagePullFailed" || r.startError.code === "CommandNotFound" ? "usererror" : "servererror";
        const f = await open(join(ctx.taskDir, "stderr.txt"), "a");
        await f.appendFile(`${r.startError.code}: ${r.startError.message}\n`);
        await f.close();
        return { exitCode: r.exitCode, failure: { ...r.startError, category } };
      }
      return { exitCode: r.exitCode };
    } catch (error) {
      if (error instanceof TaskFailure) return { exitCode: -1, failure: { code: error.code, message: error.message, category: error.category } };
      throw error;
    }
  }

  // ---------------------------------------------------------------- files

  private taskDirOf(jobId: string, taskId: string): string {
    const t = this.task(jobId, taskId);
    if (!t.taskDir) throw notFound("File", taskId);
    return t.taskDir;
  }

  private async listTaskFiles(jobId: string, taskId: string, url: URL) {
    const q = url.searchParams;
    const dir = this.taskDirOf(jobId, taskId);
    const files = await listFiles(dir, q.get("recursive") === "true");
    const items = files.map((f) => ({
      name: f.name,
      url: `${this.baseUrl}/jobs/${jobId}/tasks/${taskId}/files/${f.name}`,
      isDirectory: f.isDirectory,
      properties: { creationTime: f.ctime.toISOString(), lastModified: f.mtime.toISOString(), contentLength: f.size, contentType: "application/octet-stream" },
    }));
    return this.list(items, url);
  }

  private async getTaskFile(jobId: string, taskId: string, path: string, req: IncomingMessage) {
    const dir = this.taskDirOf(jobId, taskId);
    const full = join(dir, path);
    if (!full.startsWith(dir + "/")) throw notFound("File", path);
    const info = await fileInfo(full);
    if (!info || info.isDirectory) throw notFound("File", path);
    const headers = {
      "content-type": "application/octet-stream",
      "last-modified": info.mtime.toUTCString(),
      etag: `0x${info.mtime.getTime().toString(16).toUpperCase()}`,
      "ocp-creation-time": info.ctime.toUTCString(),
      "ocp-batch-file-isdirectory": "false",
      "ocp-batch-file-url": `${this.baseUrl}/jobs/${jobId}/tasks/${taskId}/files/${path}`,
      "ocp-batch-file-mode": "0100644",
    };
    if (req.method === "HEAD") return { status: 200, headers: { ...headers, "content-length": String(info.size) }, raw: Buffer.alloc(0) };
    const f = await open(full, "r");
    try {
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers["ocp-range"] ?? ""));
      const start = range ? Number(range[1]) : 0;
      const end = range && range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
      const length = Math.max(0, end - start + 1);
      const buffer = Buffer.alloc(length);
      if (length > 0) await f.read(buffer, 0, length, start);
      return { status: 200, headers: { ...headers, "content-length": String(length) }, raw: buffer };
    } finally {
      await f.close();
    }
  }

  // ---------------------------------------------------------------- job schedules

  private addSchedule(body: JobScheduleAddParameter) {
    if (!ID.test(body.id)) throw invalidValue("id", "ids are 1 to 64 letters, digits, hyphens and underscores");
    if (this.schedules.has(body.id.toLowerCase())) throw exists("JobSchedule", body.id);
    const t = now();
    const record: ScheduleRecord = { body, creationTime: t, state: "active", stateTransitionTime: t, eTag: etag(), lastModified: t, jobCount: 0 };
    this.schedules.set(body.id.toLowerCase(), record);
    this.planNextRun(record, Date.parse(body.schedule.doNotRunUntil ?? t));
    return this.created(`/jobschedules/${body.id}`, record);
  }

  /** A recurrence really creates jobs: one per interval, while the previous one is not active. */
  private planNextRun(s: ScheduleRecord, at: number): void {
    if (this.closed || s.state !== "active") return;
    const after = s.body.schedule.doNotRunAfter ? Date.parse(s.body.schedule.doNotRunAfter) : Infinity;
    if (at > after) {
      s.state = "completed";
      s.stateTransitionTime = now();
      return;
    }
    s.nextRunTime = new Date(at).toISOString();
    s.timer = setTimeout(() => {
      const previous = s.recentJobId ? this.jobs.get(s.recentJobId.toLowerCase()) : undefined;
      if (!previous || previous.state !== "active") {
        s.jobCount++;
        const id = `${s.body.id}:job-${s.jobCount}`;
        this.addJob({ ...s.body.jobSpecification, id } as JobAddParameter, s.body.id);
        s.recentJobId = id;
      }
      const interval = parseDuration(s.body.schedule.recurrenceInterval);
      if (interval === undefined) {
        s.nextRunTime = undefined;
        return;
      }
      this.planNextRun(s, Math.max(Date.now(), at + interval));
    }, Math.max(0, at - Date.now()));
  }

  private deleteSchedule(id: string) {
    const s = this.schedule(id);
    clearTimeout(s.timer);
    s.state = "deleting";
    for (const job of [...this.jobs.values()]) if (job.scheduleId?.toLowerCase() === id.toLowerCase()) this.deleteJob(job.body.id);
    this.schedules.delete(id.toLowerCase());
    return { status: 202 };
  }

  private scheduleView(s: ScheduleRecord): Record<string, unknown> {
    return {
      id: s.body.id,
      ...(s.body.displayName ? { displayName: s.body.displayName } : {}),
      url: `${this.baseUrl}/jobschedules/${s.body.id}`,
      eTag: s.eTag,
      lastModified: s.lastModified,
      creationTime: s.creationTime,
      state: s.state,
      stateTransitionTime: s.stateTransitionTime,
      schedule: s.body.schedule,
      jobSpecification: s.body.jobSpecification,
      executionInfo: {
        ...(s.nextRunTime ? { nextRunTime: s.nextRunTime } : {}),
        ...(s.recentJobId ? { recentJob: { id: s.recentJobId, url: `${this.baseUrl}/jobs/${s.recentJobId}` } } : {}),
      },
      ...(s.body.metadata ? { metadata: s.body.metadata } : {}),
    };
  }
}
