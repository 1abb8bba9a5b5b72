/**
 * Blob created: the blob trigger on `%AZBR_BLOB_PATH%` (e.g. `uploads/{name}`) through the
 * `AZBR_STORAGE` connection; `AZBR_BLOB_SOURCE=EventGrid` for the Event Grid-based blob trigger
 * (low latency, no container scans, for large containers). Registered when AZBR_BLOB_PATH is set.
 */
import { app, type InvocationContext } from "@azure/functions";
import { blobEvent } from "./app/events.js";
import { handle } from "./app/handle.js";
import { STORAGE_CONNECTION } from "./app/settings.js";

export async function batchOnBlob(_content: unknown, context: InvocationContext): Promise<void> {
  const meta = context.triggerMetadata;
  await handle("blob", () => blobEvent(meta), { blobTrigger: meta?.blobTrigger, uri: meta?.uri, properties: meta?.properties }, context);
}

if (process.env.AZBR_BLOB_PATH) {
  app.storageBlob("batchOnBlob", {
    path: "%AZBR_BLOB_PATH%",
    connection: STORAGE_CONNECTION,
    source: process.env.AZBR_BLOB_SOURCE === "EventGrid" ? "EventGrid" : "LogsAndContainerScan",
    handler: batchOnBlob,
  });
}
