/** Process entry: wires signals to an abort, runs `main`, exits with its code. */
import { main } from "./main.js";

const controller = new AbortController();
let interrupted = 0;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    // The first signal cancels cleanly (the job is terminated); a second one exits at once.
    if (++interrupted > 1) process.exit(130);
    process.stderr.write(process.argv[2] === "local" ? `\n${sig}: stopping the local service...\n` : `\n${sig}: cancelling, terminating the job...\n`);
    controller.abort(new Error(`${sig} received`));
  });
}

// A reader that stops early (`plan ... | head`) ends the command quietly: nothing more to say to it.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
process.exitCode = code;
