/**
 * The timer's scheduled time: the latest occurrence of its NCRONTAB expression
 * (`{second} {minute} {hour} {day} {month} {day-of-week}`, as Azure Functions reads it) at or
 * before the invocation. Two firings of one occurrence (a double fire, a second instance, a
 * restart) get the same time, hence the same job id; the timer's payload does not carry it.
 * Evaluated in UTC (WEBSITE_TIME_ZONE is not applied).
 */
import { UsageError } from "azure-batch-run";

const NAMES: Record<number, string[]> = {
  4: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  5: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};
const FIELDS = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day-of-week", min: 0, max: 6 },
];

export type Schedule = Set<number>[];

function value(text: string, field: number): number {
  const names = NAMES[field];
  const index = names?.indexOf(text.toLowerCase()) ?? -1;
  if (index >= 0) return index + (field === 4 ? 1 : 0);
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  return field === 5 && n === 7 ? 0 : n;
}

export function parseSchedule(expression: string): Schedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new UsageError(
      `AZBR_SCHEDULE: "${expression}" is not an NCRONTAB expression of six fields ({second} {minute} {hour} {day} {month} {day-of-week}, e.g. "0 0 2 * * *" for 02:00 every day)`,
    );
  }
  return parts.map((part, f) => {
    const { name, min, max } = FIELDS[f]!;
    const set = new Set<number>();
    for (const item of part.split(",")) {
      const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
      if (!m) throw new UsageError(`AZBR_SCHEDULE: "${item}" in the ${name} field is not a value, a range a-b, a list or a step */n`);
      const step = m[2] ? Number(m[2]) : 1;
      const [from, to] =
        m[1] === "*" ? [min, max] : m[1]!.includes("-") ? m[1]!.split("-").map((v) => value(v, f)) : [value(m[1]!, f), m[2] ? max : value(m[1]!, f)];
      if (Number.isNaN(from) || Number.isNaN(to))
        throw new UsageError(`AZBR_SCHEDULE: "${item}" in the ${name} field is not a number${NAMES[f] ? " or a name (" + NAMES[f]!.join(", ") + ")" : ""}`);
      if (!(from! >= min && to! <= max && from! <= to! && step >= 1))
        throw new UsageError(`AZBR_SCHEDULE: "${item}" is out of range for the ${name} field (${min}-${max})`);
      for (let v = from!; v <= to!; v += step) set.add(v);
    }
    return set;
  });
}

/** The latest time at or before `at` (to the second) that the schedule names. */
export function previousOccurrence(schedule: Schedule, at: Date): Date {
  const [seconds, minutes, hours, days, months, weekdays] = schedule as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  let t = Math.floor(at.getTime() / 1000) * 1000;
  for (let i = 0; i < 2_000_000; i++) {
    const d = new Date(t);
    if (!months.has(d.getUTCMonth() + 1)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - 1000;
    } else if (!days.has(d.getUTCDate()) || !weekdays.has(d.getUTCDay())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - 1000;
    } else if (!hours.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()) - 1000;
    } else if (!minutes.has(d.getUTCMinutes())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()) - 1000;
    } else {
      let s = d.getUTCSeconds();
      while (s >= 0 && !seconds.has(s)) s--;
      if (s >= 0) return new Date(t - (d.getUTCSeconds() - s) * 1000);
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()) - 1000;
    }
  }
  throw new UsageError("AZBR_SCHEDULE: the schedule names no time in the past years (e.g. 31 February)");
}
