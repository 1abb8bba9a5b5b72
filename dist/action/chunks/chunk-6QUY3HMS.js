import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  SELF,
  ownerAlive
} from "./chunk-AIQ4D56C.js";

// local-batch/runtime/executors.ts
import { execFile, spawn, spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";

// local-batch/runtime/shellWords.ts
function shellWords(line) {
  const words = [];
  let current = "";
  let inWord = false;
  let quote;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = void 0;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = void 0;
      else if (c === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) current += line[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in: ${line}`);
  if (inWord) words.push(current);
  return words;
}

// local-batch/runtime/executors.ts
var OWNER_LABEL = "azure-batch-run.local.owner";
function endHandle(handle, env = process.env) {
  if (handle.pid) {
    try {
      process.kill(-handle.pid, "SIGKILL");
    } catch {
    }
  }
  if (handle.container) spawnSync("docker", ["rm", "--force", handle.container], { env, stdio: "ignore", timeout: 1e4 });
}
function waitForExit(child) {
  return new Promise((resolve) => {
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}
var KILLED = 128 + 9;
var liveGroups = /* @__PURE__ */ new Set();
var liveContainers = /* @__PURE__ */ new Map();
var exitHookInstalled = false;
function ensureExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const pid of liveGroups) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
      }
    }
    for (const [name, env] of liveContainers) spawnSync("docker", ["rm", "--force", name], { env, stdio: "ignore", timeout: 5e3 });
  });
}
function processExecutor() {
  return {
    kind: "process",
    async run(spec) {
      if (spec.signal.aborted) return { exitCode: KILLED };
      const [file, ...args] = shellWords(spec.commandLine);
      if (!file) return { exitCode: 0 };
      const stdout = createWriteStream(`${spec.taskDir}/stdout.txt`, { flags: "a" });
      const stderr = createWriteStream(`${spec.taskDir}/stderr.txt`, { flags: "a" });
      const child = spawn(file, args, {
        cwd: spec.workingDir,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...spec.env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true
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
        }
      };
      spec.signal.addEventListener("abort", kill, { once: true });
      const { code, signal, error } = await waitForExit(child);
      if (child.pid) liveGroups.delete(child.pid);
      spec.signal.removeEventListener("abort", kill);
      await Promise.all([new Promise((r) => stdout.end(r)), new Promise((r) => stderr.end(r))]);
      if (error)
        return { exitCode: 127, startError: { code: "CommandNotFound", message: `${file}: ${error.code ?? error.message}` } };
      return { exitCode: code ?? (signal ? KILLED : 1) };
    }
  };
}
function docker(args, env, input) {
  return new Promise((resolve) => {
    const child = execFile("docker", args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? typeof error.code === "number" ? error.code : 1 : 0, stdout, stderr });
    });
    if (input !== void 0) child.stdin?.end(input);
  });
}
async function dockerReachable(env = process.env) {
  const host = env.DOCKER_HOST;
  if (!host && !existsSync("/var/run/docker.sock")) return false;
  const r = await docker(["version", "--format", "{{.Server.Version}}"], env);
  return r.code === 0;
}
function dockerExecutor(configDir, baseEnv = process.env) {
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
      if ((await docker(["image", "inspect", "--format", "{{.Id}}", name], env)).code === 0) return;
      const r = await docker(["pull", "--quiet", image], env);
      if (r.code !== 0) throw new Error(r.stderr.trim().split("\n").pop() ?? `pull of ${image} failed`);
      if (as) {
        const t = await docker(["tag", image, as], env);
        if (t.code !== 0) throw new Error(`tagging ${image} as ${as} failed: ${lastLine(t.stderr)}`);
      }
    },
    async sweep() {
      const r = await docker(["ps", "--all", "--filter", "label=azure-batch-run.local=1", "--format", `{{.ID}}	{{.Label "${OWNER_LABEL}"}}	{{.State}}`], env);
      if (r.code !== 0) return 0;
      const stale = r.stdout.split("\n").filter(Boolean).map((line) => line.split("	")).filter(([, owner, state]) => owner ? !ownerAlive(owner) : state !== "running").map(([id]) => id);
      if (stale.length) await docker(["rm", "--force", ...stale], env);
      return stale.length;
    },
    async run(spec) {
      await ready;
      if (spec.signal.aborted) return { exitCode: KILLED };
      const c = spec.container;
      if (!c) throw new Error("dockerExecutor.run needs container settings");
      const args = ["create", "--name", spec.name, "--label", "azure-batch-run.local=1", "--label", `${OWNER_LABEL}=${SELF}`];
      for (const [k, v] of Object.entries(spec.env)) args.push("--env", `${k}=${v}`);
      for (const m of c.mounts) args.push("--volume", `${m.hostPath}:${m.containerPath}${m.readOnly ? ":ro" : ""}`);
      if (spec.workingDir) args.push("--workdir", spec.workingDir);
      if (c.runOptions) args.push(...shellWords(c.runOptions));
      args.push(c.image, ...shellWords(spec.commandLine));
      let created = await docker(args, env);
      if (created.code !== 0 && /No such image|not found|Unable to find image/i.test(created.stderr)) {
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
    }
  };
}
function lastLine(text) {
  return text.trim().split("\n").pop() ?? "";
}

export {
  endHandle,
  processExecutor,
  dockerReachable,
  dockerExecutor
};
//# sourceMappingURL=chunk-6QUY3HMS.js.map
