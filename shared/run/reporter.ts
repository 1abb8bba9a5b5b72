/**
 * What a run tells its wrapper. The CLI prints it, the Action turns it into log lines and a job
 * summary, the Function app into invocation logs. Messages are already redacted.
 */
import type { TaskCounts } from "../batch/types.js";

export interface TaskOutcome {
  id: string;
  result: "success" | "failure";
  exitCode?: number;
  retryCount: number;
  nodeId?: string;
  durationMs?: number;
  failure?: { category?: string; code?: string; message?: string };
  /** Last lines of stderr.txt / stdout.txt, for failed tasks. */
  stderrTail?: string;
  stdoutTail?: string;
}

export interface ProgressReporter {
  info(message: string): void;
  warn(message: string): void;
  progress(counts: TaskCounts, total: number): void;
  taskCompleted(outcome: TaskOutcome): void;
}

export const silentReporter: ProgressReporter = { info() {}, warn() {}, progress() {}, taskCompleted() {} };
