/**
 * Runs the bundled Action the way the runner does: every input as INPUT_* (defaults from
 * action.yml), GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE files created before the step,
 * GITHUB_EVENT_PATH and the GITHUB_* context, and the post step given main's state as STATE_*.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const ROOT = new URL("../..", import.meta.url).pathname;
export const BUNDLE = join(ROOT, "dist/action/index.js");
export const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, unknown>;
};

/** `name<<delimiter` blocks (GITHUB_OUTPUT, GITHUB_STATE) as the runner reads them. */
export function readCommandFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(path)) return out;
  const lines = readFileSync(path, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join("\n");
  }
  return out;
}

export interface Step {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

export function runStep(
  dir: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
  state: Record<string, string> = {},
  onStart?: (child: ChildProcess) => void,
): Promise<Step> {
  const files = {
    GITHUB_OUTPUT: join(dir, "output"),
    GITHUB_STATE: join(dir, `state-${Object.keys(state).length ? "post" : "main"}`),
    GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
    GITHUB_EVENT_PATH: join(dir, "event.json"),
  };
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify({ repository: { full_name: "octo/render" } }));
  // The runner creates the command files before the step runs.
  for (const f of [files.GITHUB_OUTPUT, files.GITHUB_STATE, files.GITHUB_STEP_SUMMARY]) writeFileSync(f, "");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...files,
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    GITHUB_REF: "refs/heads/main",
    GITHUB_REPOSITORY: "octo/render",
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_NUMBER: "7",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_ACTOR: "octocat",
    GITHUB_EVENT_NAME: "push",
    GITHUB_WORKFLOW: "render",
    GITHUB_JOB: "batch",
    GITHUB_SERVER_URL: "https://github.com",
    RUNNER_TEMP: dir,
    ...extraEnv,
  };
  for (const [name, spec] of Object.entries(action.inputs)) env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? spec.default ?? "";
  for (const [name, value] of Object.entries(state)) env[`STATE_${name}`] = value;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUNDLE], { env, cwd: extraEnv.CWD ?? dir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stdout += d));
    onStart?.(child);
    child.once("exit", (code) =>
      resolve({
        code,
        stdout,
        outputs: readCommandFile(files.GITHUB_OUTPUT),
        state: readCommandFile(files.GITHUB_STATE),
        summary: existsSync(files.GITHUB_STEP_SUMMARY) ? readFileSync(files.GITHUB_STEP_SUMMARY, "utf8") : "",
      }),
    );
  });
}
