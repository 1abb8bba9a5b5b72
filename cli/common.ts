/** What every part of the command line shares: exit codes, its streams, writing lines, near-miss names. */
import { fstatSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { ApiVersion, ErrorCategory, Redactor, RequestHooks } from "azure-batch-run";

export const EXIT = { ok: 0, taskFailed: 1, invalid: 2, service: 3, cancelled: 130 } as const;

/** The CLI's exit code for each kind of ending the core classifies. */
export const EXIT_FOR: Record<ErrorCategory, number> = {
  usage: EXIT.invalid,
  task: EXIT.taskFailed,
  service: EXIT.service,
  auth: EXIT.service,
  cancelled: EXIT.cancelled,
};

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM by the bin; tests abort it themselves. */
  signal?: AbortSignal;
}

/** What a command gets: its arguments and options, and what main made of the common ones. */
export interface CommandContext {
  args: string[];
  values: CliValues;
  vars: Record<string, string>;
  io: CliIo;
  redactor: Redactor;
  hooks: RequestHooks;
  callTimeoutMs?: number;
  apiVersion?: ApiVersion;
}

export const OPTIONS = {
  var: { type: "string", multiple: true },
  "account-url": { type: "string" },
  format: { type: "string" },
  wait: { type: "boolean" },
  "no-wait": { type: "boolean" },
  cleanup: { type: "string" },
  "poll-interval": { type: "string" },
  concurrency: { type: "string" },
  local: { type: "boolean" },
  executor: { type: "string" },
  file: { type: "string" },
  debug: { type: "boolean" },
  timeout: { type: "string" },
  "api-version": { type: "string" },
  event: { type: "string" },
  "identity-map": { type: "string" },
  quotas: { type: "string" },
  "local-dir": { type: "string" },
  port: { type: "string" },
  follow: { type: "boolean" },
  subscription: { type: "string" },
  "resource-group": { type: "string" },
  "account-name": { type: "string" },
  default: { type: "boolean" },
  replace: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} satisfies ParseArgsConfig["options"];

/** The command line, parsed strictly: an unknown option is an error, never ignored. */
export const parseCommandLine = (args: string[]) => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });

/** The options as parsed. */
export type CliValues = ReturnType<typeof parseCommandLine>["values"];

/** Writes and, when the stream asks for it, waits for it to drain (a long plan piped to a slow reader). */
export async function writeDrained(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once("drain", () => resolve()));
}

export function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** The candidate nearest to a misspelt name (edit distance at most 2), if any. */
export function closest(name: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
      }
    }
    return row[b.length]!;
  };
  return candidates
    .map((c) => [c, distance(name, c)] as const)
    .filter(([, d]) => d <= 2)
    .sort((x, y) => x[1] - y[1])[0]?.[0];
}

/** Whether two streams write to the same file (`cmd > out 2>&1`, a terminal): a line on one need not be repeated on the other. */
export function sameDestination(a: NodeJS.WritableStream, b: NodeJS.WritableStream): boolean {
  const fa = (a as { fd?: unknown }).fd;
  const fb = (b as { fd?: unknown }).fd;
  if (typeof fa !== "number" || typeof fb !== "number") return false;
  try {
    const x = fstatSync(fa);
    const y = fstatSync(fb);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
