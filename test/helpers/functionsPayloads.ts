/**
 * Trigger payloads shaped as the Functions host delivers them to a Node.js worker: the trigger's
 * data and its metadata as RPC typed data (PascalCase keys; the programming model camel-cases them).
 */
import { randomUUID } from "node:crypto";
import { json, str, type Invocation, type InvocationResult } from "./functionsHost.js";

/** A blob as the blob trigger delivers it: the content, and BlobTrigger, Uri, Properties, Metadata and the path's {name}. */
export function blobDelivery(name: string, blob: { url: string; etag: string; size: number }, content: string): Invocation {
  return {
    data: { bytes: Buffer.from(content) },
    triggerMetadata: {
      BlobTrigger: str(`uploads/${name}`),
      Uri: str(blob.url),
      Properties: json({
        LastModified: new Date().toISOString(),
        ContentLength: blob.size,
        ContentType: "text/plain",
        ETag: blob.etag,
        BlobType: "Block",
        LeaseState: "Available",
      }),
      Metadata: json({}),
      name: str(name),
    },
  };
}

/** A `Microsoft.Storage.BlobCreated` event, in the Event Grid schema or the CloudEvents 1.0 schema. */
export function blobCreated(blob: { url: string; etag: string; size: number }, name: string, schema: "EventGrid" | "CloudEvents", id = randomUUID()) {
  const data = {
    api: "PutBlob",
    clientRequestId: randomUUID(),
    requestId: randomUUID(),
    eTag: blob.etag.replace(/"/g, ""),
    contentType: "text/plain",
    contentLength: blob.size,
    blobType: "BlockBlob",
    url: blob.url,
    sequencer: "00000000000000000000000000005F3D0000000000001234",
    storageDiagnostics: { batchId: randomUUID() },
  };
  const source = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/devstoreaccount1";
  const subject = `/blobServices/default/containers/uploads/blobs/${name}`;
  const event =
    schema === "EventGrid"
      ? {
          topic: source,
          subject,
          eventType: "Microsoft.Storage.BlobCreated",
          eventTime: new Date().toISOString(),
          id,
          data,
          dataVersion: "",
          metadataVersion: "1",
        }
      : {
          specversion: "1.0",
          type: "Microsoft.Storage.BlobCreated",
          source,
          subject,
          id,
          time: new Date().toISOString(),
          data,
          datacontenttype: "application/json",
        };
  return { data: json(event) };
}

/** A queue message as the queue trigger delivers it: the body (decoded), DequeueCount, Id, times, PopReceipt. */
export function queueDelivery(body: string, dequeueCount = 1): Invocation {
  const now = new Date();
  return {
    data: { string: body },
    triggerMetadata: {
      QueueTrigger: str(body),
      DequeueCount: { int: dequeueCount },
      Id: str(randomUUID()),
      InsertionTime: str(now.toISOString()),
      ExpirationTime: str(new Date(now.getTime() + 7 * 86_400_000).toISOString()),
      NextVisibleTime: str(new Date(now.getTime() + 30_000).toISOString()),
      PopReceipt: str("AgAAAAMAAAAAAAAA"),
    },
  };
}

/** The timer's payload: Schedule, ScheduleStatus, IsPastDue (the programming model camel-cases it). */
export function timerDelivery(isPastDue: boolean): Invocation {
  return {
    data: json({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: { Last: "2025-01-01T00:00:00+00:00", Next: "2027-01-01T00:00:00+00:00", LastUpdated: "2026-01-01T00:00:05+00:00" },
      IsPastDue: isPastDue,
    }),
  };
}

/** `task:status` of each task an invocation submitted, from its structured log lines. */
export const submitted = (r: InvocationResult) =>
  r.logs.filter((l) => / status=/.test(l.message)).map((l) => /task=(\S+) status=(\S+)/.exec(l.message)!.slice(1).join(":"));
