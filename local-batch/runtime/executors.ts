/**
 * How a task's command runs: in a container through the Docker CLI (create, start -a, the way
 * Batch drives Docker), or as a host process. Neither goes through a shell.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { ownerAlive, SELF } from "./leftovers.js";
import { shellWords } from "./shellWords.js";

const OWNER_LABEL = "azure-batch-run.local.owner";

export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface RunSpec {
  /** Unique per attempt, used as the container name. */
  name: string;
  commandLine: string;
  env: Record<string, string>;
  /** Host directory of the task (stdout.txt / stderr.txt go here). */
  taskDir: string;
  /** Working directory: host path for processes, container path for containers (undefined = image default). */
  workingDir?: string;
  container?: { image: string; runOptions?: string; mounts: Mount[] };
  signal: AbortSignal;
  /** Told what now runs, so that the service can end it after a crash of its own. */
  onSpawn?: (handle: RunHandle) => void;
}

/** What to end if the service that started it is gone: a process group, or a container. */
export interface RunHandle {
  pid?: number;
  container?: string;
}

/** Ends what a handle names, best effort (it may be gone already). */
export function endHandle(handle: RunHandle, env: NodeJS.ProcessEnv = process.env): void {
  if (handle.pid) {
    try {
      process.kill(-handle.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  if (handle.container) spawnSync("docker", ["rm", "--force", handle.container], { env, stdio: "ignore", timeout: 10_000 });
}

export interface RunResult {
  exitCode: number;
  /** Set when the command could not start at all (image missing, command not found). */
  startError?: { code: string; message: string };
}

export interface Executor {
  kind: "docker" | "process";
  run(spec: RunSpec): Promise<RunResult>;
  /** Pulls an image with the registry credentials that apply (docker only); with `as`, tags it so. */
  pull?(image: string, as?: string): Promise<void>;
  login?(server: string, username: string, password: string): Promise<void>;
  /** Removes the containers of local services whose process is gone (docker only); returns how many. */
  sweep?(): Promise<number>;
}

function waitForExit(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }> {
  return new Promise((resolve) => {
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}

/** Exit code of a task killed before or while it ran (SIGKILL). */
const KILLED = 128 + 9;

/**
 * What runs now, so that nothing outlives this process: on exit (a second Ctrl-C exits at once)
 * the process groups are killed and the containers removed, synchronously, as the exit allows.
 */
const liveGroups = new Set<number>();
const liveContainers = new Map<string, NodeJS.ProcessEnv>();
let exitHookInstalled = false;
function ensureExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const pid of liveGroups) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    for (const [name, env] of liveContainers) spawnSync("docker", ["rm", "--force", name], { env, stdio: "ignore", timeout: 5_000 });
  });
}

export function processExecutor(): Executor {
  return {
    kind: "process",
    async run(spec) {
      // Ended before it started (terminated while it was preparing): an abort listener added now would never fire.
      if (spec.signal.aborted) return { exitCode: KILLED };
      const [file, ...args] = shellWords(spec.commandLine);
      if (!file) return { exitCode: 0 };
      const stdout = createWriteStream(`${spec.taskDir}/stdout.txt`, { flags: "a" });
      const stderr = createWriteStream(`${spec.taskDir}/stderr.txt`, { flags: "a" });
      const child = spawn(file, args, {
        cwd: spec.workingDir,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...spec.env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      child.stdout?.pipe(stdout);
      child.stderr?.pipe(stderr);
      ensureExitHook();
      if (child.pid) liveGroups.add(child.pid);
      if (child.pid) spec.onSpawn?.({ pid: child.pid });
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      };
      spec.signal.addEventListener("abort", kill, { once: true });
      const { code, signal, error } = await waitForExit(child);
      if (child.pid) liveGroups.delete(child.pid);
      spec.signal.removeEventListener("abort", kill);
      await Promise.all([new Promise((r) => stdout.end(r)), new Promise((r) => stderr.end(r))]);
      if (error)
        return { exitCode: 127, startError: { code: "CommandNotFound", message: `${file}: ${(error as NodeJS.ErrnoException).code ?? error.message}` } };
      return { exitCode: code ?? (signal ? KILLED : 1) };
    },
  };
}

/** Runs the docker CLI with an argument array; DOCKER_HOST and DOCKER_CONFIG come from `env`. */
function docker(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile("docker", args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function dockerReachable(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const host = env.DOCKER_HOST;
  if (!host && !existsSync("/var/run/docker.sock")) return false;
  const r = await docker(["version", "--format", "{{.Server.Version}}"], env);
  return r.code === 0;
}

export function dockerExecutor(configDir: string, baseEnv: NodeJS.ProcessEnv = process.env): Executor {
  // A private DOCKER_CONFIG, so registry logins stay with this service and out of ~/.docker.
  const env = { ...baseEnv, DOCKER_CONFIG: configDir };
  const ready = mkdir(configDir, { recursive: true });
  return {
    kind: "docker",
    async login(server, username, password) {
      await ready;
      const r = await docker(["login", "--username", username, "--password-stdin", server], env, password);
      if (r.code !== 0) throw new Error(`docker login to ${server} failed: ${r.stderr.trim().split("\n").pop()}`);
    },
    async pull(image, as) {
      await ready;
      const name = as ?? image;
      // An image this engine already has counts as pulled (locally built test and example images).
      if ((await docker(["image", "inspect", "--format", "{{.Id}}", name], env)).code === 0) return;
      const r = await docker(["pull", "--quiet", image], env);
      if (r.code !== 0) throw new Error(r.stderr.trim().split("\n").pop() ?? `pull of ${image} failed`);
      if (as) {
        const t = await docker(["tag", image, as], env);
        if (t.code !== 0) throw new Error(`tagging ${image} as ${as} failed: ${lastLine(t.stderr)}`);
      }
    },
    async sweep() {
      const r = await docker(["ps", "--all", "--filter", "label=azure-batch-run.local=1", "--format", `{{.ID}}\t{{.Label "${OWNER_LABEL}"}}\t{{.State}}`], env);
      if (r.code !== 0) return 0;
      // Containers of a process that is gone; unlabelled ones (older versions) only when they no longer run.
      const stale = r.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split("\t"))
        .filter(([, owner, state]) => (owner ? !ownerAlive(owner) : state !== "running"))
        .map(([id]) => id!);
      if (stale.length) await docker(["rm", "--force", ...stale], env);
      return stale.length;
    },
    async run(spec) {
      await ready;
      if (spec.signal.aborted) return { exitCode: KILLED };
      const c = spec.container;
      if (!c) throw new Error("dockerExecutor.run needs container settings");
      // The owner label lets the next service remove this container if this process is killed.
      const args = ["create", "--name", spec.name, "--label", "azure-batch-run.local=1", "--label", `${OWNER_LABEL}=${SELF}`];
      for (const [k, v] of Object.entries(spec.env)) args.push("--env", `${k}=${v}`);
      for (const m of c.mounts) args.push("--volume", `${m.hostPath}:${m.containerPath}${m.readOnly ? ":ro" : ""}`);
      if (spec.workingDir) args.push("--workdir", spec.workingDir);
      if (c.runOptions) args.push(...shellWords(c.runOptions));
      args.push(c.image, ...shellWords(spec.commandLine));
      let created = await docker(args, env);
      if (created.code !== 0 && /No such image|not found|Unable to find image/i.test(created.stderr)) {
        // Batch pulls what the node does not have yet.
        const pulled = await docker(["pull", "--quiet", c.image], env);
        if (pulled.code !== 0) return { exitCode: -1, startError: { code: "ContainerImagePullFailed", message: lastLine(pulled.stderr) } };
        created = await docker(args, env);
      }
      if (created.code !== 0) return { exitCode: -1, startError: { code: "ContainerCreateFailed", message: lastLine(created.stderr) } };
      if (spec.signal.aborted) {
        await docker(["rm", "--force", spec.name], env);
        return { exitCode: KILLED };
      }
      const stdout = createWriteStream(`${spec.taskDir}/stdout.txt`, { flags: "a" });
      const stderr = createWriteStream(`${spec.taskDir}/stderr.txt`, { flags: "a" });
      ensureExitHook();
      liveContainers.set(spec.name, env);
      spec.onSpawn?.({ container: spec.name });
      const child = spawn("docker", ["start", "--attach", spec.name], { env, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout?.pipe(stdout);
      child.stderr?.pipe(stderr);
      const kill = () => void docker(["kill", spec.name], env);
      spec.signal.addEventListener("abort", kill, { once: true });
      await waitForExit(child);
      spec.signal.removeEventListener("abort", kill);
      await Promise.all([new Promise((r) => stdout.end(r)), new Promise((r) => stderr.end(r))]);
      const inspected = await docker(["inspect", "--format", "{{.State.ExitCode}}|{{.State.Error}}", spec.name], env);
      await docker(["rm", "--force", spec.name], env);
      liveContainers.delete(spec.name);
      const [code, stateError] = inspected.stdout.trim().split("|");
      if (stateError) return { exitCode: Number(code || -1), startError: { code: "ContainerStartFailed", message: stateError } };
      return { exitCode: Number(code ?? 1) };
    },
  };
}

function lastLine(text: string): string {
  return text.trim().split("\n").pop() ?? "";
}
