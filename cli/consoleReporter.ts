/** Progress on stderr: one live line on a terminal, plain lines otherwise (CI logs). */
import type { ProgressReporter, TaskCounts, TaskOutcome } from "azure-batch-run";

export function describeOutcome(o: TaskOutcome): string {
  const parts = [`${o.result === "success" ? "ok  " : "FAIL"} ${o.id}`];
  if (o.exitCode !== undefined) parts.push(`exit ${o.exitCode}`);
  if (o.retryCount) parts.push(`${o.retryCount} retr${o.retryCount === 1 ? "y" : "ies"}`);
  if (o.requeueCount) parts.push(`requeued ${o.requeueCount}x (its node went away)`);
  if (o.durationMs !== undefined) parts.push(`${(o.durationMs / 1000).toFixed(1)}s`);
  if (o.failure) parts.push(`${o.failure.category ?? ""} ${o.failure.code ?? ""}: ${o.failure.message ?? ""}`.trim());
  return parts.join("  ");
}

/** The console reporter: progress on stderr, a live line on a terminal. */
export interface ConsoleReporter extends ProgressReporter {
  /** Ends the live line, so that what is written next starts on a line of its own. */
  end(): void;
  /** Tasks whose outcome line it has written (not written again where stdout is the same file). */
  printed: Set<string>;
}

export function createConsoleReporter(stream: NodeJS.WriteStream = process.stderr): ConsoleReporter {
  const tty = Boolean(stream.isTTY);
  let live = false;
  let last = "";
  const clear = () => {
    if (live) stream.write("\r\x1b[2K");
    live = false;
  };
  const line = (text: string) => {
    clear();
    stream.write(`${text}\n`);
  };
  // Off a terminal, submission progress is a line at each tenth, not one per chunk.
  let lastTenth = -1;
  const printed = new Set<string>();
  return {
    printed,
    end() {
      if (live) stream.write("\n");
      live = false;
    },
    info: (m) => line(m),
    warn: (m) => line(`warning: ${m}`),
    retrying: (m) => line(m),
    tasksSubmitted(done: number, total: number) {
      const text = `submitting tasks: ${done}/${total}`;
      if (tty) {
        clear();
        stream.write(text);
        live = true;
        return;
      }
      const tenth = Math.floor((done / Math.max(1, total)) * 10);
      if (tenth > lastTenth && total > 100) {
        lastTenth = tenth;
        stream.write(`${text}\n`);
      }
    },
    progress(c: TaskCounts, total: number) {
      const text = `[${c.completed}/${total}] active ${c.active} · running ${c.running} · succeeded ${c.succeeded} · failed ${c.failed}`;
      if (text === last) return;
      last = text;
      if (tty) {
        clear();
        stream.write(text);
        live = true;
      } else stream.write(`${text}\n`);
    },
    taskCompleted(o: TaskOutcome) {
      if (o.result === "success" && tty) return; // the live line counts them; failures get their own lines
      printed.add(o.id);
      line(describeOutcome(o));
      if (o.stderrTail) line(`  stderr (tail):\n${o.stderrTail.replace(/^/gm, "    ")}`);
      else if (o.stdoutTail) line(`  stdout (tail):\n${o.stdoutTail.replace(/^/gm, "    ")}`);
    },
  };
}
