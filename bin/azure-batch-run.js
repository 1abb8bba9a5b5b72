#!/usr/bin/env node
// The CLI's bundle (dist/cli, built by `npm run build` from cli/ and shared/); no TypeScript at run time.
process.setSourceMapsEnabled(true);
await import("../dist/cli/index.js");
