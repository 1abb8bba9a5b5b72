/**
 * Loading a workload spec: parse YAML or JSON, resolve the global templates, validate the
 * structure, expand the tasks and check the Batch container rules. Everything that can be known
 * before touching the network is known here, so a bad spec fails with exit code 2 and nothing
 * half-created.
 */
import { parseDocument } from "yaml";
import type { z } from "zod";
import { checkData, checkExpansion, checkText, LIMITS } from "./budget.js";
import { IssueCollector, SpecError, formatPath, type SpecIssue } from "./errors.js";
import { checkRetirement } from "../batch/images.js";
import { Expansion, TaskSet } from "./expand.js";
import { checkArmCoordinates, checkJob, checkPool, deriveNodeAgentSku, TaskChecker, isGpuVmSize, isWindowsPool, type PoolFacts } from "./rules.js";
import { WorkloadSpec, type JobSpec, type PoolSpec } from "./schema.js";
import { checkJobLimits, checkPoolLimits } from "./serviceLimits.js";
import { renderDeep, type TemplateScope } from "./template.js";
import { checkBodySizes, checkTaskBody } from "../translate/limits.js";
import { REDACTED, Redactor } from "../redact.js";
import { SECRET_NAME } from "../batch/redaction.js";
import { API_VERSION, type ApiVersion } from "../batch/apiVersion.js";
import { attachListing, describeSource, type BlobListing } from "./blobItems.js";
import { BlobSource, type BlobSourceSpec } from "./schema.js";

export interface LoadOptions {
  /** `--var k=v` values; they override the spec's own `vars`. */
  vars?: Record<string, string>;
  /**
   * The environment `{{ env.* }}` may read: exactly what the caller passes, nothing by default.
   * The CLI passes its process environment; the Action and the Function app pass an allow-list,
   * so that a spec cannot read the runner's own tokens.
   */
  env?: Record<string, string | undefined>;
  /** How to make a missing `{{ env.NAME }}` available, for the error (e.g. "add it to the Action's env-allow input"). */
  envHint?: string;
  /**
   * A secret reference whose variable is not set: an error (`"fail"`, the default: `run` needs
   * it), or a `<redacted>` placeholder (`"placeholder"`: `plan` and `validate` need no secrets).
   * `Workload.secretEnv` says which variables were missing.
   */
  unsetSecrets?: "fail" | "placeholder";
  /** Extra template roots a wrapper adds, e.g. `github` or `event`. */
  roots?: Record<string, unknown>;
  /** Shown in parse errors. */
  fileName?: string;
  /** Overrides the spec's `account.apiVersion` (the CLI's `--api-version`). */
  apiVersion?: ApiVersion;
  /** The time retirements are judged at (ms since the epoch; default now). */
  now?: number;
  /**
   * Told of the `vars` given in `options.vars` that no template of the spec uses (`{{ vars.NAME }}`),
   * with the ones templates do use: the CLI makes a misspelled `--var` a usage error.
   */
  onUnusedVars?: (unused: string[], used: string[]) => void;
  /**
   * The listed blobs of each `forEach: { blobs }` entry, by its index in `tasks.list`
   * (`listForEachBlobs` makes them; `loadSpecWithBlobs` lists and loads). An entry without its
   * listing is an error: the loader never reaches the network.
   */
  blobListings?: ReadonlyMap<number, BlobListing>;
}

import type { Workload } from "./types.js";
export type { Workload };

/**
 * Secrets by flow: an environment value is secret when its name says so, or when it lands in a
 * field that carries secrets: a password, any environment variable of a task, a resource or output
 * URL (a SAS), or a field whose own name is secret-like.
 */
function isSecretFlow(envName: string, path: readonly (string | number)[], notSecret: ReadonlySet<string>): boolean {
  const keys = path.filter((k): k is string => typeof k === "string");
  const field = keys[keys.length - 1] ?? "";
  // A registry password is a secret whatever the spec says of its variable.
  if (field === "password") return true;
  if (notSecret.has(envName)) return false;
  return SECRET_NAME.test(envName) || SECRET_NAME.test(field) || keys.includes("env") || field === "url" || field === "container";
}

const ENV_REFERENCE = /^\{\{\s*env\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/;

const TOO_DEEP = `nests lists and mappings more than ${LIMITS.depth} levels deep`;

/**
 * Parses YAML (or JSON, which is YAML) into plain data; syntax errors carry line and column. The
 * text's size and nesting are checked first, and alias expansion is bounded (an alias bomb is a
 * spec error, not an exhausted process).
 */
export function parseSpecText(text: string, fileName = "spec"): unknown {
  const issues = new IssueCollector();
  checkText(text, fileName, issues);
  issues.throwIfAny();
  let doc: ReturnType<typeof parseDocument>;
  try {
    // logLevel "error": the yaml package would print warnings (a key that is a collection) itself; such
    // a key becomes an unknown field, which the schema names.
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: "error" });
  } catch (error) {
    if (error instanceof RangeError) throw new SpecError([{ path: "", message: `${fileName} ${TOO_DEEP}` }]);
    throw error;
  }
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((e) => ({ path: "", message: /call stack/i.test(e.message) ? `${fileName} ${TOO_DEEP}` : `${fileName}: ${e.message.split("\n")[0]}` })),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: LIMITS.aliases });
  } catch (error) {
    if (error instanceof ReferenceError && /excessive alias/i.test(error.message)) {
      throw new SpecError([
        { path: "", message: `${fileName} expands YAML aliases (*name) beyond ${LIMITS.aliases} uses; write the values out, or generate them with forEach` },
      ]);
    }
    // An alias to an anchor that is not set (yet), and the like: the document is wrong, say how.
    if (error instanceof ReferenceError) throw new SpecError([{ path: "", message: `${fileName}: ${error.message}` }]);
    if (error instanceof RangeError) throw new SpecError([{ path: "", message: `${fileName} ${TOO_DEEP}` }]);
    throw error;
  }
}

/**
 * A retired image or node agent is refused (the date and the replacement); one that retires within
 * 180 days is a warning. The image's own retirement is said first, its node agent's only when the
 * image has none of the same kind.
 */
function checkImageRetirement(pool: PoolSpec, nodeAgentSku: string | undefined, now: number, issues: IssueCollector): SpecIssue[] {
  const warnings: SpecIssue[] = [];
  const image = { publisher: pool.image.publisher, offer: pool.image.offer, sku: pool.image.sku, virtualMachineImageId: pool.image.id };
  const findings = checkRetirement(image, nodeAgentSku, now);
  for (const f of findings) {
    if (f.field === "nodeAgentSku" && findings.some((o) => o.field === "image" && o.status === f.status)) continue;
    const path = f.field === "image" || pool.nodeAgentSku === undefined ? "pool.image" : "pool.nodeAgentSku";
    if (f.status === "retired") issues.add(path, f.message);
    else warnings.push({ path, message: f.message });
  }
  return warnings;
}

/**
 * A union's one alternative whose fields the value has (say forEach's `range`) explains better than
 * "give exactly one of ...": its issues, at their full paths. Otherwise the union's own message.
 */
function unionAlternative(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union") return [issue];
  const fitting = issue.errors.filter((alternative) =>
    alternative.every((i) => i.code !== "unrecognized_keys" && !(i.code === "invalid_type" && i.path.length === 1 && i.message.includes("received undefined"))),
  );
  if (fitting.length !== 1) return [issue];
  return fitting[0]!.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue);
}

/** Sets numeric strings to numbers where the schema wants a number; true when it changed any. */
function coerceNumbers(input: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): boolean {
  let changed = false;
  // A union's alternatives report inside it (forEach: range, items, ...): their issues count too.
  const flat: z.core.$ZodIssue[] = [];
  const stack = [...issues];
  while (stack.length > 0) {
    const issue = stack.pop()!;
    if (issue.code === "invalid_union")
      for (const alternative of issue.errors) stack.push(...alternative.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue));
    else flat.push(issue);
  }
  for (const issue of flat) {
    if (issue.code !== "invalid_type" || (issue.expected !== "number" && issue.expected !== "int") || issue.path.length === 0) continue;
    let holder: unknown = input;
    for (const key of issue.path.slice(0, -1))
      holder = holder !== null && typeof holder === "object" ? (holder as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
    const key = issue.path[issue.path.length - 1] as PropertyKey;
    if (holder === null || typeof holder !== "object") continue;
    const value = (holder as Record<PropertyKey, unknown>)[key];
    if (typeof value === "string" && /^-?\d{1,15}(\.\d+)?$/.test(value.trim())) {
      (holder as Record<PropertyKey, unknown>)[key] = Number(value.trim());
      changed = true;
    }
  }
  return changed;
}

type AnySchema = z.core.$ZodType;

/** The field names an object schema accepts at `path`, for "unknown field" messages. */
function fieldsAt(schema: AnySchema, path: ReadonlyArray<PropertyKey>): string[] | undefined {
  let current: AnySchema | undefined = schema;
  const unwrap = (s: AnySchema): AnySchema => {
    let out = s;
    for (;;) {
      const def = out._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema };
      if ((def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "prefault") && def.innerType) out = def.innerType;
      else if (def.type === "pipe" && def.in) out = def.in;
      else return out;
    }
  };
  for (const key of path) {
    if (!current) return undefined;
    const s = unwrap(current);
    const def = s._zod.def as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema; valueType?: AnySchema };
    if (def.type === "object" && def.shape && typeof key === "string") current = def.shape[key];
    else if (def.type === "array" && typeof key === "number") current = def.element;
    else if (def.type === "record") current = def.valueType;
    else return undefined;
  }
  if (!current) return undefined;
  const def = unwrap(current)._zod.def as { type: string; shape?: Record<string, AnySchema> };
  return def.type === "object" && def.shape ? Object.keys(def.shape).filter((k) => k !== "$schema") : undefined;
}

function zodIssueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === "unrecognized_keys") {
    const valid = fieldsAt(WorkloadSpec, issue.path);
    const names = issue.keys.map((k) => `"${k}"`).join(", ");
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${names}${valid ? `; valid fields: ${valid.join(", ")}` : ""}`;
  }
  if (issue.code === "invalid_type") {
    let value: unknown = input;
    for (const key of issue.path) value = value === null || typeof value !== "object" ? undefined : (value as Record<PropertyKey, unknown>)[key];
    if (value === undefined) return "is required";
    const hint =
      typeof value === "string" && (issue.expected === "int" || issue.expected === "number")
        ? " (a --var value is text: give digits there, e.g. --var n=3)"
        : "";
    return `must be ${issue.expected === "int" ? "a whole number" : `a${/^[aeiou]/.test(issue.expected) ? "n" : ""} ${issue.expected}`}, got ${JSON.stringify(value)}${hint}`;
  }
  return issue.message;
}

/** Loads a spec from text. Throws `SpecError` listing every problem found. */
export function loadSpec(text: string, options: LoadOptions = {}): Workload {
  const raw = parseSpecText(text, options.fileName);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new SpecError([{ path: "", message: "the spec must be a mapping with pool, job and tasks" }]);
  }
  return loadSpecObject(raw as Record<string, unknown>, options);
}

/**
 * Loads a spec that is already data (the wrappers build one from their inputs). Its errors are
 * redacted with every secret found on the way, so an invalid field never quotes one.
 */
export function loadSpecObject(raw: Record<string, unknown>, options: LoadOptions = {}): Workload {
  const envSecrets = new Set<string>();
  try {
    return load(raw, options, envSecrets);
  } catch (error) {
    if (error instanceof SpecError) throw new Redactor(envSecrets).error(error);
    throw error;
  }
}

/** A `forEach: { blobs }` source with its templates filled: what to list, and where it is in the spec. */
export interface BlobSourceAt {
  index: number;
  path: string;
  source: BlobSourceSpec;
}

/**
 * The `forEach: { blobs }` sources of a spec, their `{{ vars.* }}` and `{{ env.* }}` filled as the
 * loader fills them and each checked: what `listForEachBlobs` lists. Throws `SpecError`.
 */
export function blobSourcesOf(raw: Record<string, unknown>, options: LoadOptions = {}): BlobSourceAt[] {
  const list = (raw.tasks as { list?: unknown } | undefined)?.list;
  if (!Array.isArray(list)) return [];
  const issues = new IssueCollector();
  const scope = templateScope(raw, options);
  const onMissingEnv = missingSecretPlaceholder(options, notSecretOf(raw));
  const out: BlobSourceAt[] = [];
  list.forEach((entry, index) => {
    const blobs = (entry as { forEach?: { blobs?: unknown } } | null)?.forEach?.blobs;
    if (blobs === undefined) return;
    const path = `tasks.list[${index}].forEach.blobs`;
    const rendered = renderDeep(blobs, scope, { onMissingEnv, envHint: options.envHint }, ["tasks", "list", index, "forEach", "blobs"], (p, message) =>
      issues.add(formatPath(p), message),
    );
    const parsed = BlobSource.safeParse(rendered);
    if (!parsed.success) for (const i of parsed.error.issues) issues.add(`${path}${i.path.length ? `.${formatPath(i.path)}` : ""}`, i.message);
    else out.push({ index, path, source: parsed.data });
  });
  issues.throwIfAny();
  return out;
}

/** The scope templates see: the caller's roots, the spec's `vars` under the given ones, the environment handed over. */
function templateScope(raw: Record<string, unknown>, options: LoadOptions): TemplateScope {
  const env = options.env ?? {};
  const specVars = (raw.vars ?? {}) as Record<string, unknown>;
  return {
    ...(options.roots ?? {}),
    vars: { ...(typeof specVars === "object" ? specVars : {}), ...(options.vars ?? {}) },
    env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
  };
}

/**
 * plan and validate without secrets: an unset secret reference becomes a placeholder (a whole URL
 * from a secret, a container URL with its SAS, a placeholder that is still a URL); told of each.
 */
function missingSecretPlaceholder(options: LoadOptions, notSecret: ReadonlySet<string>, told: (name: string) => void = () => {}) {
  if (options.unsetSecrets !== "placeholder") return undefined;
  return (name: string, path: readonly (string | number)[], whole: boolean) => {
    if (!isSecretFlow(name, path, notSecret)) return undefined;
    told(name);
    const field = path.filter((k): k is string => typeof k === "string").pop();
    return whole && (field === "url" || field === "container") ? `https://redacted.invalid/?${REDACTED}` : REDACTED;
  };
}

const notSecretOf = (raw: Record<string, unknown>) =>
  new Set(Array.isArray(raw.notSecret) ? raw.notSecret.filter((n): n is string => typeof n === "string") : []);

/** The names templates use as `{{ vars.NAME }}`, anywhere in the spec. */
function referencedVars(raw: unknown): Set<string> {
  const used = new Set<string>();
  const stack: unknown[] = [raw];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") for (const m of v.matchAll(/\{\{\s*vars\.([A-Za-z_][A-Za-z0-9_-]*)/g)) used.add(m[1]!);
    else if (v !== null && typeof v === "object") stack.push(...Object.values(v));
  }
  return used;
}

// eslint-disable-next-line max-lines-per-function -- the loader's checks in the order the spec is read, each a call of its own
function load(raw: Record<string, unknown>, options: LoadOptions, envSecrets: Set<string>): Workload {
  const issues = new IssueCollector();
  // The data itself first: nesting, size, `__proto__`, control characters. Nothing below recurses into anything deeper.
  checkData(raw, issues);
  issues.throwIfAny();
  if (options.onUnusedVars && options.vars) {
    const used = referencedVars(raw);
    const unused = Object.keys(options.vars).filter((name) => !used.has(name));
    if (unused.length > 0) options.onUnusedVars(unused, [...used].sort());
  }
  const scope = templateScope(raw, options);

  // Passwords in a committed file are a leak waiting to happen: require an environment reference.
  const inline = (password: unknown, path: string) => {
    if (typeof password === "string" && !ENV_REFERENCE.test(password))
      issues.add(path, 'must reference the environment, e.g. "{{ env.REG_PASSWORD }}": inline passwords are refused');
  };
  const registries = ((raw.pool as { container?: { registries?: unknown } } | undefined)?.container?.registries ?? []) as unknown[];
  if (Array.isArray(registries))
    registries.forEach((r, i) => inline((r as { password?: unknown } | null)?.password, `pool.container.registries[${i}].password`));
  const rawTaskSpecs = raw.tasks as { defaults?: { registry?: { password?: unknown } }; list?: unknown } | undefined;
  inline(rawTaskSpecs?.defaults?.registry?.password, "tasks.defaults.registry.password");
  if (Array.isArray(rawTaskSpecs?.list))
    rawTaskSpecs.list.forEach((t, i) => inline((t as { registry?: { password?: unknown } } | null)?.registry?.password, `tasks.list[${i}].registry.password`));

  const { vars: _vars, tasks: rawTasks, ...rest } = raw;
  const report = (path: (string | number)[], message: string) => issues.add(formatPath(path), message);
  const notSecret = notSecretOf(raw);
  const secretEnv = new Map<string, boolean>();
  const onEnvUsed = (name: string, value: string, path: readonly (string | number)[]) => {
    if (!isSecretFlow(name, path, notSecret)) return;
    envSecrets.add(value);
    secretEnv.set(name, true);
  };
  const onMissingEnv = missingSecretPlaceholder(options, notSecret, (name) => {
    if (!secretEnv.has(name)) secretEnv.set(name, false);
  });
  const renderOptions = { onEnvUsed, onMissingEnv, envHint: options.envHint };
  const rendered = renderDeep(rest, scope, renderOptions, [], report) as Record<string, unknown>;
  // Inside tasks, {{ item }} and {{ task.id }} are resolved per task once the entries are expanded.
  if (rawTasks !== undefined) rendered.tasks = renderDeep(rawTasks, scope, { ...renderOptions, deferRoots: new Set(["item", "task"]) }, ["tasks"], report);
  issues.throwIfAny();

  const input = { ...rendered, ...(raw.vars !== undefined ? { vars: raw.vars } : {}) };
  let parsed = WorkloadSpec.safeParse(input);
  // `--var n=3` is text; where a template put it whole into a field that takes a number (a range,
  // a count), the number it spells is meant: those fields are given it, and the spec parsed again.
  if (!parsed.success && coerceNumbers(input, parsed.error.issues)) parsed = WorkloadSpec.safeParse(input);
  if (!parsed.success) {
    throw new SpecError(parsed.error.issues.flatMap(unionAlternative).map((i) => ({ path: formatPath(i.path), message: zodIssueMessage(i, input) })));
  }
  const spec = parsed.data;

  const nodeAgentSku = spec.pool.nodeAgentSku ?? deriveNodeAgentSku(spec.pool.image);
  if (!nodeAgentSku) {
    issues.add("pool.nodeAgentSku", 'cannot be derived from this image; set it, e.g. "batch.node.ubuntu 24.04" (see the account\'s supported images)');
  }
  const warnings = checkImageRetirement(spec.pool, nodeAgentSku, options.now ?? Date.now(), issues);
  const facts: PoolFacts = {
    windows: isWindowsPool(nodeAgentSku ?? ""),
    gpu: isGpuVmSize(spec.pool.vmSize),
    container: spec.pool.container !== undefined,
    taskSlotsPerNode: spec.pool.taskSlotsPerNode ?? 1,
  };

  // The blobs of `forEach: { blobs }` entries, listed before the load: attached where expansion finds them.
  const blobs: NonNullable<Workload["blobs"]> = [];
  (spec.tasks?.list ?? []).forEach((entry, i) => {
    if (!entry.forEach || !("blobs" in entry.forEach)) return;
    const listing = options.blobListings?.get(i);
    if (listing) {
      attachListing(entry.forEach, listing);
      blobs.push({ ...listing.source, listed: listing.listed, count: listing.length, ...(listing.note ? { note: listing.note } : {}) });
      if (listing.listed && listing.length === 0)
        issues.add(`tasks.list[${i}].forEach.blobs`, `no blob of ${describeSource(listing.source)} matches: nothing to run`);
    } else
      issues.add(
        `tasks.list[${i}].forEach.blobs`,
        "the container is listed when the spec runs: load the spec with loadSpecWithBlobs (the CLI, the Action and the Function app do), or plan it",
      );
  });
  issues.throwIfAny();
  // Count and size the expansion from the templates before making a single task.
  if (!checkExpansion(spec.tasks?.list ?? [], spec.tasks?.defaults, issues)) issues.throwIfAny();
  const expansion = Expansion.create(spec.tasks?.list ?? [], spec.tasks?.defaults, scope, issues);
  issues.throwIfAny();
  // The job manager inherits the tasks' default image, as it runs the same workload.
  const job: JobSpec =
    spec.job.manager && spec.job.manager.image === undefined && spec.tasks?.defaults?.image !== undefined
      ? { ...spec.job, manager: { ...spec.job.manager, image: spec.tasks.defaults.image } }
      : spec.job;

  checkPool(spec.pool, nodeAgentSku ?? "", facts, issues);
  checkPoolLimits(spec.pool, deriveNodeAgentSku(spec.pool.image), issues);
  checkArmCoordinates(spec.account, spec.pool, issues);
  // Tasks of a container not listed yet (a plan without storage access) are not known to be none.
  checkJob(
    job,
    expansion?.index.ids ?? [],
    facts,
    issues,
    blobs.some((b) => !b.listed),
  );
  checkJobLimits(job, expansion?.index.ids ?? [], issues);
  let usesDependencies = false;
  if (expansion) {
    // One walk over the tasks, each rendered, checked and translated, then dropped.
    const checker = new TaskChecker(expansion.index, facts, issues, spec.pool.identity, (p) => expansion.sourceOf(p));
    let position = 0;
    for (const task of expansion.tasks(issues)) {
      checker.check(task, position++);
      for (const issue of checkTaskBody(task, facts)) issues.add(issue.path, issue.message);
    }
    checker.finish();
    usesDependencies = checker.usesDependencies;
  }
  issues.throwIfAny();

  const secrets = [...(spec.pool.container?.registries ?? []).flatMap((r) => (r.password ? [r.password] : [])), ...envSecrets];
  const workload: Workload = {
    spec,
    apiVersion: options.apiVersion ?? spec.account?.apiVersion ?? API_VERSION,
    pool: { ...spec.pool, nodeAgentSku: nodeAgentSku as string },
    facts,
    job,
    tasks: expansion ? new TaskSet(expansion, usesDependencies) : TaskSet.empty,
    secrets,
    secretEnv: [...secretEnv].map(([name, set]) => ({ name, set })).sort((a, b) => a.name.localeCompare(b.name)),
    warnings,
    ...(blobs.length ? { blobs } : {}),
    ...(typeof (raw.job as { id?: unknown } | undefined)?.id === "string" ? { jobIdTemplate: (raw.job as { id: string }).id } : {}),
  };
  const tooLarge = checkBodySizes(workload);
  if (tooLarge.length > 0) throw new SpecError(tooLarge);
  return workload;
}
