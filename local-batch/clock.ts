/** The service's clock and change counter: times as Batch writes them, and ETags. Below every other module of the service. */
import { randomUUID } from "node:crypto";

/** The time as Batch writes it; made once per millisecond (a request that adds 100 tasks asks 100 times). */
export const now = (): string => {
  const ms = Date.now();
  if (ms !== lastNow.ms) {
    lastNow.ms = ms;
    lastNow.iso = new Date(ms).toISOString();
  }
  return lastNow.iso;
};
const lastNow = { ms: 0, iso: "" };

/**
 * An ETag in Batch's form (`0x` and 15 hex digits): a counter started from a random 60-bit value,
 * so that every change, in this run or after a restart, gets a new one without a UUID each time.
 */
export const etag = (): string => `0x${(etagBase + BigInt(++etagCount)).toString(16).toUpperCase().padStart(15, "0").slice(-15)}`;
const etagBase = BigInt(`0x${randomUUID().replace(/-/g, "").slice(0, 15)}`) & ((1n << 59n) - 1n);
let etagCount = 0;
