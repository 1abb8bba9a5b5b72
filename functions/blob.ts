/**
 * Blob created: the blob trigger on `%AZBR_BLOB_PATH%` (e.g. `uploads/{name}`) through the
 * `AZBR_STORAGE` connection, Event Grid-based by default (the only source Flex Consumption
 * supports: low latency, no container scans; it needs the blobs extension's Event Grid
 * subscription); `AZBR_BLOB_SOURCE=LogsAndContainerScan` for the polling source on other plans.
 * Registered when AZBR_BLOB_PATH is set.
 */
import { app, type InvocationContext } from "@azure/functions";
import { blobEvent } from "azure-batch-run";
import { handle } from "./app/handle.js";
import { STORAGE_CONNECTION } from "./app/settings.js";

export async function batchOnBlob(_content: unknown, context: InvocationContext): Promise<void> {
  const meta = context.triggerMetadata;
  await handle(
    "blob",
    () => blobEvent(meta),
    { content: meta?.uri, metadata: { blobTrigger: meta?.blobTrigger, uri: meta?.uri, properties: meta?.properties } },
    context,
  );
}

if (process.env.AZBR_BLOB_PATH) {
  app.storageBlob("batchOnBlob", {
    path: "%AZBR_BLOB_PATH%",
    connection: STORAGE_CONNECTION,
    // Event Grid by default: the only source Flex Consumption supports, and no container scans.
    source: process.env.AZBR_BLOB_SOURCE === "LogsAndContainerScan" ? "LogsAndContainerScan" : "EventGrid",
    handler: batchOnBlob,
  });
}
