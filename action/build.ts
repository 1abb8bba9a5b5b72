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
import type { TokenCredential } from "@azure/identity";
import { UsageError } from "azure-batch-run";

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
  /** The login the pool pulls with, when it has no managed identity (an exchanged token lasts about 3 hours). */
  username?: string;
  password?: string;
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

/** The user name ACR takes with a refresh token from its token exchange. */
export const ACR_TOKEN_USER = "00000000-0000-0000-0000-000000000000";

/**
 * Azure Container Registry's token exchange: an Entra access token for the registry's tenant,
 * exchanged at `https://<registry>/oauth2/exchange` for a registry refresh token, which docker
 * logs in with (user 00000000-0000-0000-0000-000000000000). Plain http only to a loopback registry.
 */
export async function acrRefreshToken(registry: string, credential: TokenCredential, tenant?: string): Promise<string> {
  const host = registry.split(":")[0]!;
  const scheme = /^(127\.\d+\.\d+\.\d+|localhost)$/.test(host) ? "http" : "https";
  const token = await credential.getToken("https://management.azure.com/.default");
  if (!token) throw new Error("the credential gave no Entra token for the registry exchange");
  core.setSecret(token.token);
  const form = new URLSearchParams({ grant_type: "access_token", service: registry, access_token: token.token, ...(tenant ? { tenant } : {}) });
  const response = await fetch(`${scheme}://${registry}/oauth2/exchange`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form });
  const body = (await response.json().catch(() => ({}))) as { refresh_token?: string; error?: string; error_description?: string };
  if (!response.ok || !body.refresh_token) {
    throw new Error(`the registry ${registry} refused the token exchange: HTTP ${response.status}${body.error ? ` ${body.error}` : ""}${body.error_description ? `: ${body.error_description}` : ""}`);
  }
  core.setSecret(body.refresh_token);
  return body.refresh_token;
}

export async function buildAndPush(b: BuildInputs, context: { sha: string; repository: string; serverUrl: string }, entra?: { credential: TokenCredential; tenant?: string }): Promise<BuiltImage> {
  if (!b.registry) throw new UsageError("input registry is required to build: the registry to push to, e.g. myacr.azurecr.io");
  if (b.registryPassword) core.setSecret(b.registryPassword);
  if (!(b.registryUsername && b.registryPassword) && !entra) {
    throw new UsageError("to push, give registry-username and registry-password, or sign in with Entra ID (client-id and tenant-id, or an azure/login session) so that the Action exchanges a token with the registry");
  }
  const repository = (b.repository ?? context.repository.split("/").pop() ?? "workload").toLowerCase();
  const tags = b.tags.length ? b.tags : [context.sha];
  const name = `${b.registry}/${repository}:${tags[0]}`;
  const login = b.registryUsername && b.registryPassword ? { username: b.registryUsername, password: b.registryPassword } : { username: ACR_TOKEN_USER, password: await acrRefreshToken(b.registry, entra!.credential, entra!.tenant) };
  await docker(["login", "--username", login.username, "--password-stdin", b.registry], { input: login.password });
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
  return { name, digestRef, digest: digestRef.slice(digestRef.indexOf("@") + 1), registry: b.registry, username: login.username, password: login.password, rebuilt };
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

export function buildInputs(): BuildInputs {
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
