/**
 * `plan --event FILE`: a Function app's spec planned for a sample event, parsed as the app parses
 * a delivery, so that event specs are planned and checked in CI like any other spec.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { EXIT } from "../../cli/main.js";
import { runCli } from "../helpers/cli.js";
import { validateCall } from "../helpers/oav.js";
import { batchSpecMissing } from "../helpers/requirements.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const SPEC = `${ROOT}examples/function/one-task-per-file.yaml`;
const dir = mkdtempSync(join(tmpdir(), "azbr-plan-event-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sample(value: unknown): string {
  const file = join(dir, `event-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe.skipIf(batchSpecMissing)("plan --event", () => {
  test.each([
    ["the example's Event Grid event", `${ROOT}examples/function/event.json`, /^report_csv-[0-9a-f]{16}$/],
    [
      "a blob trigger's metadata",
      sample({
        uri: "https://ingest.blob.core.windows.net/uploads/data.csv",
        properties: { eTag: "0x1", contentLength: 3, lastModified: "2026-12-04T08:00:00Z" },
      }),
      /^data_csv-[0-9a-f]{16}$/,
    ],
    [
      "a queue message",
      sample({ message: { id: "reprocess-1", inputs: ["https://ingest.blob.core.windows.net/uploads/a.csv"] }, id: "m-1", dequeueCount: 1 }),
      /^reprocess-1$/,
    ],
  ])("%s: the calls the app would make, each valid with oav", async (_name, eventFile, taskId) => {
    const { code, stdout, stderr } = await runCli(["plan", SPEC, "--format", "json", "--event", eventFile]);
    expect({ code, stderr: stderr.replace(/^note: .*\n/gm, "") }).toEqual({ code: EXIT.ok, stderr: "" });
    const calls = JSON.parse(stdout) as { method: string; path: string; query: Record<string, string>; body: any }[];
    expect(calls.map((c) => `${c.method} ${c.path.replace(/per-file-\d{4}-\d{2}-\d{2}/, "per-file-DAY")}`)).toEqual([
      "POST /pools",
      "POST /jobs",
      "POST /jobs/per-file-DAY/addtaskcollection",
    ]);
    const task = calls[2]!.body.value[0];
    expect(task.id).toMatch(taskId);
    // The input arrives through a SAS the app would make: a placeholder here.
    expect(task.resourceFiles[0].httpUrl).toMatch(/^https:\/\/ingest\.blob\.core\.windows\.net\/uploads\/[a-z.]+\?<redacted>$/);
    for (const call of calls) expect((await validateCall(call)).request.errors).toEqual([]);
  });

  test("a sample the app would dead-letter is refused with the field and reason (exit 2); so is one that is not an event", async () => {
    const dotdot = await runCli(["plan", SPEC, "--event", sample({ uri: "https://ingest.blob.core.windows.net/uploads/../../secrets/x.csv" })]);
    expect(dotdot.code).toBe(EXIT.invalid);
    expect(dotdot.stderr).toMatch(/--event .*: triggerMetadata\.uri: the blob name ".*" has a "\." or "\.\." segment/);
    const unsafe = await runCli(["plan", SPEC, "--event", sample({ message: { id: "x", vars: { nope: "1" } } })]);
    expect(unsafe.stderr).toMatch(/message\.vars\.nope: is not a variable the spec declares/);
    const neither = await runCli(["plan", SPEC, "--event", sample({ hello: "world" })]);
    expect(neither.code).toBe(EXIT.invalid);
    expect(neither.stderr).toMatch(/is none of: an Event Grid event/);
  });
});
