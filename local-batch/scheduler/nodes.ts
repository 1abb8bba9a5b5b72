/**
 * What runs on a node besides ordinary tasks: the pool's start (registry logins, image prefetch,
 * the start task on each node), job preparation once per node before the job's first task there,
 * and job release on every node that ran the preparation. Also the one place that turns any kind
 * of task into a run on a node.
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import type { TaskAddParameter } from "../../shared/batch/types.js";
import { parseDuration } from "../../shared/batch/duration.js";
import { createNodeDirs, runOnNode, TaskFailure, type TaskContext } from "../runtime/taskRunner.js";
import { installPackages } from "./packages.js";
import type { SignAsIdentity } from "../runtime/blobTransfers.js";
import { signAsIdentity } from "../runtime/storageLogins.js";
import type { TaskRecord } from "../state.js";
import { now, setNodeState, setTaskState, type JobRecord, type NodeRecord, type PoolRecord, type ServiceContext } from "../state.js";

export interface AttemptResult {
  exitCode: number;
  failure?: { code: string; message: string; category?: string };
}

/** Registry logins and image prefetch once per pool, then each node's start task. */
export async function startPool(ctx: ServiceContext, pool: PoolRecord): Promise<void> {
  const executor = ctx.options.executor;
  const container = pool.body.virtualMachineConfiguration?.containerConfiguration;
  let prefetchError: { code: string; message: string } | undefined;
  await Promise.all(pool.nodes.map(async (n) => (n.dirs = await createNodeDirs(nodeDir(ctx, pool, n)))));
  pool.allocationState = "steady";
  pool.allocationStateTransitionTime = now();
  for (const n of pool.nodes) setNodeState(n, "starting");
  if (container && executor.kind === "docker") {
    // Where each registry server really is, for servers reached through an identity mapping.
    const addresses = new Map<string, string>();
    try {
      for (const r of container.containerRegistries ?? []) {
        if (r.username && r.password && r.registryServer) await executor.login!(r.registryServer, r.username, r.password);
        const identity = r.identityReference?.resourceId;
        if (identity && r.registryServer) {
          // The local stand-in for the node's managed identity with AcrPull: the logins the configuration maps to it.
          const mapped = (ctx.options.identityRegistries ?? []).find(
            (m) => m.identity.toLowerCase() === identity.toLowerCase() && m.server.toLowerCase() === r.registryServer!.toLowerCase(),
          );
          if (!mapped) {
            prefetchError = {
              code: "ContainerRegistryLoginFailed",
              message: `the node could not log in to ${r.registryServer} with the managed identity ${identity}: the local Batch service has no registry login for that identity and registry (its identityRegistries configuration)`,
            };
            break;
          }
          await executor.login!(mapped.address ?? mapped.server, mapped.username, mapped.password);
          if (mapped.address) addresses.set(mapped.server.toLowerCase(), mapped.address);
        }
      }
      if (!prefetchError) {
        for (const image of container.containerImageNames ?? []) {
          const slash = image.indexOf("/");
          const address = slash > 0 ? addresses.get(image.slice(0, slash).toLowerCase()) : undefined;
          if (address) await executor.pull!(`${address}${image.slice(slash)}`, image);
          else await executor.pull!(image);
        }
      }
    } catch (error) {
      prefetchError = { code: "ContainerImagePullFailed", message: (error as Error).message };
    }
  }
  await Promise.all(pool.nodes.map((node) => (prefetchError ? markUnusable(node, prefetchError) : runStartTask(ctx, pool, node))));
  ctx.pump();
}

/** Nodes a resize added: their folders, then the pool's start task, as the pool's first nodes had. */
export async function startNodes(ctx: ServiceContext, pool: PoolRecord, nodes: NodeRecord[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      node.dirs = await createNodeDirs(nodeDir(ctx, pool, node));
      setNodeState(node, "starting");
      await runStartTask(ctx, pool, node);
    }),
  );
  ctx.pump();
}

/** Tasks stopped to run again elsewhere (their node is leaving, rebooting or reimaged with `requeue`). */
export const requeued = new WeakSet<TaskRecord>();

/**
 * Ends what runs on a node the way a deallocation, reboot or reimage option says: `requeue` stops
 * the tasks and puts them back to run again, `terminate` stops them and completes them as ended;
 * `taskcompletion` and `retaineddata` let them finish. Either way no new task is placed there.
 */
export function stopNodeTasks(node: NodeRecord, option: "requeue" | "terminate" | "taskcompletion" | "retaineddata", why: string): void {
  if (option !== "requeue" && option !== "terminate") return;
  for (const t of node.running) {
    if (option === "requeue") requeued.add(t);
    else t.endReason = { code: "TaskEnded", message: `The task was ended: ${why} with the option terminate` };
    t.abort?.abort(new Error(why));
  }
}

/** Resolves once nothing runs on the node. */
export function whenIdle(node: NodeRecord): Promise<void> {
  if (node.running.size === 0) return Promise.resolve();
  return new Promise((resolve) => node.idleWaiters.push(resolve));
}

/** A task that was running goes back to active, to run again from the start, its requeue counted. */
export function requeueTask(t: TaskRecord): void {
  t.abort = undefined;
  t.endReason = undefined;
  t.nodeInfo = undefined;
  t.taskDir = undefined;
  t.executionInfo = { ...t.executionInfo, requeueCount: t.executionInfo.requeueCount + 1 };
  delete t.executionInfo.startTime;
  setTaskState(t, "active");
}

/** What happens to a node's running tasks when it leaves the pool, reboots or is reimaged (Batch's default: requeue). */
export type DeallocationOption = "requeue" | "terminate" | "taskcompletion" | "retaineddata";

const nodeDir = (ctx: ServiceContext, pool: PoolRecord, node: NodeRecord) => join(ctx.options.dataDir, "pools", pool.body.id, "nodes", node.id);

/**
 * Empties a node as the option says and resolves when nothing runs there (for `retaineddata`,
 * once the retention time of every task that ran there has passed, or the pool is gone).
 */
async function vacate(ctx: ServiceContext, pool: PoolRecord, node: NodeRecord, option: DeallocationOption, why: string): Promise<void> {
  stopNodeTasks(node, option, why);
  ctx.pump();
  await whenIdle(node);
  if (option !== "retaineddata") return;
  let until = 0;
  for (const job of ctx.jobs.values()) {
    for (const t of job.tasks.values()) {
      if (t.state !== "completed" || t.nodeInfo?.nodeId !== node.id) continue;
      const retention = parseDuration(t.body.constraints?.retentionTime ?? "P7D") ?? 0;
      until = Math.max(until, Date.parse(String(t.executionInfo.endTime)) + retention);
    }
  }
  if (until > Date.now()) await sleep(until - Date.now(), undefined, { signal: pool.abort.signal }).catch(() => {});
}

/** Removes nodes from a pool: each is emptied as the option says, then goes, its folder with it. */
export async function removeNodes(ctx: ServiceContext, pool: PoolRecord, nodes: NodeRecord[], option: DeallocationOption): Promise<void> {
  for (const node of nodes) {
    node.draining = "leavingpool";
    setNodeState(node, "leavingpool");
  }
  await Promise.all(
    nodes.map(async (node) => {
      await vacate(ctx, pool, node, option, `its node ${node.id} left the pool`);
      const i = pool.nodes.indexOf(node);
      if (i >= 0) pool.nodes.splice(i, 1);
      await rm(nodeDir(ctx, pool, node), { recursive: true, force: true });
    }),
  );
  ctx.touch();
  ctx.pump();
}

/**
 * A Spot node taken back by Azure: what runs there is stopped and requeued (a preemption is not a
 * failure of the task: its requeue count goes up and it runs again elsewhere or later), the node is
 * `preempted`, and when capacity comes back (`backAfterMs`) it starts again as a fresh VM: new
 * folders, the start task, job preparation again.
 */
export async function preemptNode(ctx: ServiceContext, pool: PoolRecord, node: NodeRecord, backAfterMs: number): Promise<void> {
  node.draining = "preempted";
  setNodeState(node, "preempted");
  node.jobPrepDone.clear();
  await vacate(ctx, pool, node, "requeue", `its Spot node ${node.id} was preempted`);
  ctx.touch();
  await sleep(backAfterMs, undefined, { signal: pool.abort.signal }).catch(() => {});
  if (pool.abort.signal.aborted || !pool.nodes.includes(node)) return;
  await rm(nodeDir(ctx, pool, node), { recursive: true, force: true });
  node.dirs = await createNodeDirs(nodeDir(ctx, pool, node));
  node.draining = undefined;
  node.errors = undefined;
  setNodeState(node, "starting");
  await runStartTask(ctx, pool, node);
  ctx.touch();
  ctx.pump();
}

/**
 * A reboot or a reimage: the node is emptied as the option says, then starts again and runs the
 * pool's start task; a reimage gives it fresh folders. Job preparation runs again before the next
 * task of a job there (unless the job says not to after a success, for a reboot).
 */
export async function restartNode(
  ctx: ServiceContext,
  pool: PoolRecord,
  node: NodeRecord,
  kind: "rebooting" | "reimaging",
  option: DeallocationOption,
): Promise<void> {
  node.draining = kind;
  await vacate(ctx, pool, node, option, `its node ${node.id} was ${kind === "rebooting" ? "rebooted" : "reimaged"}`);
  setNodeState(node, kind);
  for (const [jobId, done] of [...node.jobPrepDone]) {
    const job = ctx.jobs.get(jobId.toLowerCase());
    const keep = kind === "rebooting" && job?.body.jobPreparationTask?.rerunOnNodeRebootAfterSuccess === false && (await done);
    if (!keep) node.jobPrepDone.delete(jobId);
  }
  if (kind === "reimaging") await rm(nodeDir(ctx, pool, node), { recursive: true, force: true });
  node.dirs = await createNodeDirs(nodeDir(ctx, pool, node));
  node.draining = undefined;
  node.errors = undefined;
  setNodeState(node, "starting");
  if (!pool.abort.signal.aborted) await runStartTask(ctx, pool, node);
  ctx.touch();
  ctx.pump();
}

function markUnusable(node: NodeRecord, error: { code: string; message: string }): void {
  node.errors = [error];
  setNodeState(node, "unusable");
}

async function runStartTask(ctx: ServiceContext, pool: PoolRecord, node: NodeRecord): Promise<void> {
  // The pool's packages come first: the start task may use them. A node that cannot install them is unusable, as on Batch.
  const installed = await installPackages(ctx, node, pool.body.applicationPackageReferences, true);
  if (!installed.ok) return markUnusable(node, { code: installed.code, message: installed.message });
  node.packages = installed.packages;
  const start = pool.body.startTask;
  if (!start) return setNodeState(node, "idle");
  setNodeState(node, "waitingforstarttask");
  const startTime = now();
  node.startTaskInfo = { state: "running", startTime, retryCount: 0 };
  let result: AttemptResult = { exitCode: 0 };
  for (let attempt = 0; attempt <= Math.max(0, start.maxTaskRetryCount ?? 0); attempt++) {
    // Batch runs a failed start task again up to maxTaskRetryCount; its resource files come once.
    result = await runAttempt(ctx, nodeTask(ctx, pool, node, undefined, start, "starttask", node.dirs!.startup, attempt), pool.abort.signal);
    node.startTaskInfo.retryCount = attempt;
    if ((result.exitCode === 0 && !result.failure) || pool.abort.signal.aborted) break;
  }
  const ok = result.exitCode === 0 && !result.failure;
  node.startTaskInfo = {
    state: "completed",
    startTime,
    endTime: now(),
    exitCode: result.exitCode,
    retryCount: node.startTaskInfo.retryCount,
    result: ok ? "success" : "failure",
    ...(ok
      ? {}
      : {
          failureInfo: {
            category: "usererror",
            ...(result.failure ?? { code: "FailureExitCode", message: "The task exited with an exit code representing a failure" }),
          },
        }),
  };
  setNodeState(node, ok || start.waitForSuccess === false ? "idle" : "starttaskfailed");
}

/** Runs the job preparation task once per node, before the first task of the job there. */
export function jobPreparation(ctx: ServiceContext, job: JobRecord, pool: PoolRecord, node: NodeRecord): Promise<boolean> {
  const prep = job.body.jobPreparationTask;
  if (!prep) return Promise.resolve(true);
  let done = node.jobPrepDone.get(job.body.id);
  if (!done) {
    done = (async () => {
      const dir = join(node.dirs!.workitems, job.body.id, "job-1", "jobpreparation");
      const r = await runAttempt(ctx, { ...nodeTask(ctx, pool, node, job, prep, prep.id ?? "jobpreparation", dir), jobPrepDir: undefined }, pool.abort.signal);
      return (r.exitCode === 0 && !r.failure) || prep.waitForSuccess === false;
    })();
    node.jobPrepDone.set(job.body.id, done);
  }
  return done;
}

/** Runs the job release task on every node that ran the preparation task. */
export async function jobRelease(ctx: ServiceContext, job: JobRecord): Promise<void> {
  const release = job.body.jobReleaseTask;
  const pool = ctx.pools.get((job.body.poolInfo.poolId ?? "").toLowerCase());
  if (!release || !pool) return;
  for (const node of pool.nodes) {
    if (!node.jobPrepDone.has(job.body.id)) continue;
    const dir = join(node.dirs!.workitems, job.body.id, "job-1", "jobrelease");
    const limit = AbortSignal.timeout((release.maxWallClockTime && parseDuration(release.maxWallClockTime)) || 15 * 60_000);
    await runAttempt(ctx, nodeTask(ctx, pool, node, job, release, release.id ?? "jobrelease", dir), AbortSignal.any([limit, pool.abort.signal]));
  }
}

/** How a node of the pool is let into storage as one of the pool's identities (the identity map's storage logins). */
export function storageSigner(ctx: ServiceContext, pool: PoolRecord): SignAsIdentity {
  return (url, identity, write) =>
    signAsIdentity(url, identity, { id: pool.body.id, identities: pool.identities ?? [] }, ctx.options.identityStorage ?? [], write);
}

/** The context of any task on a node: start, preparation, release, manager or ordinary task. */
export function nodeTask(
  ctx: ServiceContext,
  pool: PoolRecord,
  node: NodeRecord,
  job: JobRecord | undefined,
  task: Pick<TaskAddParameter, "commandLine" | "containerSettings" | "environmentSettings" | "resourceFiles" | "userIdentity" | "applicationPackageReferences">,
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
    packages: node.packages,
    packageRefs: task.applicationPackageReferences,
    signAs: storageSigner(ctx, pool),
  };
}

/**
 * A task's own registry (`containerSettings.registry`): the node logs in before it creates the
 * container, with the password, or with the login its identity maps to (and pulls from where the
 * registry really is). Returns a failure when it cannot.
 */
async function taskRegistryLogin(ctx: ServiceContext, task: TaskContext): Promise<AttemptResult["failure"]> {
  const registry = task.containerSettings?.registry;
  const executor = ctx.options.executor;
  if (!registry?.registryServer || executor.kind !== "docker") return undefined;
  try {
    if (registry.username && registry.password) {
      await executor.login!(registry.registryServer, registry.username, registry.password);
      return undefined;
    }
    const identity = registry.identityReference?.resourceId;
    if (!identity) return undefined;
    const mapped = (ctx.options.identityRegistries ?? []).find(
      (m) => m.identity.toLowerCase() === identity.toLowerCase() && m.server.toLowerCase() === registry.registryServer!.toLowerCase(),
    );
    if (!mapped) {
      return {
        code: "ContainerRegistryLoginFailed",
        message: `the node could not log in to ${registry.registryServer} with the managed identity ${identity}: the local Batch service has no registry login for that identity and registry (its identityRegistries configuration)`,
        category: "usererror",
      };
    }
    await executor.login!(mapped.address ?? mapped.server, mapped.username, mapped.password);
    const image = task.containerSettings!.imageName;
    const slash = image.indexOf("/");
    if (mapped.address && slash > 0 && image.slice(0, slash).toLowerCase() === mapped.server.toLowerCase())
      await executor.pull!(`${mapped.address}${image.slice(slash)}`, image);
    return undefined;
  } catch (error) {
    return { code: "ContainerImagePullFailed", message: (error as Error).message, category: "usererror" };
  }
}

/** One attempt of any task; a failure to start lands in its stderr.txt as Batch's node agent writes it. */
export async function runAttempt(ctx: ServiceContext, task: TaskContext, signal: AbortSignal): Promise<AttemptResult> {
  await mkdir(join(task.taskDir, "wd"), { recursive: true });
  const failBeforeStart = async (failure: NonNullable<AttemptResult["failure"]>): Promise<AttemptResult> => {
    const f = await open(join(task.taskDir, "stderr.txt"), "a");
    await f.appendFile(`${failure.code}: ${failure.message}\n`);
    await f.close();
    return { exitCode: -1, failure };
  };
  if (task.packageRefs?.length) {
    // The task's own packages, just before it runs; one that cannot be installed fails the task (a pre-processing error).
    const node = ctx.pools.get(task.poolId.toLowerCase())?.nodes.find((n) => n.id === task.nodeId);
    if (!node) return failBeforeStart({ code: "NodeNotFound", message: `the node ${task.nodeId} left the pool ${task.poolId}`, category: "servererror" });
    const installed = await installPackages(ctx, node, task.packageRefs, false);
    if (!installed.ok) return failBeforeStart({ code: installed.code, message: installed.message, category: "usererror" });
    task = { ...task, packages: [...(task.packages ?? []), ...installed.packages] };
  }
  const loginFailure = await taskRegistryLogin(ctx, task);
  if (loginFailure) return failBeforeStart(loginFailure);
  const key = randomUUID();
  let pid: number | undefined;
  try {
    const r = await runOnNode(ctx.options.executor, task, signal, (handle) => {
      ctx.live.set(key, handle);
      if (handle.pid) {
        pid = handle.pid;
        ctx.lease?.started(pid);
      }
      ctx.touch();
    });
    if (r.startError) {
      const category = r.startError.code === "ContainerImagePullFailed" || r.startError.code === "CommandNotFound" ? "usererror" : "servererror";
      const f = await open(join(task.taskDir, "stderr.txt"), "a");
      await f.appendFile(`${r.startError.code}: ${r.startError.message}\n`);
      await f.close();
      return { exitCode: r.exitCode, failure: { ...r.startError, category } };
    }
    return { exitCode: r.exitCode };
  } catch (error) {
    if (error instanceof TaskFailure) return { exitCode: -1, failure: { code: error.code, message: error.message, category: error.category } };
    throw error;
  } finally {
    ctx.live.delete(key);
    if (pid) ctx.lease?.ended(pid);
  }
}
