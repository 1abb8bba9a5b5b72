// The Function app's cold start: the time to import the bundled app (dist/functions/index.js, as
// the Functions worker loads it, with its four triggers registered), next to `node -e 0` and to
// importing @azure/batch + @azure/identity + @azure/storage-blob, each in fresh processes on this
// machine in one run. Goals (issue 11): the app's import <= 150 ms and <= a third of the SDKs'.
// Prints a table; nothing is asserted. Run: npm run bench:cold-start [-- runs]
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const runs = Number(process.argv[2] ?? 9);
const root = fileURLToPath(new URL("..", import.meta.url));

// In the child: the worker's built-in module (registrations need it), then one timed import.
const appChild = `
import Module from "node:module";
const core = { version: "bench", hostVersion: "bench", registerFunction: () => ({ dispose() {} }), setProgrammingModel() {}, getProgrammingModel() {}, registerHook: () => ({ dispose() {} }), log() {} };
Module.prototype.require = new Proxy(Module.prototype.require, { apply: (t, self, args) => (args[0] === "@azure/functions-core" ? core : Reflect.apply(t, self, args)) });
const t = process.hrtime.bigint();
await import(${JSON.stringify(`${root}dist/functions/index.js`)});
console.log(Number(process.hrtime.bigint() - t) / 1e6);`;
const sdkChild = `
const t = process.hrtime.bigint();
await Promise.all([import("@azure/batch"), import("@azure/identity"), import("@azure/storage-blob")]);
console.log(Number(process.hrtime.bigint() - t) / 1e6);`;

const env = { ...process.env, AZBR_BLOB_PATH: "uploads/{name}", AZBR_QUEUE: "requests", AZBR_SCHEDULE: "0 0 2 * * *" };
const inChild = (script: string) => Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, env, encoding: "utf8" }).trim());
const wholeProcess = (args: string[]) => {
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, args, { cwd: root, env });
  return Number(process.hrtime.bigint() - t) / 1e6;
};

const rows: [string, number[]][] = [
  ["node -e 0 (whole process)", []],
  ["import of the bundled app (in process)", []],
  ["import of @azure/batch + identity + storage-blob (in process)", []],
];
for (let i = 0; i < runs; i++) {
  // Interleaved, so that the machine's load falls on all of them alike.
  rows[0]![1].push(wholeProcess(["-e", "0"]));
  rows[1]![1].push(inChild(appChild));
  rows[2]![1].push(inChild(sdkChild));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
console.log(`| what (${runs} runs, fresh processes) | median | min | max |`);
console.log("|---|---|---|---|");
for (const [what, xs] of rows) console.log(`| ${what} | ${fmt(median(xs))} | ${fmt(Math.min(...xs))} | ${fmt(Math.max(...xs))} |`);
const app = median(rows[1]![1]);
const sdk = median(rows[2]![1]);
console.log(
  `\napp import ${fmt(app)}: goal <= 150 ms ${app <= 150 ? "met" : "NOT met"}; ${(app / sdk).toFixed(2)} of the SDKs' import, goal <= 0.33 ${app / sdk <= 1 / 3 ? "met" : "NOT met"}`,
);
