/**
 * Building the workload's image and pushing it to the registry, with the docker CLI (arguments as
 * an array, never a shell string; the password on stdin). The pushed image is then used by digest:
 * `{{ build.image }}` in the spec, every task whose image is the built name, and the pool's
 * prefetch list and registries, so that the nodes pull exactly what was built.
 */
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as core from "@actions/core";
import { getExecOutput } from "@actions/exec";
import type { TokenCredential } from "@azure/identity";
import { UsageError } from "azure-batch-run";

import type { BuildInputs } from "./context.js";
export type { BuildInputs };

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

/**
 * Building or pushing the image failed: the step ends as a build failure, its annotation with the
 * last lines of the failing command's output, and the whole of it in a log group.
 */
export class BuildError extends Error {
  override readonly name = "BuildError";
  constructor(
    message: string,
    readonly log = "",
  ) {
    super(message);
  }
}

// eslint-disable-next-line no-control-regex -- the escape character starts the colour codes it removes
const COLOUR_CODES = /\x1b\[[0-9;]*m/g;

/** The last lines of a command's output that say something (not Docker's notice that its legacy builder is deprecated). */
function lastLines(text: string, n: number): string {
  const lines: string[] = [];
  let notice = false;
  for (const line of text
    .trim()
    .split("\n")
    .map((l) => l.trimEnd())) {
    if (/^DEPRECATED:/.test(line)) notice = true;
    else if (notice && !/^\s/.test(line)) notice = false;
    if (!notice && line) lines.push(line);
  }
  return lines.slice(-n).join("\n");
}

async function docker(args: string[], options: { input?: string; allowFailure?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await getExecOutput("docker", args, {
    input: options.input === undefined ? undefined : Buffer.from(options.input),
    ignoreReturnCode: true,
    silent: true,
  });
  if (r.exitCode !== 0 && !options.allowFailure) {
    // Without terminal colours and carriage-return progress, as a log shows it.
    const log = [r.stdout, r.stderr]
      .filter((t) => t.trim())
      .join("\n")
      .replace(COLOUR_CODES, "")
      .replace(/\r(?!\n)/g, "\n");
    throw new BuildError(
      `docker ${args[0] === "buildx" ? `buildx ${args[1]}` : args[0]} failed (exit ${r.exitCode}):\n${lastLines(r.stderr || r.stdout, 5)}`,
      log,
    );
  }
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
export async function acrRefreshToken(
  registry: string,
  credential: TokenCredential,
  tenant?: string,
  armScope = "https://management.azure.com/.default",
): Promise<string> {
  const host = registry.split(":")[0]!;
  const scheme = /^(127\.\d+\.\d+\.\d+|localhost)$/.test(host) ? "http" : "https";
  // ACR takes an Entra token for its cloud's Resource Manager.
  const token = await credential.getToken(armScope);
  if (!token) throw new Error("the credential gave no Entra token for the registry exchange");
  core.setSecret(token.token);
  const form = new URLSearchParams({ grant_type: "access_token", service: registry, access_token: token.token, ...(tenant ? { tenant } : {}) });
  const response = await fetch(`${scheme}://${registry}/oauth2/exchange`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form,
  });
  const body = (await response.json().catch(() => ({}))) as { refresh_token?: string; error?: string; error_description?: string };
  if (!response.ok || !body.refresh_token) {
    throw new Error(
      `the registry ${registry} refused the token exchange: HTTP ${response.status}${body.error ? ` ${body.error}` : ""}${body.error_description ? `: ${body.error_description}` : ""}`,
    );
  }
  core.setSecret(body.refresh_token);
  return body.refresh_token;
}

/** What will be pushed, from the inputs alone (checked before anything is built). */
export function plannedImage(
  b: BuildInputs,
  context: { sha: string; repository: string },
): { registry: string; repository: string; tags: string[]; name: string } {
  if (!b.registry) throw new UsageError("input registry is required to build: the registry to push to, e.g. myacr.azurecr.io");
  const repository = (b.repository ?? context.repository.split("/").pop() ?? "workload").toLowerCase();
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)) {
    throw new UsageError(
      `input repository: "${repository}" is not a repository name (lower-case letters, digits and . _ - separators, path components split by /)`,
    );
  }
  const tags = b.tags.length ? b.tags : [context.sha];
  const badTag = tags.find((t) => !/^[\w][\w.-]{0,127}$/.test(t));
  if (badTag !== undefined) throw new UsageError(`input tags: "${badTag}" is not a tag (up to 128 letters, digits, _ . -, not starting with . or -)`);
  const badPlatform = b.platforms.find((p) => !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(p));
  if (badPlatform !== undefined) throw new UsageError(`input platforms: "${badPlatform}" is not os/arch[/variant], e.g. linux/amd64`);
  return { registry: b.registry, repository, tags, name: `${b.registry}/${repository}:${tags[0]}` };
}

/**
 * The buildx builder's driver, or undefined without buildx. The `docker` driver (buildx's default
 * on a plain engine) can neither export a registry cache nor build for several platforms; a
 * `docker-container` builder (docker/setup-buildx-action) can.
 */
export async function buildxDriver(): Promise<string | undefined> {
  const r = await docker(["buildx", "inspect"], { allowFailure: true });
  if (r.code !== 0) return undefined;
  return /^Driver:\s*(\S+)/m.exec(r.stdout)?.[1];
}

/** The default registry cache: one tag beside the image in the same registry. */
export const CACHE_TAG = "buildcache";

/**
 * The docker arguments that build (and, with buildx, push) the image. With a buildx builder that
 * is not the docker driver: `buildx build --push` for every platform, the registry cache, and a
 * metadata file that names the pushed digest (a multi-platform image is never in the local engine).
 * Without: `docker build` (one platform at most), pushed tag by tag afterwards.
 */
export function buildCommand(
  b: BuildInputs,
  image: { registry: string; repository: string; tags: string[] },
  context: { sha: string; repository: string; serverUrl: string; created: string },
  buildx?: { metadataFile: string },
): string[] {
  const args = buildx ? ["buildx", "build"] : ["build"];
  args.push("--file", join(b.context, b.dockerfile));
  if (b.target) args.push("--target", b.target);
  for (const a of b.buildArgs) args.push("--build-arg", a);
  const labels = [
    `org.opencontainers.image.source=${context.serverUrl}/${context.repository}`,
    `org.opencontainers.image.revision=${context.sha}`,
    `org.opencontainers.image.created=${context.created}`,
    ...b.labels,
  ];
  for (const l of labels) args.push("--label", l);
  for (const t of image.tags) args.push("--tag", `${image.registry}/${image.repository}:${t}`);
  if (b.platforms.length) args.push("--platform", b.platforms.join(","));
  if (buildx) {
    const cache = `type=registry,ref=${image.registry}/${image.repository}:${CACHE_TAG}`;
    const from = b.cacheFrom.length ? b.cacheFrom : [cache];
    const to = b.cacheTo.length ? b.cacheTo : [`${cache},mode=max`];
    for (const c of from) if (c !== "none") args.push("--cache-from", c);
    for (const c of to) if (c !== "none") args.push("--cache-to", c);
    args.push("--push", "--metadata-file", buildx.metadataFile);
  }
  args.push(b.context);
  return args;
}

/**
 * Whether this engine can build what the inputs ask: several platforms need a buildx builder that
 * is not the docker driver (a usage error, before anything is built); a cache without one is said
 * once and skipped.
 */
export function buildPath(b: BuildInputs, driver: string | undefined): "buildx" | "docker" {
  const capable = driver !== undefined && driver !== "docker";
  if (capable) return "buildx";
  if (b.platforms.length > 1) {
    throw new UsageError(
      `input platforms: building for ${b.platforms.join(", ")} needs docker buildx with a builder that can build several platforms (${driver ? `this runner's builder uses the ${driver} driver` : "this runner has no buildx"}); add docker/setup-buildx-action before this step, or give one platform`,
    );
  }
  const cache = [...b.cacheFrom, ...b.cacheTo].filter((c) => c !== "none");
  if (cache.length)
    core.warning(
      `cache-from and cache-to need docker buildx with a builder that is not the docker driver (${driver ? `this runner's uses the ${driver} driver` : "this runner has no buildx"}): building without a cache`,
    );
  return "docker";
}

export async function buildAndPush(
  b: BuildInputs,
  context: { sha: string; repository: string; serverUrl: string },
  entra?: { credential: TokenCredential; tenant?: string; armScope?: string },
): Promise<BuiltImage> {
  const image = plannedImage(b, context);
  const { registry, repository, tags, name } = image;
  if (b.registryPassword) core.setSecret(b.registryPassword);
  if (!(b.registryUsername && b.registryPassword) && !entra) {
    throw new UsageError(
      "to push, give registry-username and registry-password, or sign in with Entra ID (client-id and tenant-id, or an azure/login session) so that the Action exchanges a token with the registry",
    );
  }
  const path = buildPath(b, await buildxDriver());
  const login =
    b.registryUsername && b.registryPassword
      ? { username: b.registryUsername, password: b.registryPassword }
      : { username: ACR_TOKEN_USER, password: await acrRefreshToken(registry, entra!.credential, entra!.tenant, entra!.armScope) };
  await docker(["login", "--username", login.username, "--password-stdin", registry], { input: login.password });
  const built = (digestRef: string, rebuilt: boolean): BuiltImage => {
    core.info(`${rebuilt ? "pushed" : "using"} ${name} as ${digestRef}`);
    return { name, digestRef, digest: digestRef.slice(digestRef.indexOf("@") + 1), registry, username: login.username, password: login.password, rebuilt };
  };
  if (!b.rebuild) {
    const digest = await registryDigest(image, login);
    if (digest) {
      core.info(`${name} is already in the registry: not rebuilt (rebuild: false)`);
      return built(`${registry}/${repository}@${digest}`, false);
    }
  }
  const meta = { sha: context.sha, repository: context.repository, serverUrl: context.serverUrl, created: new Date().toISOString() };
  core.info(`building ${name}${path === "buildx" ? ` with buildx${b.platforms.length ? ` for ${b.platforms.join(", ")}` : ""}` : ""}`);
  if (path === "buildx") {
    const metadataFile = join(process.env.RUNNER_TEMP ?? tmpdir(), `azure-batch-run-build-${process.pid}.json`);
    await docker(buildCommand(b, image, meta, { metadataFile }));
    const digest = (JSON.parse(await readFile(metadataFile, "utf8")) as Record<string, unknown>)["containerimage.digest"];
    await rm(metadataFile, { force: true });
    if (typeof digest !== "string" || !digest.startsWith("sha256:")) throw new Error(`docker buildx pushed ${name} but named no digest in its metadata file`);
    return built(`${registry}/${repository}@${digest}`, true);
  }
  await docker(buildCommand(b, image, meta));
  for (const t of tags) await docker(["push", "--quiet", `${registry}/${repository}:${t}`]);
  const inspected = await docker(["image", "inspect", "--format", "{{json .RepoDigests}}", name]);
  const digests = JSON.parse(inspected.stdout.trim() || "[]") as string[];
  const digestRef = digests.find((d) => d.startsWith(`${registry}/${repository}@`));
  if (!digestRef) throw new Error(`${name} has no digest in ${registry} after the push`);
  return built(digestRef, true);
}

/** The manifest types a tag may name: one image, or an index of several platforms. */
const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/**
 * The digest the registry has for a tag (of the image, or of the index of a multi-platform image),
 * or undefined when it has none: `HEAD /v2/<repository>/manifests/<tag>` of the registry API,
 * answering its challenge with the login (Basic, or the token service a `Bearer` challenge names,
 * as ACR's does). Nothing is pulled.
 */
export async function registryDigest(
  image: { registry: string; repository: string; tags: string[] },
  login: { username: string; password: string },
): Promise<string | undefined> {
  const host = image.registry.split(":")[0]!;
  const scheme = /^(127\.\d+\.\d+\.\d+|localhost)$/.test(host) ? "http" : "https";
  const url = `${scheme}://${image.registry}/v2/${image.repository}/manifests/${encodeURIComponent(image.tags[0]!)}`;
  const basic = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}`;
  const head = (authorization?: string) => fetch(url, { method: "HEAD", headers: { accept: MANIFEST_TYPES, ...(authorization ? { authorization } : {}) } });
  let response = await head();
  const challenge = response.headers.get("www-authenticate") ?? "";
  if (response.status === 401 && /^basic/i.test(challenge)) response = await head(basic);
  else if (response.status === 401 && /^bearer/i.test(challenge)) {
    const param = (name: string) => new RegExp(`${name}="([^"]*)"`, "i").exec(challenge)?.[1];
    const realm = param("realm");
    if (!realm) throw new Error(`the registry ${image.registry} asked for a token without naming where to get it`);
    const service = param("service") ?? image.registry;
    const scope = `repository:${image.repository}:pull`;
    // ACR's refresh token is exchanged as ACR documents it (a form POST); any other login the
    // Docker token protocol's way (GET, Basic).
    const tokenResponse =
      login.username === ACR_TOKEN_USER
        ? await fetch(realm, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ grant_type: "refresh_token", service, scope, refresh_token: login.password }),
          })
        : await fetch(`${realm}${realm.includes("?") ? "&" : "?"}${new URLSearchParams({ service, scope })}`, { headers: { authorization: basic } });
    const body = (await tokenResponse.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.access_token ?? body.token;
    if (!tokenResponse.ok || !token)
      throw new Error(`the registry ${image.registry} refused a pull token for ${image.repository}: HTTP ${tokenResponse.status}`);
    core.setSecret(token);
    response = await head(`Bearer ${token}`);
  }
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`the registry ${image.registry} answered HTTP ${response.status} when asked for ${image.repository}:${image.tags[0]}`);
  const digest = response.headers.get("docker-content-digest");
  if (!digest?.startsWith("sha256:")) throw new Error(`the registry ${image.registry} named no digest for ${image.repository}:${image.tags[0]}`);
  return digest;
}

/**
 * The spec, to run what was built: the built image by digest wherever the spec names it (its
 * name, with or without the tag), in the pool's prefetch list, and a registry entry for the pool
 * (the pool's managed identity when it has one, else the push credentials from the environment).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a spec as parsed, before it is checked: any shape
export function useBuiltImage(raw: Record<string, any>, image: BuiltImage, passwordEnv: string): Record<string, any> {
  const untagged = image.name.slice(0, image.name.lastIndexOf(":"));
  const swap = (value: unknown) => (value === image.name || value === untagged ? image.digestRef : value);
  const tasks = raw.tasks
    ? {
        ...raw.tasks,
        ...(raw.tasks.defaults ? { defaults: { ...raw.tasks.defaults, image: swap(raw.tasks.defaults.image) } } : {}),
        list: (raw.tasks.list ?? []).map((t: Record<string, unknown>) => ({ ...t, image: swap(t.image) })),
      }
    : raw.tasks;
  const container = raw.pool?.container ?? { type: "dockerCompatible" };
  const prefetch = [...new Set([...(container.prefetch ?? []).map(swap), image.digestRef])];
  const registries = [...(container.registries ?? [])];
  if (!registries.some((r: { server?: string }) => r.server?.toLowerCase() === image.registry.toLowerCase())) {
    const identity = raw.pool?.identity?.[0];
    registries.push(
      identity ? { server: image.registry, identity } : { server: image.registry, username: image.username, password: `{{ env.${passwordEnv} }}` },
    );
  }
  return { ...raw, pool: { ...raw.pool, container: { ...container, prefetch, registries } }, ...(tasks ? { tasks } : {}) };
}
