import { PassThrough } from "node:stream";
import { describe, expect, test } from "vitest";
import { createConsoleReporter } from "../../cli/consoleReporter.js";

function stream(isTTY: boolean) {
  const s = new PassThrough() as PassThrough & { isTTY: boolean };
  s.isTTY = isTTY;
  let text = "";
  s.on("data", (d) => (text += d));
  return { s: s as unknown as NodeJS.WriteStream, text: () => text };
}
const counts = (completed: number, failed = 0) => ({ active: 10 - completed, running: 0, completed, succeeded: completed - failed, failed });

describe("console progress", () => {
  test("plain lines off a terminal, only when something changed; every task on its own line", () => {
    const out = stream(false);
    const r = createConsoleReporter(out.s);
    r.progress(counts(1), 10);
    r.progress(counts(1), 10);
    r.taskCompleted({ id: "t1", result: "success", exitCode: 0, retryCount: 0, durationMs: 1500 });
    r.progress(counts(2, 1), 10);
    r.taskCompleted({
      id: "t2",
      result: "failure",
      exitCode: 4,
      retryCount: 1,
      failure: { category: "usererror", code: "FailureExitCode", message: "boom" },
      stderrTail: "err line",
    });
    expect(out.text()).toBe(
      [
        "[1/10] active 9 · running 0 · succeeded 1 · failed 0",
        "ok   t1  exit 0  1.5s",
        "[2/10] active 8 · running 0 · succeeded 1 · failed 1",
        "FAIL t2  exit 4  1 retry  usererror FailureExitCode: boom",
        "  stderr (tail):\n    err line",
        "",
      ].join("\n"),
    );
  });

  test("one live line on a terminal, cleared before other lines", () => {
    const out = stream(true);
    const r = createConsoleReporter(out.s);
    r.progress(counts(1), 10);
    r.progress(counts(2), 10);
    r.taskCompleted({ id: "t9", result: "success", retryCount: 0 });
    r.warn("careful");
    expect(out.text()).toBe(
      "[1/10] active 9 · running 0 · succeeded 1 · failed 0" + "\r\x1b[2K[2/10] active 8 · running 0 · succeeded 2 · failed 0" + "\r\x1b[2Kwarning: careful\n",
    );
  });
});
