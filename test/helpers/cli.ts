/** The CLI's `main` in process, with its stdout and stderr captured. */
import { PassThrough } from "node:stream";
import { main } from "../../cli/main.js";

export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  (stderr as unknown as PassThrough).on("data", (d) => (err += d));
  const code = await main(args, { stdout, stderr, env });
  return { code, stdout: out, stderr: err };
}
