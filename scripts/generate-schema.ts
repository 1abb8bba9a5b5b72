// Writes schema/workload.schema.json from the zod schema; CI checks that the file is current.
import { writeFileSync } from "node:fs";
import { workloadJsonSchema } from "azure-batch-run";

export const SCHEMA_PATH = new URL("../schema/workload.schema.json", import.meta.url);
export const renderSchema = (): string => `${JSON.stringify(workloadJsonSchema(), null, 2)}\n`;

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  writeFileSync(SCHEMA_PATH, renderSchema());
  console.log(`wrote ${SCHEMA_PATH.pathname}`);
}
