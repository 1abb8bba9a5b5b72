import { defineConfig } from "vitest/config";

export default defineConfig({
  // `azure-batch-run` resolves through package.json `exports`; the `source` condition picks the
  // TypeScript entry (shared/index.ts) instead of the built bundle, so tests run what is written.
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    // One temporary folder per run, removed at its end: `npm test` leaves nothing in the machine's.
    globalSetup: ["test/setup/tempDir.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
