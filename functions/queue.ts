/**
 * A storage queue (`%AZBR_QUEUE%`, connection `AZBR_STORAGE`): a JSON message
 * `{ "id"?, "vars"?, "inputs"? }` (schema/queue-message.schema.json), or plain text, one input URL.
 * A failed submit is thrown, so that the host retries it (host.json: maxDequeueCount) and then
 * moves it to `<queue>-poison`; an invalid message is dead-lettered at once. Registered when
 * AZBR_QUEUE is set.
 */
import { app, type InvocationContext } from "@azure/functions";
import { queueEvent } from "azure-batch-run";
import { handle } from "./app/handle.js";
import { STORAGE_CONNECTION } from "./app/settings.js";

export async function batchOnQueue(message: unknown, context: InvocationContext): Promise<void> {
  const meta = context.triggerMetadata;
  await handle(
    "queue",
    () => queueEvent(message, meta),
    { content: message, metadata: { id: meta?.id, dequeueCount: meta?.dequeueCount, insertionTime: meta?.insertionTime } },
    context,
  );
}

if (process.env.AZBR_QUEUE) {
  app.storageQueue("batchOnQueue", { queueName: "%AZBR_QUEUE%", connection: STORAGE_CONNECTION, handler: batchOnQueue });
}
