/**
 * The suite's temporary folder: every test's `os.tmpdir()` is one folder made for this run
 * (TMPDIR, set before the test workers start), removed when the run ends, so that `npm test`
 * leaves nothing behind in the machine's temporary directory. What tests left in it is counted
 * first and said, so that a test that does not clean up is seen.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const outer = tmpdir();
  const dir = mkdtempSync(join(outer, "azbr-test-run-"));
  process.env.TMPDIR = dir;
  return () => {
    const left = readdirSync(dir).filter((n) => !n.startsWith("azure-batch-run-local-") && !n.startsWith("tsx-"));
    if (left.length > 0)
      console.warn(
        `tests left ${left.length} entr${left.length === 1 ? "y" : "ies"} in their temporary folder (removed now): ${left.slice(0, 10).join(", ")}${left.length > 10 ? ", ..." : ""}`,
      );
    rmSync(dir, { recursive: true, force: true });
  };
}
