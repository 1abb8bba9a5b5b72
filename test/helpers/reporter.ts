/** A reporter that records what a run says, for assertions. */
import type { ProgressReporter, TaskOutcome } from "azure-batch-run";

export function recordingReporter() {
  const lines: string[] = [];
  const outcomes: TaskOutcome[] = [];
  const reporter: ProgressReporter = {
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    progress() {},
    taskCompleted: (o) => outcomes.push(o),
  };
  return { reporter, lines, outcomes };
}
