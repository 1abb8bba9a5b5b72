/**
 * The CLI's `main` in process, with its stdout and stderr captured. A `--local` run gets a local
 * account folder of its own (AZBR_LOCAL_DIR), removed afterwards, unless the caller gives one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "../../cli/main.js";

export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  (stderr as unknown as PassThrough).on("data", (d) => (err += d));
  const own = env.AZBR_LOCAL_DIR === undefined ? mkdtempSync(join(tmpdir(), "azbr-local-home-")) : undefined;
  try {
    const code = await main(args, { stdout, stderr, env: { ...env, ...(own ? { AZBR_LOCAL_DIR: own } : {}) }, signal });
    return { code, stdout: out, stderr: err };
  } finally {
    if (own) rmSync(own, { recursive: true, force: true });
  }
}
