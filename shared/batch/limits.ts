/**
 * Limits Azure Batch (and the nodes it runs tasks on) enforces on what a spec sends, as the REST
 * reference states them: the core refuses a spec that breaks one (with the field and what would be
 * valid) and the local Batch service refuses the request, as Batch does.
 */
import { parseDuration } from "./duration.js";

const MINUTE = 60_000;

/** `addtaskcollection`: "The maximum number of tasks is 100." */
export const MAX_TASKS_PER_REQUEST = 100;
/**
 * A request body: the service refuses one over 1 MiB (`RequestBodyTooLarge`); the core stays under
 * 1 MB with the envelope counted.
 */
export const MAX_REQUEST_BYTES = 1_000_000;
export const SERVICE_MAX_BODY_BYTES = 1024 * 1024;

/** TimeSpan.MaxValue, the longest duration Batch reads (P10675199DT2H48M5.4775807S), in ms. */
export const MAX_DURATION_MS = 922_337_203_685_477;

export const BATCH_LIMITS = {
  /** `resizeTimeout`: "The minimum value is 5 minutes." */
  minResizeTimeoutMs: 5 * MINUTE,
  /** `autoScaleEvaluationInterval`: at least 5 minutes and at most 168 hours. */
  minAutoScaleIntervalMs: 5 * MINUTE,
  maxAutoScaleIntervalMs: 168 * 60 * MINUTE,
  /** A job release task's `maxWallClockTime`: "The maximum value is 15 minutes." */
  maxReleaseWallClockMs: 15 * MINUTE,
  /** A job schedule's `recurrenceInterval` and `startWindow`: "The minimum value is 1 minute." */
  minRecurrenceMs: MINUTE,
  minStartWindowMs: MINUTE,
  /** `taskSlotsPerNode`: "The maximum value is the smaller of 4 times the number of cores of the vmSize of the pool or 256." */
  maxTaskSlotsPerNode: 256,
  taskSlotsPerCore: 4,
  /**
   * One environment variable (`NAME=value` and its terminating NUL) or one command line: Linux
   * refuses a longer single string to exec (MAX_ARG_STRLEN, 32 pages of 4 KiB) with E2BIG, so the
   * task could never start although the request is well under 1 MB.
   */
  maxProcessStringBytes: 131_072,
} as const;

/** The ids Batch gives a job's preparation and release tasks when the spec gives none. */
export const DEFAULT_PREPARATION_TASK_ID = "jobpreparation";
export const DEFAULT_RELEASE_TASK_ID = "jobrelease";

/** A VM size name as Batch takes it: `Standard_D2s_v3`, `standard_e8-4ds_v5` (no spaces). */
export const VM_SIZE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Characters that change how text is shown without being seen: bidirectional controls (the
 * "Trojan Source" trick) and zero-width characters. A VM size, an image name or a command line
 * holding one reads differently from what runs.
 */
export const INVISIBLE_CHARACTERS = /[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** The first invisible character of a text, as `U+202E at position 7`. */
export function invisibleCharacter(text: string): string | undefined {
  const m = INVISIBLE_CHARACTERS.exec(text);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at position ${m.index}` : undefined;
}

/** Why a duration is outside [min, max] (both optional), or undefined. */
export function durationProblem(value: string, bounds: { minMs?: number; maxMs?: number; min?: string; max?: string }): string | undefined {
  const ms = parseDuration(value);
  if (ms === undefined) return undefined;
  if (bounds.minMs !== undefined && ms < bounds.minMs) return `${value} is under Batch's minimum of ${bounds.min}`;
  if (bounds.maxMs !== undefined && ms > bounds.maxMs) return `${value} is over Batch's maximum of ${bounds.max}`;
  return undefined;
}

/**
 * The vCPUs of a VM size, read from its name where the name says it: sizes of version 3 and later
 * (`Standard_D2s_v3`: 2, `Standard_E8-4ds_v5`: 4 active of 8), and the A v2, B, F v2, H, L, M and
 * N families of any version. Older sizes whose number is not their vCPU count (`Standard_D11_v2`,
 * `Standard_A5`) give undefined: nothing is assumed.
 */
export function vCpusOfVmSize(vmSize: string): number | undefined {
  const m = /^standard_([a-z]+?)(\d+)(?:-(\d+))?([a-z]*)((?:_[a-z0-9]+)*)$/i.exec(vmSize);
  if (!m) return undefined;
  const family = m[1]!.toUpperCase();
  const version = Number(/_v(\d+)$/i.exec(m[5] ?? "")?.[1] ?? 1);
  const named = version >= 3 || /^(B|H|HB|HC|HX|L|M|N[A-Z]*)$/.test(family) || (version === 2 && (family === "F" || family === "A"));
  if (!named) return undefined;
  return Number(m[3] ?? m[2]);
}

const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = new RegExp(`^${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]{1,5})?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/**
 * Why a container image name is not one Docker (or containerd) can pull, by the distribution
 * reference grammar: `[registry[:port]/]path[:tag][@digest]`, the path lowercase. Undefined when it is valid.
 */
export function imageNameProblem(image: string): string | undefined {
  if (image.length > 255 + 1 + 128 + 1 + 135) return "is too long for an image reference";
  let rest = image;
  const at = rest.indexOf("@");
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) return "has a digest that is not algorithm:hex (e.g. @sha256:<64 hex digits>)";
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) {
    if (!TAG.test(rest.slice(colon + 1))) return "has a tag that is not 1 to 128 letters, digits, _ . or - (starting with a letter, digit or _)";
    rest = rest.slice(0, colon);
  }
  if (rest.length === 0) return "has no repository name";
  if (rest.length > 255) return "has a repository name over 255 characters";
  const parts = rest.split("/");
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase())) {
    if (!DOMAIN.test(first)) return `has a registry "${first}" that is not a host name with an optional port`;
    parts.shift();
  }
  for (const part of parts) {
    if (PATH_COMPONENT.test(part)) continue;
    if (PATH_COMPONENT.test(part.toLowerCase())) return `must be lowercase in its repository path ("${part}"); e.g. ${image.replace(part, part.toLowerCase())}`;
    return `has a repository path component "${part}" that is not lowercase letters and digits separated by . _ __ or -`;
  }
  return undefined;
}

/** Why a resource file's `filePath` would leave the task's working directory, or undefined. */
export function filePathProblem(path: string): string | undefined {
  if (/^([/\\]|[A-Za-z]:)/.test(path)) return `"${path}" is absolute; a resource file's path is relative to the task's working directory`;
  if (path.split(/[/\\]/).includes("..")) return `"${path}" has a ".." segment; a resource file cannot be placed outside the task's working directory`;
  return undefined;
}
