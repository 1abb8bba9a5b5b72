/**
 * ISO 8601 durations as the Batch REST API takes them (`PT30M`, `P1DT2H`, `PT1.5S`): the one
 * parser that both the spec schema and the local Batch service use, so that a duration the spec
 * accepts is one the service understands, and the other way round.
 *
 * Weeks, days, hours, minutes and (fractional) seconds; at least one of them, and a `T` only
 * when a time part follows (`P` and `PT` alone are refused). Years and months are refused: their
 * length depends on the calendar, and Batch's TimeSpan has none.
 */
export const DURATION_PATTERN = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** What the service reports for "no limit" (TimeSpan.MaxValue). */
export const UNLIMITED_DURATION = "P10675199DT2H48M5.4775807S";

/** Milliseconds of an ISO 8601 duration, or undefined when the text is not one. */
export function parseDuration(value: string): number | undefined {
  const m = DURATION_PATTERN.exec(value);
  if (!m) return undefined;
  const [, w, d, h, min, sec] = m;
  return (((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(sec ?? 0) * 1000;
}
