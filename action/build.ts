/**
 * Building the workload's image and pushing it to the registry, with the docker CLI (arguments as
 * an array, never a shell string; the password on stdin). The pushed image is then used by digest:
 * `{{ build.image }}` in the spec, every task whose image is the built name, and the pool's
 * prefetch list and registries, so that the nodes pull exactly what was built.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as core from "@actions/core";
import { getExecOutput } from "@actions/exec";
import { UsageError } from "azure-batch-run";
import type { Inputs } from "./context.js";

export interface BuildInputs {
  build?: boolean;
  context: string;
  dockerfile: string;
  target?: string;
  buildArgs: string[];
  labels: string[];
  registry?: string;
  repository?: string;
  tags: string[];
  registryUsername?: string;
  registryPassword?: string;
  rebuild: boolean;
}

export interface BuiltImage {
  /** `registry/repository:tag` as pushed. */
  name: string;
  /** `registry/repository@sha256:...`: what the nodes pull. */
  digestRef: string;
  digest: string;
  registry: string;
  /** The login the pool pulls with, when it has no managed identity. */
  username?: string;
  rebuilt: boolean;
}

async function docker(args: string[], options: { input?: string; allowFailure?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await getExecOutput("docker", args, { input: options.input === undefined ? undefined : Buffer.from(options.input), ignoreReturnCode: true, silent: true });
  if (r.exitCode !== 0 && !options.allowFailure) throw new Error(`docker ${args[0]} failed (${r.exitCode}): ${r.stderr.trim().split("\n").pop() ?? ""}`);
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** Whether to build: the input, or by default when the Dockerfile exists. */
export function wantsBuild(b: BuildInputs): boolean {
  return b.build ?? existsSync(join(b.context, b.dockerfile));
}

export async function buildAndPush(b: BuildInputs, context: { sha: string; repository: string; serverUrl: string }): Promise<BuiltImage> {
  if (!b.registry) throw new UsageError("input registry is required to build: the registry to push to, e.g. myacr.azurecr.io");
  if (!b.registryUsername || !b.registryPassword) {
    throw new UsageError("inputs registry-username and registry-password are required to push (signing in to ACR with the workflow's Entra identity is not supported yet)");
  }
  core.setSecret(b.registryPassword);
  const repository = (b.repository ?? context.repository.split("/").pop() ?? "workload").toLowerCase();
  const tags = b.tags.length ? b.tags : [context.sha];
  const name = `${b.registry}/${repository}:${tags[0]}`;
  await docker(["login", "--username", b.registryUsername, "--password-stdin", b.registry], { input: b.registryPassword });
  let rebuilt = true;
  if (!b.rebuild && (await docker(["manifest", "inspect", name], { allowFailure: true })).code === 0) {
    core.info(`${name} is already in the registry: not rebuilt`);
    await docker(["pull", "--quiet", name]);
    rebuilt = false;
  } else {
    const args = ["build", "--file", join(b.context, b.dockerfile)];
    if (b.target) args.push("--target", b.target);
    for (const a of b.buildArgs) args.push("--build-arg", a);
    const labels = [
      `org.opencontainers.image.source=${context.serverUrl}/${context.repository}`,
      `org.opencontainers.image.revision=${context.sha}`,
      `org.opencontainers.image.created=${new Date().toISOString()}`,
      ...b.labels,
    ];
    for (const l of labels) args.push("--label", l);
    for (const t of tags) args.push("--tag", `${b.registry}/${repository}:${t}`);
    args.push(b.context);
    core.info(`building ${name}`);
    await docker(args);
    for (const t of tags) await docker(["push", "--quiet", `${b.registry}/${repository}:${t}`]);
  }
  const inspected = await docker(["image", "inspect", "--format", "{{json .RepoDigests}}", name]);
  const digests = JSON.parse(inspected.stdout.trim() || "[]") as string[];
  const digestRef = digests.find((d) => d.startsWith(`${b.registry}/${repository}@`));
  if (!digestRef) throw new Error(`${name} has no digest in ${b.registry} after the push`);
  core.info(`pushed ${name} as ${digestRef}`);
  return { name, digestRef, digest: digestRef.slice(digestRef.indexOf("@") + 1), registry: b.registry, username: b.registryUsername, rebuilt };
}

/**
 * The spec, to run what was built: the built image by digest wherever the spec names it (its
 * name, with or without the tag), in the pool's prefetch list, and a registry entry for the pool
 * (the pool's managed identity when it has one, else the push credentials from the environment).
 */
export function useBuiltImage(raw: Record<string, any>, image: BuiltImage, passwordEnv: string): Record<string, any> {
  const untagged = image.name.slice(0, image.name.lastIndexOf(":"));
  const swap = (value: unknown) => (value === image.name || value === untagged ? image.digestRef : value);
  const tasks = raw.tasks ? { ...raw.tasks, ...(raw.tasks.defaults ? { defaults: { ...raw.tasks.defaults, image: swap(raw.tasks.defaults.image) } } : {}), list: (raw.tasks.list ?? []).map((t: Record<string, unknown>) => ({ ...t, image: swap(t.image) })) } : raw.tasks;
  const container = raw.pool?.container ?? { type: "dockerCompatible" };
  const prefetch = [...new Set([...(container.prefetch ?? []).map(swap), image.digestRef])];
  const registries = [...(container.registries ?? [])];
  if (!registries.some((r: { server?: string }) => r.server?.toLowerCase() === image.registry.toLowerCase())) {
    const identity = raw.pool?.identity?.[0];
    registries.push(identity ? { server: image.registry, identity } : { server: image.registry, username: image.username, password: `{{ env.${passwordEnv} }}` });
  }
  return { ...raw, pool: { ...raw.pool, container: { ...container, prefetch, registries } }, ...(tasks ? { tasks } : {}) };
}

export function buildInputs(inputs: Inputs): BuildInputs {
  void inputs;
  const text = (name: string) => core.getInput(name) || undefined;
  const lines = (name: string) => core.getMultilineInput(name);
  const bool = (name: string) => {
    const v = core.getInput(name).toLowerCase();
    if (v === "") return undefined;
    if (v !== "true" && v !== "false") throw new UsageError(`input ${name}: "${v}" is not true or false`);
    return v === "true";
  };
  return {
    build: bool("build"),
    context: core.getInput("context") || ".",
    dockerfile: core.getInput("dockerfile") || "Dockerfile",
    target: text("target"),
    buildArgs: lines("build-args"),
    labels: lines("labels"),
    registry: text("registry"),
    repository: text("repository"),
    tags: lines("tags"),
    registryUsername: text("registry-username"),
    registryPassword: text("registry-password"),
    rebuild: bool("rebuild") ?? true,
  };
}
