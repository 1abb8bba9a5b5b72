/** ISO 8601 durations (`PT30M`, `P1DT2H`) to milliseconds, and back for responses. */
const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function parseDuration(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const m = DURATION.exec(value);
  if (!m) return undefined;
  const [, w, d, h, min, sec] = m;
  return (((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(sec ?? 0) * 1000;
}

/** What the service reports for "no limit". */
export const UNLIMITED = "P10675199DT2H48M5.4775807S";
