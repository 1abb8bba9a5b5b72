/**
 * Event Grid: `Microsoft.Storage.BlobCreated` from a storage account's system topic, in the Event
 * Grid schema or the CloudEvents 1.0 schema (whichever the subscription delivers); other event
 * types are ignored. Always registered (it needs no setting: the subscription points at it).
 */
import { app, type InvocationContext } from "@azure/functions";
import { eventGridEvent } from "azure-batch-run";
import { handle } from "./app/handle.js";

export async function batchOnEventGrid(event: unknown, context: InvocationContext): Promise<void> {
  await handle(
    "eventGrid",
    () => eventGridEvent(event),
    {
      content: event,
      metadata: {
        id: (event as { id?: unknown } | null)?.id,
        type: (event as { eventType?: unknown; type?: unknown } | null)?.eventType ?? (event as { type?: unknown } | null)?.type,
      },
    },
    context,
  );
}

app.eventGrid("batchOnEventGrid", { handler: batchOnEventGrid as never });
