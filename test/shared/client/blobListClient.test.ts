/**
 * The core's List Blobs client against Azurite: names as Storage writes them in XML (escaped
 * characters, any Unicode), page after page by Storage's NextMarker, the ETags listed; an error
 * answer is a StorageError with the status and code, never the URL with its SAS.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BlobListClient, StorageError } from "../../../shared/client/blobListClient.js";
import { startAzurite, type Azurite } from "../../helpers/containers.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);
afterAll(() => azurite?.stop());

describe("List Blobs", () => {
  test("every name as uploaded, in name order, across pages; ETags as Storage gives them", async () => {
    const names = ["in/a&b <c> \"d\" 'e'.txt", "in/é ü/ß.txt", "in/plain.txt", "in/x/1.txt", "in/x/2.txt", "in/y.txt", "out/z.txt"];
    const etags = new Map<string, string>();
    for (const n of names) etags.set(n, (await azurite.upload("odd", n, n)).etag);
    const sasUrl = new URL(await azurite.containerSasUrl("odd"));
    const client = new BlobListClient({ container: `${sasUrl.origin}${sasUrl.pathname}`, sas: sasUrl.search });
    try {
      const listed: { name: string; etag: string }[] = [];
      // Two a page: four pages for the seven under in/ ... and the prefix leaves out/ out.
      for await (const b of client.blobs("in/", undefined, 2)) listed.push(b);
      expect(listed.map((b) => b.name)).toEqual(names.filter((n) => n.startsWith("in/")).sort());
      for (const b of listed) expect(`"${b.etag.replace(/^"|"$/g, "")}"`).toBe(`"${etags.get(b.name)!.replace(/^"|"$/g, "")}"`);
    } finally {
      await client.close();
    }
  });

  test("an error answer: its status and Storage's code, and no SAS in the message", async () => {
    const sasUrl = new URL(await azurite.containerSasUrl("odd"));
    const client = new BlobListClient({ container: `${sasUrl.origin}${sasUrl.pathname.replace(/odd$/, "nosuch")}`, sas: sasUrl.search });
    try {
      const error = await (async () => {
        for await (const _ of client.blobs(undefined)) return undefined;
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({
        statusCode: expect.any(Number),
        code: expect.stringMatching(/^(ContainerNotFound|AuthorizationFailure|AuthenticationFailed)$/),
      });
      expect((error as Error).message).not.toContain("sig=");
    } finally {
      await client.close();
    }
  });
});
