#!/usr/bin/env node
// The CLI's bundle (dist/cli, built by `npm run build` from cli/ and shared/); no TypeScript at run time.
import { setFlagsFromString } from "node:v8";
// Between two full collections V8 lets the heap grow to up to four times what it holds; the CLI asks
// for one and a half, so that its footprint follows what it holds (100,000 tasks per blob:
// `run --no-wait` peaks at 156 MB instead of 233 MB; no measurable time: npm run bench -- --scale).
setFlagsFromString("--heap-growing-percent=50");
process.setSourceMapsEnabled(true);
await import("../dist/cli/index.js");
