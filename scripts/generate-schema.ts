// Writes the published JSON Schemas from their zod schemas; a test checks that the files are current:
//   schema/workload.schema.json       the workload spec
//   schema/queue-message.schema.json  a message for the Function app's queue trigger
import { writeFileSync } from "node:fs";
import { queueMessageJsonSchema, workloadJsonSchema } from "azure-batch-run";

export const SCHEMA_PATH = new URL("../schema/workload.schema.json", import.meta.url);
export const QUEUE_SCHEMA_PATH = new URL("../schema/queue-message.schema.json", import.meta.url);
export const renderSchema = (): string => `${JSON.stringify(workloadJsonSchema(), null, 2)}\n`;
export const renderQueueSchema = (): string => `${JSON.stringify(queueMessageJsonSchema(), null, 2)}\n`;

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  writeFileSync(SCHEMA_PATH, renderSchema());
  writeFileSync(QUEUE_SCHEMA_PATH, renderQueueSchema());
  console.log(`wrote ${SCHEMA_PATH.pathname} and ${QUEUE_SCHEMA_PATH.pathname}`);
}
