/**
 * How a run shows in a workflow log: counts when they change and at most every 30 s (not a line
 * per poll), each retry kind said once, a failed task's stderr tail in a collapsible group with an
 * error annotation naming it. Everything it receives is already redacted by the core.
 */
import * as core from "@actions/core";
import type { ProgressReporter, TaskCounts, TaskOutcome } from "azure-batch-run";

export function actionsReporter(options: { maxLogLines: number; now?: () => number }): ProgressReporter & { outcomes: TaskOutcome[]; warnings: string[] } {
  const now = options.now ?? Date.now;
  let lastLine = "";
  let lastAt = 0;
  const saidRetries = new Set<string>();
  const outcomes: TaskOutcome[] = [];
  // Kept for the job summary too (an image near its end of life, an unverified image, ...).
  const warnings: string[] = [];
  return {
    outcomes,
    warnings,
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
      outcomes.push(o);
      if (o.result === "success") return;
      const why = o.failure ? `${o.failure.code ?? ""}: ${o.failure.message ?? ""}` : `exit code ${o.exitCode}`;
      core.error(`task ${o.id} failed (exit code ${o.exitCode ?? "none"}) ${why}`.trim(), { title: `Batch task ${o.id} failed` });
      const tail = (o.stderrTail ?? o.stdoutTail ?? "").split("\n").slice(-options.maxLogLines).join("\n");
      if (tail) {
        core.startGroup(`${o.id}: the last lines of ${o.stderrTail ? "stderr.txt" : "stdout.txt"}`);
        core.info(tail);
        core.endGroup();
      }
    },
  };
}
