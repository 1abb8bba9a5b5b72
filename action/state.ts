/**
 * What `main` tells `post`, through `core.saveState` — ids and what this run owns, never a secret.
 * Main saves each fact as it happens, before its next request (a cancel or a kill may come at any
 * moment), so that post acts on exactly what this run created or took as its own, and nothing else.
 * One place for the keys, so that the two steps cannot disagree on them.
 */
import * as core from "@actions/core";

export interface SavedState {
  /** This run's id, written into the metadata of what it creates: post can tell its own pool or job even when main was killed before it heard the answer. */
  runId?: string;
  mode?: "azure" | "local";
  accountUrl?: string;
  /** Ids as the workload names them; `idsMasked` when a secret is part of one (post loads the spec again for them). */
  jobId?: string;
  poolId?: string;
  idsMasked?: boolean;
  /** What this run created (`RunResult.created`). */
  created?: { pool: boolean; job: boolean; poolArmPath?: string };
  /** What this run took as its own: an existing pool or job that matched the spec, its tasks added there. */
  reused?: { pool?: boolean; job?: boolean };
  /** Whether main follows the tasks (`wait` input). */
  wait?: boolean;
  /** `wait: false`: every task was submitted (the job is left running on purpose). */
  submitted?: boolean;
  /** True once main saw the run end (then post only cleans up; otherwise it terminates its own job first). */
  finished?: boolean;
  /** Mode local: where the step's local service recorded what it started, for post to remove after any end of main. */
  localRuntimeDir?: string;
  /** The registry main logged in to (post logs out of it). */
  registry?: string;
}

const KEY = "azure-batch-run";

export function isPost(): boolean {
  return core.getState("isPost") === "true";
}

export function markPost(): void {
  core.saveState("isPost", "true");
}

/** What main saved so far: STATE_* variables reach only the post step, so main keeps its own copy. */
let saved: SavedState = {};

export function saveState(state: SavedState): void {
  saved = { ...saved, ...state };
  core.saveState(KEY, JSON.stringify(saved));
}

export function savedSoFar(): SavedState {
  return saved;
}

export function readState(): SavedState {
  const raw = core.getState(KEY);
  return raw ? (JSON.parse(raw) as SavedState) : {};
}
