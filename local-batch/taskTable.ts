/**
 * A job's tasks, indexed so that what a busy job is asked most costs what it returns, not the
 * size of the job: tasks by state (the scheduler walks only the active ones, in arrival order),
 * the task counts kept as states change (`taskcounts` is O(1)), and completions in the order they
 * happened (a list of tasks completed since a time is a binary search and a walk).
 */
import { etag, now } from "./clock.js";
import type { TaskRecord, TaskState } from "./records.js";

export interface Counts {
  active: number;
  running: number;
  completed: number;
  succeeded: number;
  failed: number;
}

const zero = (): Counts => ({ active: 0, running: 0, completed: 0, succeeded: 0, failed: 0 });

/** Which table a task is in (not a property of the task: the task is saved as JSON). */
const tableOf = new WeakMap<TaskRecord, TaskTable>();
/** Where a completed task stands in its table's completions, and the result it was counted with. */
const completionOf = new WeakMap<TaskRecord, { index: number; result: "succeeded" | "failed" }>();

const bucket = (state: TaskState): keyof Counts => (state === "preparing" ? "running" : state);

/** The value of an id made of digits only (leading zeros allowed), within int32. */
function numericId(id: string): number | undefined {
  if (!/^\d{1,10}$/.test(id)) return undefined;
  const n = Number(id);
  return n <= 2_147_483_647 ? n : undefined;
}

export class TaskTable {
  private readonly byId = new Map<string, TaskRecord>();
  private readonly inState: Record<TaskState, Set<TaskRecord>> = { active: new Set(), preparing: new Set(), running: new Set(), completed: new Set() };
  /** Completions in the order they happened; an entry whose task completed again later, or left, is skipped. */
  private readonly completions: TaskRecord[] = [];
  readonly counts: Counts = zero();
  readonly slotCounts: Counts = zero();
  /**
   * Tasks whose ids are integers, by value: a dependency range selects the tasks whose ids are
   * numbers in it, compared as numbers ("007" is 7), and only those that exist.
   */
  private readonly byNumber = new Map<number, Set<TaskRecord>>();

  get size(): number {
    return this.byId.size;
  }
  get(id: string): TaskRecord | undefined {
    return this.byId.get(id);
  }
  has(id: string): boolean {
    return this.byId.has(id);
  }
  values(): IterableIterator<TaskRecord> {
    return this.byId.values();
  }

  set(id: string, t: TaskRecord): this {
    const old = this.byId.get(id);
    if (old) this.delete(id);
    this.byId.set(id, t);
    tableOf.set(t, this);
    this.enter(t, t.state);
    const n = numericId(t.body.id);
    if (n !== undefined) {
      if (!this.byNumber.has(n)) this.byNumber.set(n, new Set());
      this.byNumber.get(n)!.add(t);
    }
    return this;
  }

  /** The tasks a dependency range selects: ids that are integers within it, as numbers. */
  *inIdRange(start: number, end: number): Generator<TaskRecord> {
    // Walk whichever is smaller: the range, or the integer ids there are.
    if (end - start + 1 <= this.byNumber.size) {
      for (let i = start; i <= end; i++) yield* this.byNumber.get(i) ?? [];
    } else {
      for (const [n, tasks] of this.byNumber) if (n >= start && n <= end) yield* tasks;
    }
  }

  delete(id: string): boolean {
    const t = this.byId.get(id);
    if (!t) return false;
    this.leave(t, t.state);
    this.byId.delete(id);
    tableOf.delete(t);
    const n = numericId(t.body.id);
    if (n !== undefined) this.byNumber.get(n)?.delete(t);
    return true;
  }

  /** Active tasks in the order they became active, job managers first. */
  *pending(): Generator<TaskRecord> {
    yield* this.activeManagers;
    for (const t of this.inState.active) if (t.kind !== "manager") yield t;
  }

  /** The active job managers (one at most, in practice), so that pending() need not look for them. */
  private readonly activeManagers = new Set<TaskRecord>();

  inStateOf(state: TaskState): ReadonlySet<TaskRecord> {
    return this.inState[state];
  }

  /**
   * Completed tasks whose stateTransitionTime is at or after `since` (ms), from position `from` of
   * the completions on; `next` is where a following page starts (stable: completions only grow).
   */
  completedSince(since: number | undefined, from: number | undefined, max: number): { tasks: TaskRecord[]; next?: number } {
    let i = from ?? (since === undefined ? 0 : this.firstAtOrAfter(since));
    const tasks: TaskRecord[] = [];
    for (; i < this.completions.length && tasks.length < max; i++) {
      const t = this.completions[i]!;
      if (completionOf.get(t)?.index !== i || tableOf.get(t) !== this) continue;
      if (since !== undefined && Date.parse(t.stateTransitionTime) < since) continue; // a clock that stepped back
      tasks.push(t);
    }
    // Is anything left to read after i?
    for (let j = i; j < this.completions.length; j++)
      if (completionOf.get(this.completions[j]!)?.index === j && tableOf.get(this.completions[j]!) === this) return { tasks, next: i };
    return { tasks };
  }

  /** The first completion at or after `since`: completion times only grow (the service's clock), so a binary search. */
  private firstAtOrAfter(since: number): number {
    let lo = 0;
    let hi = this.completions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Date.parse(this.completions[mid]!.stateTransitionTime) < since) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** After tasks were put back from a saved state (in arrival order): completions in time order again. */
  sortCompletions(): void {
    const live = this.completions.filter((t, i) => completionOf.get(t)?.index === i && tableOf.get(t) === this);
    live.sort((a, b) => Date.parse(a.stateTransitionTime) - Date.parse(b.stateTransitionTime));
    this.completions.length = 0;
    for (const t of live) {
      completionOf.set(t, { ...completionOf.get(t)!, index: this.completions.length });
      this.completions.push(t);
    }
  }

  /** A task of this table changed state (state.ts's setTaskState says so). */
  moved(t: TaskRecord, from: TaskState, to: TaskState): void {
    this.leave(t, from);
    this.enter(t, to);
  }

  private enter(t: TaskRecord, state: TaskState): void {
    this.inState[state].add(t);
    if (state === "active" && t.kind === "manager") this.activeManagers.add(t);
    const slots = t.body.requiredSlots ?? 1;
    this.counts[bucket(state)]++;
    this.slotCounts[bucket(state)] += slots;
    if (state === "completed") {
      const result = t.executionInfo.result === "success" ? "succeeded" : "failed";
      completionOf.set(t, { index: this.completions.length, result });
      this.completions.push(t);
      this.counts[result]++;
      this.slotCounts[result] += slots;
    }
  }

  private leave(t: TaskRecord, state: TaskState): void {
    if (!this.inState[state].delete(t)) return;
    this.activeManagers.delete(t);
    const slots = t.body.requiredSlots ?? 1;
    this.counts[bucket(state)]--;
    this.slotCounts[bucket(state)] -= slots;
    if (state === "completed") {
      const c = completionOf.get(t);
      if (c) {
        this.counts[c.result]--;
        this.slotCounts[c.result] -= slots;
        completionOf.set(t, { ...c, index: -1 });
      }
    }
  }
}

/**
 * The one door through which a task's state changes: its times, ETag and previous state, and its
 * table's indexes and counts, together.
 */
export function setTaskState(t: TaskRecord, state: TaskState): void {
  const from = t.state;
  t.previousState = t.state;
  t.previousStateTransitionTime = t.stateTransitionTime;
  t.state = state;
  t.stateTransitionTime = now();
  t.eTag = etag();
  t.lastModified = t.stateTransitionTime;
  tableOf.get(t)?.moved(t, from, state);
}
