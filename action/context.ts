/**
 * The Action's inputs, all of them (the build's too), read once into `Inputs` keyed like
 * action.yml; everything downstream is a function of them. Bad input is a `UsageError` naming the input.
 */
import * as core from "@actions/core";
import { CLOUDS, cloudNamed, MAX_SUBMIT_CONCURRENCY, UsageError, type Cloud } from "azure-batch-run";

export type Mode = "azure" | "local";
export type Cleanup = "created" | "job" | "pool" | "none";

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
  /** `os/arch` entries; more than one needs buildx with a builder that is not the docker driver. */
  platforms: string[];
  /** buildx `--cache-from` / `--cache-to` entries; empty = the registry cache `<registry>/<repository>:buildcache`, `none` = no cache. */
  cacheFrom: string[];
  cacheTo: string[];
}

/** An application package to deploy before the run (inputs `package-*`). */
export interface PackageInputs {
  id: string;
  /** A zip file or a folder (zipped), relative to the workspace. */
  path: string;
  /** Default: the commit sha. */
  version?: string;
  setDefault: boolean;
  replace: boolean;
}

export interface Inputs {
  spec: string;
  vars: Record<string, string>;
  envAllow: string[];
  poolId?: string;
  vmSize?: string;
  nodes?: number;
  jobId?: string;
  mode: Mode;
  accountUrl?: string;
  clientId?: string;
  tenantId?: string;
  accountName?: string;
  accountKey?: string;
  wait: boolean;
  /** Check that the spec fits the account before a pool is created. */
  preflight: boolean;
  /** Tasks whose output is streamed into the log while they run. */
  follow: string[];
  timeoutSeconds: number;
  cleanup: Cleanup;
  failOnTaskFailure: boolean;
  maxLogLines: number;
  /** addtaskcollection requests at once (default the core's). */
  concurrency?: number;
  /** The Azure cloud: Entra ID's authority, the Batch and ARM scopes, ACR's exchange and the portal follow it. */
  cloud: Cloud;
  /** The audience of the GitHub ID token exchanged with Entra ID. */
  audience: string;
  /** The image to build and push, when there is one. */
  build: BuildInputs;
  /** The application package to deploy first, when there is one. */
  package?: PackageInputs;
}

const optional = (name: string): string | undefined => core.getInput(name) || undefined;

function oneOf<T extends string>(name: string, allowed: readonly T[]): T {
  const value = core.getInput(name);
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`input ${name}: "${value}" is not one of ${allowed.join(", ")}`);
  return value as T;
}

/** A list of task ids (comma or newline separated), each a valid Batch id, at most `max`. */
function taskList(name: string, max: number): string[] {
  const ids = core
    .getInput(name)
    .split(/[\s,]+/)
    .filter(Boolean);
  if (ids.length > max) throw new UsageError(`input ${name}: ${ids.length} tasks; at most ${max} are followed`);
  const bad = ids.find((id) => !/^[A-Za-z0-9_-]{1,64}$/.test(id));
  if (bad) throw new UsageError(`input ${name}: "${bad.slice(0, 80)}" is not a task id (1 to 64 letters, digits, _ or -)`);
  return ids;
}

function boolean(name: string): boolean {
  const value = core.getInput(name).toLowerCase();
  if (value === "true") return true;
  if (value === "false") return false;
  throw new UsageError(`input ${name}: "${value}" is not true or false`);
}

function integer(name: string, min: number, max: number): number | undefined {
  const value = core.getInput(name);
  if (value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`input ${name}: "${value}" is not a whole number from ${min} to ${max}`);
  return n;
}

function keyValues(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of core.getMultilineInput(name)) {
    const eq = line.indexOf("=");
    if (eq <= 0) throw new UsageError(`input ${name}: "${line}" is not key=value`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

function buildInputs(): BuildInputs {
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
    platforms: lines("platforms")
      .flatMap((l) => l.split(","))
      .map((p) => p.trim())
      .filter(Boolean),
    cacheFrom: lines("cache-from"),
    cacheTo: lines("cache-to"),
  };
}

function packageInputs(): PackageInputs | undefined {
  const id = optional("package-id");
  const path = optional("package-path");
  const version = optional("package-version");
  if (!id) {
    const stray = ["package-path", "package-version"].find((n) => optional(n) !== undefined);
    if (stray) throw new UsageError(`input ${stray} needs package-id: the application the package is a version of`);
    return undefined;
  }
  if (!path) throw new UsageError("input package-path is required with package-id: a zip file, or a folder to zip");
  return { id, path, version, setDefault: boolean("package-default"), replace: boolean("package-replace") };
}

function cloudInput(): Cloud {
  const name = core.getInput("environment") || "AzureCloud";
  const cloud = cloudNamed(name);
  if (!cloud) throw new UsageError(`input environment: "${name}" is not one of ${Object.keys(CLOUDS).join(", ")}`);
  return cloud;
}

export function getInputs(): Inputs {
  const spec = core.getInput("spec");
  if (!spec.trim()) throw new UsageError("input spec is required: the path of the workload spec (YAML or JSON), or the spec itself");
  const inputs: Inputs = {
    spec,
    vars: keyValues("vars"),
    envAllow: core.getMultilineInput("env-allow"),
    poolId: optional("pool-id"),
    vmSize: optional("vm-size"),
    nodes: integer("nodes", 0, 2_147_483_647),
    jobId: optional("job-id"),
    mode: oneOf("mode", ["azure", "local"] as const),
    accountUrl: optional("account-url"),
    clientId: optional("client-id"),
    tenantId: optional("tenant-id"),
    accountName: optional("account-name"),
    accountKey: optional("account-key"),
    wait: boolean("wait"),
    preflight: boolean("preflight"),
    timeoutSeconds: integer("timeout", 1, 3600) ?? 300,
    cleanup: oneOf("cleanup", ["created", "job", "pool", "none"] as const),
    failOnTaskFailure: boolean("fail-on-task-failure"),
    maxLogLines: integer("max-log-lines", 0, 10_000) ?? 50,
    concurrency: integer("concurrency", 1, MAX_SUBMIT_CONCURRENCY),
    follow: taskList("follow", 10),
    cloud: cloudInput(),
    audience: core.getInput("audience") || "api://AzureADTokenExchange",
    build: buildInputs(),
    package: packageInputs(),
  };
  if ((inputs.clientId === undefined) !== (inputs.tenantId === undefined)) {
    throw new UsageError(
      `input ${inputs.clientId ? "tenant-id" : "client-id"} is required with ${inputs.clientId ? "client-id" : "tenant-id"}: OIDC federation needs both`,
    );
  }
  if (inputs.accountName && !inputs.accountKey) throw new UsageError("input account-key is required with account-name");
  // Secrets are masked before anything can print them.
  if (inputs.accountKey) core.setSecret(inputs.accountKey);
  return inputs;
}
