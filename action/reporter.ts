/**
 * How a run shows in a workflow log: counts when they change and at most every 30 s (not a line
 * per poll), each retry kind said once, a failed task's stderr tail in a collapsible group with an
 * error annotation naming it. Everything it receives is already redacted by the core.
 */
import * as core from "@actions/core";
import type { ProgressReporter, TaskCounts, TaskOutcome } from "azure-batch-run";

/** GitHub shows 10 error annotations per step: the step's own, then at most this many naming failed tasks. */
export const MAX_TASK_ANNOTATIONS = 9;

export type ActionsReporter = ProgressReporter & {
  warnings: string[];
  /** The error annotations of failed tasks, at most nine, the last saying how many more (once; after the step's own). */
  annotateTasks(): void;
};

export function actionsReporter(options: { maxLogLines: number; now?: () => number }): ActionsReporter {
  const now = options.now ?? Date.now;
  let lastLine = "";
  let lastAt = 0;
  const saidRetries = new Set<string>();
  const failures: TaskOutcome[] = [];
  let annotated = false;
  // Kept for the job summary too (an image near its end of life, an unverified image, ...).
  const warnings: string[] = [];
  return {
    warnings,
    annotateTasks() {
      if (annotated) return;
      annotated = true;
      const shown = failures.slice(0, MAX_TASK_ANNOTATIONS);
      shown.forEach((o, i) => {
        const why = o.failure ? `${o.failure.code ?? ""}: ${o.failure.message ?? ""}` : `exit code ${o.exitCode}`;
        const more =
          i === shown.length - 1 && failures.length > shown.length
            ? ` (and ${failures.length - shown.length} more failed tasks: every one is in the job summary)`
            : "";
        core.error(`task ${o.id} failed (exit code ${o.exitCode ?? "none"}) ${why}`.trim() + more, { title: `Batch task ${o.id} failed` });
      });
    },
    info: (m) => core.info(m),
    warn: (m) => {
      warnings.push(m);
      core.warning(m);
    },
    progress(c: TaskCounts, total: number) {
      const line = `tasks: ${c.completed}/${total} completed (active ${c.active}, running ${c.running}, succeeded ${c.succeeded}, failed ${c.failed})`;
      // Not a line per poll: on a change, and at least every 30 s while nothing changes.
      if (line === lastLine && now() - lastAt < 30_000) return;
      lastLine = line;
      lastAt = now();
      core.info(line);
    },
    retrying(message, info) {
      const kind = `${info.reason} ${info.method} ${info.path}`;
      if (saidRetries.has(kind)) return;
      saidRetries.add(kind);
      core.info(message);
    },
    taskCompleted(o: TaskOutcome) {
      if (o.result === "success") return;
      // Its annotation comes at the end, after the step's own (GitHub shows only the first ten).
      failures.push(o);
      core.info(`task ${o.id} failed (exit code ${o.exitCode ?? "none"})`);
      const tail = (o.stderrTail ?? o.stdoutTail ?? "").split("\n").slice(-options.maxLogLines).join("\n");
      if (tail) {
        core.startGroup(`${o.id}: the last lines of ${o.stderrTail ? "stderr.txt" : "stdout.txt"}`);
        core.info(tail);
        core.endGroup();
      }
    },
  };
}
