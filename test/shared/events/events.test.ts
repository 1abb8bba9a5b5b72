/**
 * The event parsers on their own: what each trigger's payload becomes, the task id that makes the
 * work happen once, and the field named when a payload is refused. The Function app's tests drive
 * the same parsers through the host; these pin the rules one by one.
 */
import { describe, expect, test } from "vitest";
import {
  blobEvent,
  blobFromUrl,
  blobTaskId,
  eventGridEvent,
  InvalidEventError,
  MAX_FILE_NAME_BYTES,
  queueEvent,
  safeFileName,
  timerEvent,
} from "../../../shared/events/events.js";

const URL_ = "https://acct.blob.core.windows.net/uploads/scenes/frame 1.exr";

/** The error a call throws, for its field and message. */
function refusal(call: () => unknown): InvalidEventError {
  try {
    call();
  } catch (e) {
    if (e instanceof InvalidEventError) return e;
    throw e;
  }
  throw new Error("expected an InvalidEventError, the call returned");
}

describe("blob URLs", () => {
  test("account in the host, or in the path for Azurite and IP hosts; the name decoded once, never resolved", () => {
    expect(blobFromUrl(URL_.replace(" ", "%20"), "f")).toEqual({
      url: "https://acct.blob.core.windows.net/uploads/scenes/frame%201.exr",
      container: "uploads",
      name: "scenes/frame 1.exr",
      fileName: "frame_1.exr",
    });
    const azurite = blobFromUrl("http://127.0.0.1:10000/devstoreaccount1/in/a%2Fb.txt?sv=1&sig=x", "f");
    expect(azurite).toMatchObject({ container: "in", name: "a/b.txt", fileName: "a_b.txt" }); // an encoded slash stays in its segment
    expect(azurite.url).toContain("?sv=1&sig=x"); // a URL's own SAS stays with it
  });

  test.each([
    ["file:///etc/passwd", /https blob URL, not file:/],
    ["https://acct.blob.core.windows.net/uploads/../other/x", /"\." or "\.\." segment/],
    ["https://acct.blob.core.windows.net/uploads/%2E%2E/x", /"\." or "\.\." segment/],
    ["https://acct.blob.core.windows.net/uploads/a\\b", /backslash/],
    ["https://acct.blob.core.windows.net/uploads/a%0Ab", /control character/],
    ["https://acct.blob.core.windows.net/uploads", /names no blob/],
    ["https://acct.blob.core.windows.net/uploads/%E0%A4%A", /malformed percent-encoding/],
    [`https://acct.blob.core.windows.net/uploads/${"a".repeat(1025)}`, /at most 1024/],
  ])("%s is refused, naming the field", (url, reason) => {
    const e = refusal(() => blobFromUrl(url, "event.data.url"));
    expect(e.field).toBe("event.data.url");
    expect(e.message).toMatch(reason);
  });

  test("file names are safe anywhere and bounded, and stay distinct when cut", () => {
    expect(safeFileName("..hidden;rm -rf")).toBe("_hidden_rm_-rf");
    expect(safeFileName("")).toBe("input");
    const a = safeFileName(`${"x".repeat(300)}-a.tif`);
    const b = safeFileName(`${"x".repeat(300)}-b.tif`);
    expect(a.length).toBeLessThanOrEqual(MAX_FILE_NAME_BYTES);
    expect(a).toMatch(/\.tif$/);
    expect(a).not.toBe(b);
  });
});

describe("task ids", () => {
  const blob = { ...blobFromUrl(URL_, "f"), etag: "0x8DC1" };

  test("a valid Batch id, the same for the same version of a blob, new for a new version or another container", () => {
    const id = blobTaskId(blob);
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(id.startsWith("frame_1_exr-")).toBe(true);
    expect(blobTaskId({ ...blob })).toBe(id);
    expect(blobTaskId({ ...blob, etag: "0x8DC2" })).not.toBe(id);
    expect(blobTaskId({ ...blobFromUrl(URL_.replace("/uploads/", "/other/"), "f"), etag: "0x8DC1" })).not.toBe(id);
  });

  test("the blob trigger and the Event Grid event of one upload name the same task", () => {
    const trigger = blobEvent({ uri: URL_, properties: { eTag: '"0x8DC1"', contentLength: 7 } });
    const grid = eventGridEvent({
      id: "e1",
      eventType: "Microsoft.Storage.BlobCreated",
      eventTime: "2026-12-04T10:00:00Z",
      data: { url: URL_, eTag: "0x8DC1" },
    });
    expect(grid?.taskId).toBe(trigger.taskId);
    expect(trigger.inputs[0]).toMatchObject({ etag: "0x8DC1", size: 7 });
  });

  test("without an ETag, the last-modified time still tells versions apart", () => {
    const one = blobEvent({ uri: URL_, properties: { lastModified: "2026-12-04T10:00:00Z" } });
    const two = blobEvent({ uri: URL_, properties: { lastModified: "2026-12-04T11:00:00Z" } });
    expect(one.taskId).not.toBe(two.taskId);
    expect(one.time).toBe("2026-12-04T10:00:00.000Z");
  });
});

describe("Event Grid", () => {
  test("both schemas; another event type is nothing to run, not an error", () => {
    const cloud = eventGridEvent({ specversion: "1.0", id: "c1", type: "Microsoft.Storage.BlobCreated", time: "2026-12-04T10:00:00Z", data: { url: URL_ } });
    expect(cloud).toMatchObject({ kind: "eventGrid", id: "c1", fields: { schema: "CloudEvents" } });
    expect(eventGridEvent({ id: "d1", eventType: "Microsoft.Storage.BlobDeleted", data: { url: URL_ } })).toBeUndefined();
  });

  test.each([
    [[], "event"],
    [{ id: "x" }, "event.eventType"],
    [{ specversion: "1.0", id: "x" }, "event.type"],
    [{ eventType: "Microsoft.Storage.BlobCreated" }, "event.id"],
    [{ id: "x", eventType: "Microsoft.Storage.BlobCreated" }, "event.data"],
    [{ id: "x", eventType: "Microsoft.Storage.BlobCreated", data: { url: 7 } }, "event.data.url"],
  ])("%j is refused at %s", (event, field) => {
    expect(refusal(() => eventGridEvent(event)).field).toBe(field);
  });
});

describe("queue messages", () => {
  test("plain text is one input URL; the same body is the same task whatever its key order", () => {
    const text = queueEvent(` ${URL_} `, { id: "m1", dequeueCount: 2 });
    expect(text).toMatchObject({ kind: "queue", id: "m1", inputs: [{ name: "scenes/frame 1.exr" }], fields: { messageId: "m1", dequeueCount: 2 } });
    expect(text.taskId).toMatch(/^msg-[0-9a-f]{32}$/);
    const a = queueEvent({ vars: { quality: "draft", frames: 3 }, inputs: [URL_] }, undefined);
    const b = queueEvent({ inputs: [URL_], vars: { frames: 3, quality: "draft" } }, undefined);
    expect(a.taskId).toBe(b.taskId);
    expect(a.vars).toEqual({ quality: "draft", frames: "3" });
    expect(queueEvent({ id: "job-7" }, undefined).taskId).toBe("job-7");
  });

  test.each([
    ["", "message", /is empty/],
    [[1], "message", /JSON object/],
    [JSON.parse('{"__proto__": {"x": 1}}'), "message.__proto__", /not a field/],
    [{ vars: JSON.parse('{"constructor": "x"}') }, "message.vars.constructor", /not a field/],
    [{ id: "has space" }, "message.id", /1 to 64 letters/],
    [{ extra: 1 }, "message", /extra/],
    [{ inputs: ["ftp://x/y"] }, "message.inputs.0", /http\(s\) blob URL/],
    [{ inputs: ["https://acct.blob.core.windows.net/c/../d"] }, "message.inputs.0", /segment/],
  ])("%j is refused at %s", (body, field, reason) => {
    const e = refusal(() => queueEvent(body, undefined));
    expect(e.field).toBe(field);
    expect(e.message).toMatch(reason);
  });
});

describe("timers", () => {
  test("the scheduled time names the task: a second delivery of the same tick adds nothing", () => {
    const tick = new Date("2026-12-04T02:00:00.000Z");
    const event = timerEvent({ isPastDue: true }, tick);
    expect(event).toMatchObject({ kind: "timer", taskId: "run-20261204T020000Z", fields: { isPastDue: true, scheduleTime: "2026-12-04T02:00:00Z" } });
    expect(timerEvent(undefined, tick).taskId).toBe(event.taskId);
  });
});
