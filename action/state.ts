/**
 * What `main` tells `post`, through `core.saveState` — ids and what was created, never a secret.
 * One place for the keys, so that the two steps cannot disagree on them.
 */
import * as core from "@actions/core";

export interface SavedState {
  accountUrl?: string;
  jobId?: string;
  poolId?: string;
  /** What this run created (`RunResult.created`). */
  created?: { pool: boolean; job: boolean; poolArmPath?: string };
  /** True once main saw the run end (then post only cleans up; otherwise it terminates first). */
  finished?: boolean;
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

export function readState(): SavedState {
  const raw = core.getState(KEY);
  return raw ? (JSON.parse(raw) as SavedState) : {};
}
