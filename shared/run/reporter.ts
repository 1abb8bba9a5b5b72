/**
 * What a run tells its wrapper. The CLI prints it, the Action turns it into log lines and a job
 * summary, the Function app into invocation logs. Messages are already redacted.
 */
import type { TaskCounts } from "../batch/types.js";
import type { RetryInfo } from "../client/pipeline.js";

export interface TaskOutcome {
  id: string;
  result: "success" | "failure";
  exitCode?: number;
  retryCount: number;
  /** Times the task went back to the queue because its node went away (a Spot preemption): not failures. */
  requeueCount?: number;
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
  /** Task counts while the run follows the job. */
  progress(counts: TaskCounts, total: number): void;
  taskCompleted(outcome: TaskOutcome): void;
  /** Tasks submitted so far, after each `addtaskcollection` chunk. */
  tasksSubmitted?(done: number, total: number): void;
  /**
   * A call is about to be retried: "throttled (HTTP 429): retrying POST /jobs in 4 s (1/8)".
   * Without it the message goes to `info` (a throttled call is not a warning).
   */
  retrying?(message: string, info: RetryInfo): void;
}

export const silentReporter: ProgressReporter = { info() {}, warn() {}, progress() {}, taskCompleted() {} };

const REASONS: Record<string, string> = {
  "HTTP 429": "throttled",
  "HTTP 503": "service busy",
  "HTTP 500": "server error",
  "HTTP 502": "bad gateway",
  "HTTP 504": "gateway timeout",
  "HTTP 408": "request timeout",
};

/** The line a user sees for a retry. */
export function describeRetry(info: RetryInfo): string {
  const reason = REASONS[info.reason] ? `${REASONS[info.reason]} (${info.reason})` : `connection failed (${info.reason})`;
  const seconds = info.delayMs >= 10_000 ? Math.round(info.delayMs / 1000) : Math.round(info.delayMs / 100) / 10;
  const count = info.throttled
    ? `throttled ${info.attempt}x, waiting up to ${Math.round(info.throttleBudgetMs / 1000)} s in all`
    : `${info.attempt}/${info.maxRetries}`;
  return `${reason}: retrying ${info.method} ${info.path} in ${seconds} s (${count})`;
}

/** Routes a client's retries to a reporter. */
export function reportRetries(reporter: ProgressReporter): (info: RetryInfo) => void {
  return (info) => {
    const message = describeRetry(info);
    if (reporter.retrying) reporter.retrying(message, info);
    else reporter.info(message);
  };
}
