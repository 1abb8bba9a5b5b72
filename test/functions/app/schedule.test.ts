/** The timer's scheduled time: the latest NCRONTAB occurrence at or before the firing. */
import { describe, expect, test } from "vitest";
import { parseSchedule, previousOccurrence } from "../../../functions/app/schedule.js";

const at = (expression: string, iso: string) => previousOccurrence(parseSchedule(expression), new Date(iso)).toISOString();

describe("previousOccurrence", () => {
  test("every five minutes, daily at 02:00, the first of the month, weekdays", () => {
    expect(at("0 */5 * * * *", "2026-12-01T10:07:31.400Z")).toBe("2026-12-01T10:05:00.000Z");
    expect(at("0 */5 * * * *", "2026-12-01T10:05:00.000Z")).toBe("2026-12-01T10:05:00.000Z");
    expect(at("0 0 2 * * *", "2026-12-01T01:59:59.999Z")).toBe("2026-11-30T02:00:00.000Z");
    expect(at("0 0 2 * * *", "2026-12-01T02:00:00.700Z")).toBe("2026-12-01T02:00:00.000Z");
    expect(at("0 30 9 1 * *", "2026-03-01T09:29:00Z")).toBe("2026-02-01T09:30:00.000Z");
    // 2026-12-05 is a Saturday: the latest weekday 08:00 is Friday's.
    expect(at("0 0 8 * * 1-5", "2026-12-05T12:00:00Z")).toBe("2026-12-04T08:00:00.000Z");
    expect(at("0 0 8 * * Mon-Fri", "2026-12-05T12:00:00Z")).toBe("2026-12-04T08:00:00.000Z");
  });

  test("lists, ranges with steps, seconds, names of months, Sunday as 0 or 7", () => {
    expect(at("15,45 * * * * *", "2026-12-01T10:00:44Z")).toBe("2026-12-01T10:00:15.000Z");
    expect(at("0 0 0 1 jan,jul *", "2026-06-30T00:00:00Z")).toBe("2026-01-01T00:00:00.000Z");
    expect(at("0 0 10-16/3 * * *", "2026-12-01T15:00:00Z")).toBe("2026-12-01T13:00:00.000Z");
    expect(at("0 0 12 * * 7", "2026-12-03T00:00:00Z")).toBe(at("0 0 12 * * 0", "2026-12-03T00:00:00Z"));
    expect(at("0 0 12 * * 0", "2026-12-03T00:00:00Z")).toBe("2026-11-29T12:00:00.000Z");
  });

  test("a year back, and leap days", () => {
    expect(at("0 0 0 1 1 *", "2026-12-01T00:00:00Z")).toBe("2026-01-01T00:00:00.000Z");
    expect(at("0 0 0 29 2 *", "2026-12-01T00:00:00Z")).toBe("2024-02-29T00:00:00.000Z");
  });

  test("bad expressions name the field", () => {
    expect(() => parseSchedule("0 0 * * *")).toThrow(/AZBR_SCHEDULE: "0 0 \* \* \*" is not an NCRONTAB expression of six fields/);
    expect(() => parseSchedule("0 61 * * * *")).toThrow(/"61" is out of range for the minute field \(0-59\)/);
    expect(() => parseSchedule("0 0 * * foo *")).toThrow(/"foo" in the month field is not a number or a name \(jan, feb/);
    expect(() => parseSchedule("00:05:00")).toThrow(/six fields/);
  });
});
