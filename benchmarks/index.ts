// `npm run bench [-- N]`: throughput (benchmarks/local-throughput.ts); `npm run bench -- --scale`:
// the scale table (benchmarks/scale.ts).
if (process.argv.includes("--scale")) await import("./scale.js");
else await import("./local-throughput.js");
