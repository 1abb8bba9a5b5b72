// A stand-in for Azure Storage's List Blobs (and Get Blob) over one container of N generated blobs,
// speaking the documented protocol (EnumerationResults XML, NextMarker paging, maxresults), for the
// scale benchmark's 100,000-blob row: Azurite slows down as it fills (measured here: 20,000 uploads
// take 94 s in memory, the last 5,000 of them 61 s), so holding 100,000 blobs there would take most
// of an hour. The names are made on the fly; nothing is kept.
import { createServer, type Server } from "node:http";

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export interface BlobListStandIn {
  /** The container's URL (path-style, as Azurite's), with a SAS-shaped query. */
  containerUrl: string;
  /** List Blobs pages served. */
  pages: number;
  close(): Promise<void>;
}

/** Serves `count` blobs named `name(i)` (in name order) in container `inputs` of account `devstoreaccount1`. */
export async function startBlobListStandIn(count: number, name: (i: number) => string): Promise<BlobListStandIn> {
  const modified = new Date(Date.UTC(2026, 11, 4)).toUTCString();
  const etag = (i: number) => `0x8DD${i.toString(16).toUpperCase().padStart(12, "0")}`;
  const state = { pages: 0 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [account, container, ...blob] = url.pathname.split("/").filter(Boolean);
    const headers = { "x-ms-request-id": "bench", "x-ms-version": "2025-01-05" };
    if (account !== "devstoreaccount1" || container !== "inputs") {
      res.writeHead(404, { ...headers, "content-type": "application/xml", "x-ms-error-code": "ContainerNotFound" });
      return res.end(
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>ContainerNotFound</Code><Message>The specified container does not exist.</Message></Error>',
      );
    }
    if (blob.length) {
      res.writeHead(200, {
        ...headers,
        "content-type": "application/octet-stream",
        "content-length": "1",
        "x-ms-blob-type": "BlockBlob",
        "last-modified": modified,
      });
      return res.end(req.method === "HEAD" ? undefined : "x");
    }
    if (url.searchParams.get("comp") !== "list") {
      res.writeHead(400, headers);
      return res.end();
    }
    state.pages++;
    const prefix = url.searchParams.get("prefix") ?? "";
    const max = Math.min(5000, Number(url.searchParams.get("maxresults") ?? 5000));
    let i = Number(url.searchParams.get("marker") || 0);
    const items: string[] = [];
    for (; i < count && items.length < max; i++) {
      const n = name(i);
      if (!n.startsWith(prefix)) continue;
      items.push(
        `<Blob><Name>${escapeXml(n)}</Name><Properties><Last-Modified>${modified}</Last-Modified><Etag>${etag(i)}</Etag><Content-Length>1</Content-Length><Content-Type>application/octet-stream</Content-Type><BlobType>BlockBlob</BlobType><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState></Properties></Blob>`,
      );
    }
    const next = i < count ? String(i) : "";
    res.writeHead(200, { ...headers, "content-type": "application/xml" });
    res.end(
      `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1/devstoreaccount1/" ContainerName="inputs"><Prefix>${escapeXml(prefix)}</Prefix><MaxResults>${max}</MaxResults><Blobs>${items.join("")}</Blobs><NextMarker>${next}</NextMarker></EnumerationResults>`,
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    containerUrl: `http://127.0.0.1:${port}/devstoreaccount1/inputs?sv=2025-01-05&sr=c&sp=rl&se=2099-01-01T00%3A00%3A00Z&sig=standin`,
    get pages() {
      return state.pages;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
