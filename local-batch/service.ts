/**
 * The local Batch service: an HTTP server speaking the part of the Azure Batch REST API
 * (2025-06-01 and 2024-07-01.20.0) that this project uses, which really runs the tasks: in containers through
 * Docker where an engine is reachable, or as host processes.
 *
 * State lives in memory (`state.ts`); node directories live under `dataDir`, laid out like a
 * Batch node's. The parts: `http/` (server, limits, faults, listings), `routes.ts`, `resources/`
 * (one file per kind of resource), `scheduler/` (placing and running tasks, node lifecycles) and
 * `runtime/` (what happens on a node: executors, files).
 */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultInjector, type InjectedFaults } from "./faults.js";
import { BatchErrors } from "./errors.js";
import { createRequestHandler, rawBatchError } from "./http/server.js";
import type { Executor } from "./runtime/executors.js";
import { loadState, restore, saveState, snapshot } from "./persistence.js";
import { resumeSchedule } from "./resources/schedules.js";
import { endHandle } from "./runtime/executors.js";
import { defaultRuntimeDir, Lease, sweepLeases } from "./runtime/leftovers.js";
import { route } from "./routes.js";
import { preemptNode, startPool } from "./scheduler/nodes.js";
import { pump } from "./scheduler/scheduler.js";
import type { ApplicationRecord, JobRecord, LocalBatchOptions, PoolRecord, ScheduleRecord, ServiceContext } from "./state.js";

export type { FaultOptions, Misbehavior } from "./faults.js";

/** How soon after a change the state is written. */
const SAVE_DELAY_MS = 50;
export type { Exchange, LocalBatchOptions } from "./state.js";

export class LocalBatchService {
  readonly pools = new Map<string, PoolRecord>();
  readonly jobs = new Map<string, JobRecord>();
  readonly schedules = new Map<string, ScheduleRecord>();
  readonly applications = new Map<string, ApplicationRecord>();
  private server?: Server;
  private baseUrl = "";
  private taskOrder = 0;
  private pumpTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly faults: FaultInjector;
  private saveTimer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();
  private readonly ctx: ServiceContext;
  private lease?: Lease;

  constructor(private readonly options: LocalBatchOptions) {
    this.faults = new FaultInjector(options.faults);
    // The context's getters read the service's fields as they change (a getter cannot be an arrow function).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const service = this;
    this.ctx = {
      options,
      pools: this.pools,
      jobs: this.jobs,
      schedules: this.schedules,
      applications: this.applications,
      get baseUrl() {
        return service.baseUrl;
      },
      get closed() {
        return service.closed;
      },
      nextTaskOrder: () => this.taskOrder++,
      track: (p) => this.track(p),
      pump: () => pump(this.ctx),
      touch: () => this.touch(),
      live: new Map(),
      get lease() {
        return service.lease;
      },
      log: (m) => this.options.log?.(m),
      console: { token: randomBytes(18).toString("base64url"), exchanges: [] },
    };
  }

  get url(): string {
    return this.baseUrl;
  }

  get executorKind(): Executor["kind"] {
    return this.options.executor.kind;
  }

  /** What fault injection did, so that tests and benchmarks can show the faults really happened. */
  get injected(): InjectedFaults {
    return this.faults.injected;
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    // What services killed before left (their containers, processes and own data folders) goes first.
    const runtimeDir = this.options.runtimeDir ?? defaultRuntimeDir();
    sweepLeases(runtimeDir, (m) => this.options.log?.(m));
    const containers = (await this.options.executor.sweep?.()) ?? 0;
    if (containers) this.options.log?.(`removed ${containers} container(s) a killed local service left`);
    this.lease = Lease.open(runtimeDir, this.options.dataDir, this.options.ownsDataDir ?? false);
    await mkdir(this.options.dataDir, { recursive: true });
    const saved = await loadState(this.options.dataDir);
    const restarted = saved ? restore(this.ctx, saved) : undefined;
    if (saved) this.taskOrder = saved.taskOrder;
    // What the previous run of the service left running is ended before anything runs again.
    for (const handle of restarted?.orphans ?? []) endHandle(handle);
    const handle = createRequestHandler(this.ctx, this.faults, (method, url, body, req) => route(this.ctx, method, url, body, req));
    const t = this.options.timeouts ?? {};
    this.server = createServer(
      { headersTimeout: t.headersMs ?? 10_000, requestTimeout: t.requestMs ?? 30_000, connectionsCheckingInterval: Math.min(t.headersMs ?? 10_000, 1_000) },
      (req, res) => {
        handle(req, res).catch((error: unknown) => {
          this.options.log?.(`internal error: ${(error as Error)?.stack ?? error}`);
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      },
    );
    this.server.keepAliveTimeout = 65_000;
    // Slow or idle peers do not hold sockets forever, and there are only so many at once.
    this.server.timeout = 60_000;
    this.server.maxConnections = this.options.maxConnections ?? 256;
    // What Node's parser refuses (a malformed request line, headers too large, a bad encoding) gets
    // a Batch error body too, then the connection is closed.
    this.server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
      const timedOut = error.code === "ERR_HTTP_REQUEST_TIMEOUT";
      const status = tooLarge ? 431 : timedOut ? 408 : 400;
      const reason = tooLarge ? "Request Header Fields Too Large" : timedOut ? "Request Timeout" : "Bad Request";
      const code = tooLarge ? "RequestHeaderTooLarge" : timedOut ? "RequestTimeout" : "InvalidRequest";
      socket.end(rawBatchError(status, reason, BatchErrors.unreadable(status, code, error.code ?? error.message)));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${address.port}`;
    // The nodes of a restored pool start again, as after a reboot; schedules resume.
    for (const pool of restarted?.pools ?? []) void this.track(startPool(this.ctx, pool));
    for (const schedule of this.schedules.values()) resumeSchedule(this.ctx, schedule);
    this.pumpTimer = setInterval(() => this.pump(), 100);
    return this.baseUrl;
  }

  /**
   * Saves the state soon: changes come in bursts, and one write covers a burst. A write costs what
   * the state weighs (a job of 100,000 tasks is tens of MB), so the next one waits at least nine
   * times as long as the last took: saving takes at most a tenth of the service's time.
   */
  private touch(): void {
    if (this.closed || this.saveTimer) return;
    this.saveTimer = setTimeout(
      () => {
        this.saveTimer = undefined;
        void this.save();
      },
      Math.max(SAVE_DELAY_MS, 9 * this.lastSaveMs),
    );
  }

  private lastSaveMs = 0;

  private save(): Promise<void> {
    const started = performance.now();
    const state = snapshot(this.ctx, this.taskOrder);
    this.saving = this.saving
      .then(() => saveState(this.options.dataDir, state))
      .then(() => void (this.lastSaveMs = performance.now() - started))
      .catch((error: unknown) => this.options.log?.(`could not save the state: ${(error as Error).message}`));
    return this.saving;
  }

  /**
   * Azure takes back Spot capacity: the pool's Spot nodes (or the one named) are preempted, their
   * running tasks requeued, and they come back as fresh nodes after `backAfterMs` (default 1 s).
   * Returns the ids of the nodes preempted.
   */
  preemptSpotNodes(poolId: string, options: { nodeId?: string; backAfterMs?: number } = {}): string[] {
    const pool = this.ctx.pools.get(poolId.toLowerCase());
    if (!pool) throw new Error(`no pool ${poolId}`);
    const nodes = pool.nodes.filter((n) => n.lowPriority && !n.draining && (options.nodeId === undefined || n.id === options.nodeId));
    for (const node of nodes) void this.track(preemptNode(this.ctx, pool, node, options.backAfterMs ?? 1000));
    return nodes.map((n) => n.id);
  }

  /** The web console's login link (one token per service start; it sets a cookie for the console's pages). */
  consoleUrl(): string {
    return `${this.baseUrl}/console/login?token=${this.ctx.console.token}`;
  }

  /** Places runnable tasks on free slots now (it also runs on every change and on a timer). */
  pump(): void {
    pump(this.ctx);
  }

  /**
   * Stops timers, kills running work (start tasks included), closes the server. The state is
   * saved first, with the work as it was: started again, the service runs it again.
   */
  async close(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.baseUrl) await this.save();
    this.closed = true;
    clearInterval(this.pumpTimer);
    for (const s of this.schedules.values()) clearTimeout(s.timer);
    for (const pool of this.pools.values()) pool.abort.abort(new Error("service closing"));
    for (const job of this.jobs.values()) for (const t of job.tasks.values()) t.abort?.abort(new Error("service closing"));
    await Promise.allSettled([...this.inflight]);
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
    this.lease?.release();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => {});
    return p;
  }
}
