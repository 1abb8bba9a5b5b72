/**
 * Expansion of `tasks.list` entries into concrete tasks: `forEach` items, `{{ item }}` and
 * `{{ task.id }}` templates, merging with `tasks.defaults`, and `dependsOn` patterns.
 *
 * Tasks are produced as a stream, never held all at once: the ids are rendered first (an index of
 * strings and integers, all that duplicate and dependency checks need), then each task is rendered
 * when it is asked for. A `TaskSet` can be walked any number of times and gives the same tasks.
 */
import type { DependsOnSpec, ForEachSpec, TaskDefaults, TaskEntry } from "./schema.js";
import { holdsTemplate, renderDeep, type TemplateScope } from "./template.js";
import { globToRegExp, hasWildcard } from "../batch/glob.js";
import { forEachCount, LIMITS } from "./budget.js";
import { formatPath, IssueCollector } from "./errors.js";
import { listingOf, type BlobItem } from "./blobItems.js";

/** A task after expansion: every template resolved, defaults applied, dependencies as ids. */
export interface ResolvedTask extends Omit<TaskEntry, "forEach" | "dependsOn"> {
  dependsOn?: { taskIds: string[]; taskIdRanges: { start: number; end: number }[] };
  /** Where the task came from, for error messages: `tasks.list[0]` or `tasks.list[0] (item 7: ...)`. */
  source: string;
}

/** Hard cap so that a typo like `range: [1, 1e9]` fails fast instead of eating memory (the loader checks it before expanding, too). */
export const MAX_TASKS = LIMITS.tasks;

/** Checks a `forEach` can be expanded; the problems go to `issues`. */
export function checkForEach(forEach: ForEachSpec, path: string, issues: IssueCollector): boolean {
  if ("range" in forEach) {
    const [first, last, step = 1] = forEach.range as [number, number, number?];
    if (step === 0 || Math.sign(last - first) * Math.sign(step) < 0) {
      issues.add(`${path}.range`, `[${forEach.range.join(", ")}] never reaches its end; the step must move from first towards last`);
      return false;
    }
  } else if (!("items" in forEach) && !("blobs" in forEach)) {
    const lists = "zip" in forEach ? forEach.zip : forEach.product;
    const names = Object.keys(lists);
    if (names.length === 0) {
      issues.add(path, "needs at least one named list");
      return false;
    }
    if ("zip" in forEach) {
      const lengths = names.map((n) => (lists[n] as unknown[]).length);
      if (new Set(lengths).size > 1) {
        issues.add(`${path}.zip`, `lists must have the same length to zip; got ${names.map((n, i) => `${n}: ${lengths[i]}`).join(", ")}`);
        return false;
      }
    }
  }
  const count = forEachCount(forEach) as number;
  if (count > MAX_TASKS) {
    issues.add(`${path}.${Object.keys(forEach)[0]}`, `makes ${count} tasks; at most ${MAX_TASKS} per spec`);
    return false;
  }
  return true;
}

/**
 * Element `k` of a checked `forEach`, computed rather than stored: a range of 100,000 or a product
 * of lists is never materialized. Products vary their last list fastest.
 */
export function forEachItem(forEach: ForEachSpec, k: number): unknown {
  if ("range" in forEach) {
    const range = forEach.range as number[];
    return (range[0] as number) + k * (range[2] ?? 1);
  }
  if ("items" in forEach) return forEach.items[k];
  if ("blobs" in forEach) return listingOf(forEach)!.item(k);
  if ("zip" in forEach) return Object.fromEntries(Object.entries(forEach.zip).map(([n, list]) => [n, list[k]]));
  const entries = Object.entries(forEach.product);
  const item: Record<string, unknown> = {};
  for (let i = entries.length - 1; i >= 0; i--) {
    const [name, list] = entries[i] as [string, unknown[]];
    item[name] = list[k % list.length];
    k = Math.floor(k / list.length);
  }
  // Keys in the lists' order, as the spec wrote them.
  return Object.fromEntries(entries.map(([n]) => [n, item[n]]));
}

/** Defaults first, the entry on top; `env` maps are merged key by key. */
function mergeWithDefaults(defaults: TaskDefaults | undefined, entry: TaskEntry): Record<string, unknown> {
  const { forEach: _forEach, ...own } = entry;
  const merged: Record<string, unknown> = { ...(defaults ?? {}), ...own };
  if (defaults?.env || own.env) merged.env = { ...(defaults?.env ?? {}), ...(own.env ?? {}) };
  return merged;
}

/**
 * Batch matches `taskIdRanges` against ids that are integers, compared as numbers: "007" is 7, so
 * `range: [1, 10]` selects `001` .. `010`.
 */
export function isIntegerId(id: string): boolean {
  return /^[0-9]{1,10}$/.test(id) && Number(id) <= 2_147_483_647;
}

/** First index in `sorted` whose value is at least `value`. */
export function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Integer ids as two typed arrays (4 bytes each per task), sorted by value. */
function sortIntegers(ids: readonly string[], positions: number[]): TaskIndex["integers"] {
  const value = (p: number) => Number(ids[p]);
  let sorted = true;
  for (let i = 1; i < positions.length && sorted; i++) sorted = value(positions[i - 1]!) <= value(positions[i]!);
  // Ranges of ids are usually written in order: sort only when they are not.
  if (!sorted) positions.sort((a, b) => value(a) - value(b));
  return { values: Int32Array.from(positions, value), positions: Int32Array.from(positions) };
}

/** What duplicate and dependency checks need of every task: ids, nothing else. */
export interface TaskIndex {
  /** Task ids in spec order: `ids[p]` is the id of task `p`. */
  readonly ids: readonly string[];
  /** Lower-cased id -> the position of the first task with it. */
  readonly byLowerId: ReadonlyMap<string, number>;
  /** The integer ids (see `isIntegerId`), sorted, and the position of each. */
  readonly integers: { readonly values: ArrayLike<number>; readonly positions: ArrayLike<number> };
}

interface PreparedEntry {
  entry: TaskEntry;
  path: string;
  /** Position of its first task. */
  start: number;
  count: number;
  /** Fields without any template, shared by every task of the entry (tasks are read, never changed). */
  fixed: Record<string, unknown>;
  /** Fields rendered per task. */
  templated: Record<string, unknown>;
  dependsOn?: DependsOnSpec;
  /** Whether `dependsOn` holds templates (else it is the same for every task). */
  dependsOnTemplated: boolean;
}

/**
 * The expansion of one spec's entries. `create` renders the ids (reporting id template errors)
 * and returns undefined when an entry cannot be expanded at all.
 */
export class Expansion {
  private constructor(
    private readonly entries: PreparedEntry[],
    private readonly scope: TemplateScope,
    readonly index: TaskIndex,
  ) {}

  static create(entries: TaskEntry[], defaults: TaskDefaults | undefined, scope: TemplateScope, issues: IssueCollector): Expansion | undefined {
    const prepared: PreparedEntry[] = [];
    let total = 0;
    let ok = true;
    entries.forEach((entry, index) => {
      const path = `tasks.list[${index}]`;
      if (entry.forEach && !checkForEach(entry.forEach, `${path}.forEach`, issues)) {
        ok = false;
        return;
      }
      const count = entry.forEach ? (forEachCount(entry.forEach) as number) : 1;
      const merged = mergeWithDefaults(defaults, entry);
      delete merged.id;
      const { dependsOn, ...fields } = merged as Record<string, unknown> & { dependsOn?: DependsOnSpec };
      const fixed: Record<string, unknown> = {};
      const templated: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(fields)) (holdsTemplate(value) ? templated : fixed)[key] = value;
      prepared.push({ entry, path, start: total, count, fixed, templated, dependsOn, dependsOnTemplated: holdsTemplate(dependsOn) });
      total += count;
    });
    if (!ok) return undefined;
    if (total > MAX_TASKS) {
      issues.add("tasks.list", `the spec makes more than ${MAX_TASKS} tasks`);
      return undefined;
    }

    const ids: string[] = new Array(total);
    const byLowerId = new Map<string, number>();
    const integerPositions: number[] = [];
    for (const p of prepared) {
      for (let k = 0; k < p.count; k++) {
        const position = p.start + k;
        const item = p.entry.forEach ? forEachItem(p.entry.forEach, k) : undefined;
        const report = (path: (string | number)[], message: string) => issues.add(`${sourceOf(p, k, item)}.${formatPath(path)}`, message);
        const id = String(renderDeep(p.entry.id, p.entry.forEach ? Object.assign({}, scope, { item }) : scope, {}, ["id"], report));
        ids[position] = id;
        const lower = id.toLowerCase();
        if (!byLowerId.has(lower)) byLowerId.set(lower, position);
        if (isIntegerId(id)) integerPositions.push(position);
      }
    }
    const index: TaskIndex = { ids, byLowerId, integers: sortIntegers(ids, integerPositions) };
    return new Expansion(prepared, scope, index);
  }

  get length(): number {
    return this.index.ids.length;
  }

  /** Where task `position` comes from, for messages. */
  sourceOf(position: number): string {
    const p = this.entryAt(position);
    const k = position - p.start;
    return sourceOf(p, k, p.entry.forEach ? forEachItem(p.entry.forEach, k) : undefined);
  }

  /** The tasks from `from` on, rendered one at a time; problems go to `issues`. */
  *tasks(issues: IssueCollector, from = 0): Generator<ResolvedTask> {
    if (this.entries.length === 0) return;
    let e = this.entries.indexOf(this.entryAt(from));
    for (let position = from; position < this.length; position++) {
      while (position >= this.entries[e]!.start + this.entries[e]!.count) e++;
      yield this.render(this.entries[e]!, position, issues);
    }
  }

  private entryAt(position: number): PreparedEntry {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.entries[mid]!.start <= position) lo = mid;
      else hi = mid - 1;
    }
    return this.entries[lo]!;
  }

  private render(p: PreparedEntry, position: number, issues: IssueCollector): ResolvedTask {
    const k = position - p.start;
    const item = p.entry.forEach ? forEachItem(p.entry.forEach, k) : undefined;
    const where = sourceOf(p, k, item);
    const report = (path: (string | number)[], message: string) => issues.add(`${where}${path.length ? "." : ""}${formatPath(path)}`, message);
    // Object.assign rather than spreads: this runs for every task, and spreads cost ten times more here.
    const itemScope: TemplateScope = p.entry.forEach ? Object.assign({}, this.scope, { item }) : this.scope;
    const id = this.index.ids[position] as string;
    const rendered = renderDeep(p.templated, Object.assign({}, itemScope, { task: { id } }), {}, [], report) as Record<string, unknown>;
    const task = Object.assign({}, p.fixed, rendered, { id, source: where }) as ResolvedTask;
    // A blob's task gets its blob as a resource file: by the container's SAS, or the identity the entry names.
    const blobs = p.entry.forEach && "blobs" in p.entry.forEach ? p.entry.forEach.blobs : undefined;
    if (blobs) {
      const b = item as BlobItem;
      const query = listingOf(p.entry.forEach!)!.query;
      task.resources = [...(task.resources ?? []), { url: `${b.url}${query}`, path: b.fileName, ...(blobs.identity ? { identity: blobs.identity } : {}) }];
    }
    if (p.dependsOn) {
      const deps = p.dependsOnTemplated ? (renderDeep(p.dependsOn, itemScope, {}, ["dependsOn"], report) as DependsOnSpec) : p.dependsOn;
      task.dependsOn = this.resolveDependencies(id, deps, `${where}.dependsOn`, issues);
    }
    return task;
  }

  private resolveDependencies(id: string, deps: DependsOnSpec, path: string, issues: IssueCollector): NonNullable<ResolvedTask["dependsOn"]> {
    const { ids, byLowerId } = this.index;
    const taskIds = new Set<string>();
    const taskIdRanges: { start: number; end: number }[] = [];
    deps.forEach((dep, i) => {
      if (typeof dep !== "string") {
        const [start, end] = dep.range;
        const at = `${path}[${i}].range`;
        if (start > end) return issues.add(at, `start ${start} is after end ${end}`);
        if (isIntegerId(id) && Number(id) >= start && Number(id) <= end) {
          return issues.add(at, `[${start}, ${end}] holds this task's own id ${id}: a task cannot depend on itself`);
        }
        // A range selects the tasks of it that exist ("the range 1..10 selects tasks 3 and 7"): gaps are fine.
        taskIdRanges.push({ start, end });
        return;
      }
      if (hasWildcard(dep)) {
        const re = globToRegExp(dep, { ignoreCase: true });
        let matched = false;
        for (const other of ids) {
          if (other !== id && re.test(other)) {
            taskIds.add(other);
            matched = true;
          }
        }
        if (!matched) issues.add(`${path}[${i}]`, `"${dep}" matches no other task id in this spec`);
        return;
      }
      const known = byLowerId.get(dep.toLowerCase());
      if (known === undefined) issues.add(`${path}[${i}]`, `"${dep}" is not the id of a task in this spec`);
      else if (ids[known]!.toLowerCase() === id.toLowerCase()) issues.add(`${path}[${i}]`, "a task cannot depend on itself");
      else taskIds.add(ids[known]!);
    });
    return { taskIds: [...taskIds], taskIdRanges };
  }
}

function sourceOf(p: PreparedEntry, k: number, item: unknown): string {
  if (!p.entry.forEach) return p.path;
  // A blob is named by its name: its item's other fields are made from it, and this runs for every task.
  if ("blobs" in p.entry.forEach) return `${p.path} (blob ${k}: ${JSON.stringify((item as BlobItem).name)})`;
  return `${p.path} (item ${k}: ${JSON.stringify(item)})`;
}

/** For walks of a checked task set: a problem there means the spec objects were changed after loading. */
class ThrowingCollector extends IssueCollector {
  override add(path: string, message: string): never {
    throw new Error(`the workload's tasks changed after it was loaded: ${path}: ${message}`);
  }
}

/**
 * The tasks of a loaded workload, as a stream: `for (const task of workload.tasks)` renders each
 * task when it is reached, so walking 100,000 tasks holds one at a time (plus the id index).
 * Walk it again and the same tasks come again.
 */
export class TaskSet implements Iterable<ResolvedTask> {
  /** @internal */
  constructor(
    private readonly expansion: Expansion | undefined,
    /** True when some task has `dependsOn` (the job must then allow task dependencies). */
    readonly usesDependencies: boolean,
  ) {}

  static readonly empty = new TaskSet(undefined, false);

  /** How many tasks. */
  get length(): number {
    return this.expansion?.length ?? 0;
  }

  /** Every task id, in order. */
  get ids(): readonly string[] {
    return this.expansion?.index.ids ?? [];
  }

  [Symbol.iterator](): Iterator<ResolvedTask> {
    return this.expansion ? this.expansion.tasks(new ThrowingCollector()) : [][Symbol.iterator]();
  }

  /** Task `index` (negative counts from the end), rendered on its own. */
  at(index: number): ResolvedTask | undefined {
    const i = index < 0 ? this.length + index : index;
    if (!this.expansion || i < 0 || i >= this.length) return undefined;
    return this.expansion.tasks(new ThrowingCollector(), i).next().value as ResolvedTask;
  }

  /** Every task in one array: for small sets (a test, a summary); a large one is better walked. */
  toArray(): ResolvedTask[] {
    return [...this];
  }
}
