/**
 * Expansion of `tasks.list` entries into concrete tasks: `forEach` items, `{{ item }}` and
 * `{{ task.id }}` templates, merging with `tasks.defaults`, and `dependsOn` patterns.
 */
import type { DependsOnSpec, ForEachSpec, TaskDefaults, TaskEntry } from "./schema.js";
import { renderDeep, type TemplateScope } from "./template.js";
import { globToRegExp, hasWildcard } from "../batch/glob.js";
import { LIMITS } from "./budget.js";
import type { IssueCollector } from "./errors.js";
import { formatPath } from "./errors.js";

/** A task after expansion: every template resolved, defaults applied, dependencies as ids. */
export interface ResolvedTask extends Omit<TaskEntry, "forEach" | "dependsOn"> {
  dependsOn?: { taskIds: string[]; taskIdRanges: { start: number; end: number }[] };
  /** Where the task came from, for error messages: `tasks.list[0]` or `tasks.list[0] (item 7)`. */
  source: string;
}

/** Hard cap so that a typo like `range: [1, 1e9]` fails fast instead of eating memory (the loader checks it before expanding, too). */
export const MAX_TASKS = LIMITS.tasks;

/** The elements a `forEach` produces, in order. */
export function forEachItems(forEach: ForEachSpec, path: string, issues: IssueCollector): unknown[] {
  if ("range" in forEach) {
    const [first, last, step = 1] = forEach.range as [number, number, number?];
    if (step === 0 || Math.sign(last - first) * Math.sign(step) < 0) {
      issues.add(`${path}.range`, `[${forEach.range.join(", ")}] never reaches its end; the step must move from first towards last`);
      return [];
    }
    const count = Math.floor((last - first) / step) + 1;
    if (count > MAX_TASKS) {
      issues.add(`${path}.range`, `makes ${count} tasks; at most ${MAX_TASKS} per spec`);
      return [];
    }
    return Array.from({ length: count }, (_, i) => first + i * step);
  }
  if ("items" in forEach) return forEach.items;
  const lists = "zip" in forEach ? forEach.zip : forEach.product;
  const names = Object.keys(lists);
  if (names.length === 0) {
    issues.add(path, "needs at least one named list");
    return [];
  }
  if ("zip" in forEach) {
    const lengths = names.map((n) => (lists[n] as unknown[]).length);
    if (new Set(lengths).size > 1) {
      issues.add(`${path}.zip`, `lists must have the same length to zip; got ${names.map((n, i) => `${n}: ${lengths[i]}`).join(", ")}`);
      return [];
    }
    return Array.from({ length: lengths[0] as number }, (_, i) => Object.fromEntries(names.map((n) => [n, (lists[n] as unknown[])[i]])));
  }
  const total = names.reduce((acc, n) => acc * (lists[n] as unknown[]).length, 1);
  if (total > MAX_TASKS) {
    issues.add(`${path}.product`, `makes ${total} tasks; at most ${MAX_TASKS} per spec`);
    return [];
  }
  let combos: Record<string, unknown>[] = [{}];
  for (const n of names) combos = combos.flatMap((c) => (lists[n] as unknown[]).map((v) => ({ ...c, [n]: v })));
  return combos;
}

/** Defaults first, the entry on top; `env` maps are merged key by key. */
function mergeWithDefaults(defaults: TaskDefaults | undefined, entry: TaskEntry): Record<string, unknown> {
  const { forEach: _forEach, ...own } = entry;
  const merged: Record<string, unknown> = { ...(defaults ?? {}), ...own };
  if (defaults?.env || own.env) merged.env = { ...(defaults?.env ?? {}), ...(own.env ?? {}) };
  return merged;
}

/**
 * Expands every entry; `scope` holds the global roots (`vars`, `env`, wrapper roots). Templates are
 * resolved in two steps: the id with `item`, then the other fields with `item` and `task.id`.
 */
export function expandTasks(
  entries: TaskEntry[],
  defaults: TaskDefaults | undefined,
  scope: TemplateScope,
  issues: IssueCollector,
): ResolvedTask[] {
  const tasks: (ResolvedTask & { rawDependsOn?: DependsOnSpec; dependsPath: string })[] = [];
  entries.forEach((entry, index) => {
    const entryPath = `tasks.list[${index}]`;
    const items = entry.forEach ? forEachItems(entry.forEach, `${entryPath}.forEach`, issues) : [undefined];
    if (tasks.length + items.length > MAX_TASKS) {
      issues.add(entryPath, `the spec makes more than ${MAX_TASKS} tasks`);
      return;
    }
    items.forEach((item, itemIndex) => {
      const where = entry.forEach ? `${entryPath} (item ${itemIndex}: ${JSON.stringify(item)})` : entryPath;
      const report = (path: (string | number)[], message: string) => issues.add(`${where}${path.length ? "." : ""}${formatPath(path)}`, message);
      const itemScope: TemplateScope = entry.forEach ? { ...scope, item } : { ...scope };
      const id = renderDeep(entry.id, itemScope, {}, ["id"], report);
      const merged = mergeWithDefaults(defaults, entry);
      delete merged.id;
      const { dependsOn, ...fields } = merged as Record<string, unknown> & { dependsOn?: DependsOnSpec };
      const rendered = renderDeep(fields, { ...itemScope, task: { id: String(id) } }, {}, [], report) as Record<string, unknown>;
      const renderedDeps = dependsOn ? (renderDeep(dependsOn, itemScope, {}, ["dependsOn"], report) as DependsOnSpec) : undefined;
      tasks.push({
        ...(rendered as Omit<ResolvedTask, "id" | "source">),
        id: String(id),
        source: where,
        rawDependsOn: renderedDeps,
        dependsPath: `${where}.dependsOn`,
      });
    });
  });

  const byLowerId = new Map<string, string>();
  for (const t of tasks) if (!byLowerId.has(t.id.toLowerCase())) byLowerId.set(t.id.toLowerCase(), t.id);
  const integerIds = sortedIntegerIds(tasks.map((t) => t.id));

  return tasks.map(({ rawDependsOn, dependsPath, ...task }) => {
    if (!rawDependsOn) return task;
    const taskIds = new Set<string>();
    const taskIdRanges: { start: number; end: number }[] = [];
    rawDependsOn.forEach((dep, i) => {
      if (typeof dep !== "string") {
        const [start, end] = dep.range;
        const path = `${dependsPath}[${i}].range`;
        if (start > end) return issues.add(path, `start ${start} is after end ${end}`);
        if (isIntegerId(task.id) && Number(task.id) >= start && Number(task.id) <= end) {
          return issues.add(path, `[${start}, ${end}] holds this task's own id ${task.id}: a task cannot depend on itself`);
        }
        const missing = missingInRange(integerIds, start, end, 5);
        if (missing.length > 0) {
          return issues.add(path, `[${start}, ${end}] covers ids that are not tasks of this spec (${missing.join(", ")}${missing.length === 5 ? ", ..." : ""}); Batch would keep this task waiting for them`);
        }
        taskIdRanges.push({ start, end });
        return;
      }
      if (hasWildcard(dep)) {
        const re = globToRegExp(dep, { ignoreCase: true });
        const matches = tasks.filter((t) => t.id !== task.id && re.test(t.id)).map((t) => t.id);
        if (matches.length === 0) issues.add(`${dependsPath}[${i}]`, `"${dep}" matches no other task id in this spec`);
        matches.forEach((m) => taskIds.add(m));
        return;
      }
      const known = byLowerId.get(dep.toLowerCase());
      if (!known) issues.add(`${dependsPath}[${i}]`, `"${dep}" is not the id of a task in this spec`);
      else if (known.toLowerCase() === task.id.toLowerCase()) issues.add(`${dependsPath}[${i}]`, "a task cannot depend on itself");
      else taskIds.add(known);
    });
    return { ...task, dependsOn: { taskIds: [...taskIds], taskIdRanges } };
  });
}

/** Batch matches `taskIdRanges` against ids that are integers written plainly ("7", not "07"). */
export function isIntegerId(id: string): boolean {
  return /^(0|[1-9][0-9]{0,9})$/.test(id) && Number(id) <= 2_147_483_647;
}

export function sortedIntegerIds(ids: string[]): number[] {
  return ids.filter(isIntegerId).map(Number).sort((a, b) => a - b);
}

/** First index in `sorted` whose value is at least `value`. */
export function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Up to `limit` integers of [start, end] that are not in `sorted`, found from the gaps (not by walking the range). */
function missingInRange(sorted: number[], start: number, end: number, limit: number): number[] {
  const missing: number[] = [];
  let next = start;
  for (let i = lowerBound(sorted, start); i < sorted.length && (sorted[i] as number) <= end && missing.length < limit; i++) {
    for (; next < (sorted[i] as number) && missing.length < limit; next++) missing.push(next);
    next = (sorted[i] as number) + 1;
  }
  for (; next <= end && missing.length < limit; next++) missing.push(next);
  return missing;
}
