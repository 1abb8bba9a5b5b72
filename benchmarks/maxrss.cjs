// Preloaded with `node --require` by benchmarks/scale.ts: prints the process's peak resident set
// size (KiB) on stderr as it exits.
process.on("exit", () => process.stderr.write(`maxrss ${process.resourceUsage().maxRSS}\n`));
