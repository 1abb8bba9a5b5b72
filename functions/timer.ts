/**
 * A schedule (`%AZBR_SCHEDULE%`, NCRONTAB): one batch run per occurrence. The event's time is the
 * occurrence itself, computed from the schedule, so that two firings of it (a double fire, a
 * past-due run after a restart) name the same job and tasks. Registered when AZBR_SCHEDULE is set.
 */
import { app, type InvocationContext, type Timer } from "@azure/functions";
import { timerEvent } from "azure-batch-run";
import { handle } from "./app/handle.js";
import { parseSchedule, previousOccurrence } from "./app/schedule.js";

/** A firing may come a moment before its occurrence by this process's clock. */
const EARLY_MS = 2_000;

export async function batchOnTimer(timer: Timer, context: InvocationContext): Promise<void> {
  const schedule = parseSchedule(process.env.AZBR_SCHEDULE ?? "");
  const scheduled = previousOccurrence(schedule, new Date(Date.now() + EARLY_MS));
  if (timer.isPastDue) context.warn(`the timer is past due: running the occurrence of ${scheduled.toISOString()}`);
  await handle("timer", () => timerEvent(timer, scheduled), { content: timer, metadata: { scheduled: scheduled.toISOString() } }, context);
}

if (process.env.AZBR_SCHEDULE) {
  app.timer("batchOnTimer", { schedule: "%AZBR_SCHEDULE%", handler: batchOnTimer });
}
