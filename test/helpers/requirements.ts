/**
 * Tests that need something outside the project (the REST definition in ../shared, a Docker
 * engine) skip with a visible reason when it is absent. `.ci/run` sets AZBR_REQUIRE_ALL=1, which
 * turns such a skip into a failure, so CI always runs everything.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SPEC_DIR = fileURLToPath(new URL("../../../shared/azure-batch-spec", import.meta.url));
/** Both definitions, loaded into one validator: each call is matched by its own api-version. */
export const SPEC_FILES = ["2025-06-01", "2024-07-01.20.0"].map((v) => `specification/batch/data-plane/Batch/stable/${v}/BatchService.json`);
export const SPEC_FILE = SPEC_FILES[0]!;

/** Returns a skip reason, or undefined when the requirement holds. Throws under AZBR_REQUIRE_ALL. */
export function requirement(what: string, available: boolean): string | undefined {
  if (available) return undefined;
  const reason = `SKIPPED: ${what} is not available`;
  if (process.env.AZBR_REQUIRE_ALL === "1") throw new Error(`${reason}, and AZBR_REQUIRE_ALL=1 forbids skipping`);
  console.warn(reason);
  return reason;
}

export const batchSpecMissing = requirement(
  `the Azure Batch REST definitions (${SPEC_FILES.map((f) => `${SPEC_DIR}/${f}`).join(", ")})`,
  SPEC_FILES.every((f) => existsSync(`${SPEC_DIR}/${f}`)),
);

export const MGMT_SPEC_DIR = fileURLToPath(new URL("../../../shared/azure-batch-mgmt-spec", import.meta.url));
export const MGMT_SPEC_FILE = "specification/batch/resource-manager/Microsoft.Batch/stable/2024-07-01/BatchManagement.json";
export const mgmtSpecMissing = requirement(
  `the Azure Batch management REST definition (${MGMT_SPEC_DIR}/${MGMT_SPEC_FILE})`,
  existsSync(`${MGMT_SPEC_DIR}/${MGMT_SPEC_FILE}`),
);

/** The Entra ID stand-in serves https with a throwaway certificate made by openssl. */
export const opensslMissing = requirement(
  "openssl (for the Entra ID stand-in's certificate)",
  ["/usr/bin/openssl", "/bin/openssl", "/usr/local/bin/openssl"].some((p) => existsSync(p)),
);
