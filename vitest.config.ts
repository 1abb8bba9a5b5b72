import { defineConfig } from "vitest/config";

export default defineConfig({
  // `azure-batch-run` resolves through package.json `exports`; the `source` condition picks the
  // TypeScript entry (shared/index.ts) instead of the built bundle, so tests run what is written.
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
