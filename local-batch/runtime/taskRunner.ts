/**
 * What happens on a node when a task runs there, the way a Batch node does it: directories laid
 * out like a node's, the AZ_BATCH_* environment, resource files downloaded first, the command in a
 * container (with the bind mounts Batch would give it) or as a host process, output files
 * uploaded after, per upload condition.
 */
import { mkdir, readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import type { ContainerHostBatchBindMountEntry, OutputFile, ResourceFile, TaskContainerSettings } from "../../shared/batch/types.js";
import { globToRegExp, hasWildcard } from "../../shared/batch/glob.js";
import { downloadResourceFiles, FileTransferError, uploadFile, type SignAsIdentity } from "./blobTransfers.js";
import { processExecutor, type Executor, type Mount, type RunHandle, type RunResult } from "./executors.js";

/** Tasks without container settings run on the "host", whatever runs the containers. */
const hostExecutor = processExecutor();

export interface NodeDirs {
  root: string;
  shared: string;
  startup: string;
  fsmounts: string;
  applications: string;
  workitems: string;
}

export function nodeDirs(root: string): NodeDirs {
  return {
    root,
    shared: join(root, "shared"),
    startup: join(root, "startup"),
    fsmounts: join(root, "fsmounts"),
    applications: join(root, "applications"),
    workitems: join(root, "workitems"),
  };
}

export async function createNodeDirs(root: string): Promise<NodeDirs> {
  const d = nodeDirs(root);
  await Promise.all([d.shared, d.startup, d.fsmounts, d.applications, d.workitems].map((p) => mkdir(p, { recursive: true })));
  return d;
}

/** An application package unpacked on the node: the variable naming its folder, and the folder. */
export interface InstalledPackage {
  env: string;
  dir: string;
}

export interface TaskContext {
  jobId: string;
  taskId: string;
  poolId: string;
  nodeId: string;
  node: NodeDirs;
  /** `workitems/{job}/job-1/{task}`, or `startup` for a start task. */
  taskDir: string;
  commandLine: string;
  containerSettings?: TaskContainerSettings;
  env: { name: string; value?: string }[];
  resourceFiles?: ResourceFile[];
  attempt: number;
  isAdmin: boolean;
  jobPrepDir?: string;
  /** The pool's packages on the node, then the task's own once installed. */
  packages?: InstalledPackage[];
  /** Signs resource and output file URLs for the pool's identities (`identityReference`). */
  signAs?: SignAsIdentity;
  /** The task's own package references, installed before it runs. */
  packageRefs?: { applicationId: string; version?: string }[];
}

/** The AZ_BATCH_* variables Batch sets for every task, then the task's own. */
export function taskEnvironment(ctx: TaskContext, mounted?: Set<string>): Record<string, string> {
  const wd = join(ctx.taskDir, "wd");
  const env: Record<string, string> = {
    AZ_BATCH_ACCOUNT_NAME: "local",
    AZ_BATCH_POOL_ID: ctx.poolId,
    AZ_BATCH_NODE_ID: ctx.nodeId,
    AZ_BATCH_NODE_ROOT_DIR: ctx.node.root,
    AZ_BATCH_NODE_SHARED_DIR: ctx.node.shared,
    AZ_BATCH_NODE_STARTUP_DIR: ctx.node.startup,
    AZ_BATCH_NODE_MOUNTS_DIR: ctx.node.fsmounts,
    AZ_BATCH_NODE_IS_DEDICATED: "true",
    AZ_BATCH_JOB_ID: ctx.jobId,
    AZ_BATCH_TASK_ID: ctx.taskId,
    AZ_BATCH_TASK_DIR: ctx.taskDir,
    AZ_BATCH_TASK_WORKING_DIR: wd,
    AZ_BATCH_TASK_USER: "_azbatch",
    AZ_BATCH_TASK_USER_IDENTITY: ctx.isAdmin ? "PoolAdmin" : "PoolNonAdmin",
  };
  if (ctx.jobPrepDir) {
    env.AZ_BATCH_JOB_PREP_DIR = ctx.jobPrepDir;
    env.AZ_BATCH_JOB_PREP_WORKING_DIR = join(ctx.jobPrepDir, "wd");
  }
  if (ctx.containerSettings) env.AZ_BATCH_TASK_CONTAINER_IMAGE = ctx.containerSettings.imageName;
  for (const p of ctx.packages ?? []) if (!mounted || mounted.has("Applications")) env[p.env] = p.dir;
  // With isolation mounts, variables naming paths the container cannot see are removed.
  if (mounted) {
    const drop: Record<string, string[]> = {
      Shared: ["AZ_BATCH_NODE_SHARED_DIR"],
      Startup: ["AZ_BATCH_NODE_STARTUP_DIR"],
      VfsMounts: ["AZ_BATCH_NODE_MOUNTS_DIR"],
      Task: ["AZ_BATCH_TASK_DIR", "AZ_BATCH_TASK_WORKING_DIR"],
      JobPrep: ["AZ_BATCH_JOB_PREP_DIR", "AZ_BATCH_JOB_PREP_WORKING_DIR"],
    };
    for (const [source, names] of Object.entries(drop)) if (!mounted.has(source)) for (const n of names) delete env[n];
    delete env.AZ_BATCH_NODE_ROOT_DIR;
  }
  for (const e of ctx.env) env[e.name] = e.value ?? "";
  return env;
}

/** Host paths bound into the container: the node root, or exactly the listed data paths. */
export function containerMounts(ctx: TaskContext, entries: ContainerHostBatchBindMountEntry[] | undefined): { mounts: Mount[]; mounted?: Set<string> } {
  if (entries === undefined) return { mounts: [{ hostPath: ctx.node.root, containerPath: ctx.node.root, readOnly: false }] };
  const paths: Record<string, string | undefined> = {
    Shared: ctx.node.shared,
    Startup: ctx.node.startup,
    VfsMounts: ctx.node.fsmounts,
    Task: ctx.taskDir,
    JobPrep: ctx.jobPrepDir,
  };
  const mounts: Mount[] = [];
  const mounted = new Set<string>();
  for (const e of entries) {
    if (e.source === "Applications") {
      // Exactly the folders of the packages this task has (the pool's and its own), at the paths their variables name.
      mounted.add(e.source);
      for (const dir of new Set((ctx.packages ?? []).map((p) => p.dir))) mounts.push({ hostPath: dir, containerPath: dir, readOnly: Boolean(e.isReadOnly) });
      continue;
    }
    const p = e.source ? paths[e.source] : undefined;
    if (!p || !e.source) continue;
    mounted.add(e.source);
    mounts.push({ hostPath: p, containerPath: p, readOnly: Boolean(e.isReadOnly) });
  }
  return { mounts, mounted };
}

export class TaskFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly category: "usererror" | "servererror" = "usererror",
  ) {
    super(message);
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Uploads matching files to blob containers (SAS URLs) when the upload condition holds. */
export async function uploadOutputFiles(files: OutputFile[] | undefined, taskDir: string, succeeded: boolean, sign?: SignAsIdentity): Promise<void> {
  const wd = join(taskDir, "wd");
  for (const f of files ?? []) {
    const condition = f.uploadOptions.uploadCondition;
    if ((condition === "tasksuccess" && !succeeded) || (condition === "taskfailure" && succeeded)) continue;
    // Patterns may reach the task directory itself (`../std*.txt`).
    const up = f.filePattern.startsWith("../");
    const base = up ? taskDir : wd;
    const pattern = up ? f.filePattern.slice(3) : f.filePattern;
    const re = globToRegExp(pattern);
    const matches = (await walk(base)).map((p) => relative(base, p)).filter((p) => re.test(p));
    const wildcard = hasWildcard(pattern);
    const prefix = f.destination.container.path ?? "";
    for (const rel of matches) {
      const name = wildcard ? `${prefix}${prefix && !prefix.endsWith("/") ? "/" : ""}${rel}` : prefix || rel;
      const identity = f.destination.container.identityReference?.resourceId;
      await uploadFile(f.destination.container.containerUrl, name, join(base, rel), identity, sign).catch((error: FileTransferError) => {
        throw new TaskFailure(error.code, error.message);
      });
    }
  }
}

/** Runs one attempt of a task on a node; stdout.txt/stderr.txt land in the task dir. */
export async function runOnNode(executor: Executor, ctx: TaskContext, signal: AbortSignal, onSpawn?: (handle: RunHandle) => void): Promise<RunResult> {
  const wd = join(ctx.taskDir, "wd");
  await mkdir(wd, { recursive: true });
  await downloadResourceFiles(ctx.resourceFiles, wd, ctx.signAs).catch((error: unknown) => {
    if (error instanceof FileTransferError) throw new TaskFailure(error.code, error.message);
    throw error;
  });
  const cs = ctx.containerSettings;
  if (cs && executor.kind === "docker") {
    const { mounts, mounted } = containerMounts(ctx, cs.containerHostBatchBindMounts);
    return executor.run({
      name: `azbr-${ctx.jobId}-${ctx.taskId}-${ctx.attempt}-${process.pid}`.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 120),
      commandLine: ctx.commandLine,
      env: taskEnvironment(ctx, mounted),
      taskDir: ctx.taskDir,
      workingDir: cs.workingDirectory === "containerImageDefault" ? undefined : wd,
      container: { image: cs.imageName, runOptions: cs.containerRunOptions, mounts },
      signal,
      onSpawn,
    });
  }
  const host = executor.kind === "process" ? executor : hostExecutor;
  return host.run({ name: ctx.taskId, commandLine: ctx.commandLine, env: taskEnvironment(ctx), taskDir: ctx.taskDir, workingDir: wd, signal, onSpawn });
}

export async function fileInfo(path: string): Promise<{ size: number; mtime: Date; ctime: Date; isDirectory: boolean } | undefined> {
  const s = await stat(path).catch(() => undefined);
  return s ? { size: s.size, mtime: s.mtime, ctime: s.birthtime, isDirectory: s.isDirectory() } : undefined;
}

export async function listFiles(dir: string, recursive: boolean): Promise<{ name: string; isDirectory: boolean; size: number; mtime: Date; ctime: Date }[]> {
  const out: { name: string; isDirectory: boolean; size: number; mtime: Date; ctime: Date }[] = [];
  const visit = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, entry.name);
      const s = await stat(p).catch(() => undefined);
      if (!s) continue;
      out.push({ name: relative(dir, p), isDirectory: entry.isDirectory(), size: entry.isDirectory() ? 0 : s.size, mtime: s.mtime, ctime: s.birthtime });
      if (entry.isDirectory() && recursive) await visit(p);
    }
  };
  await visit(dir);
  return out;
}
