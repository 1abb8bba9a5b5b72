/**
 * Azure Storage's List Blobs, through the core's own pipeline (User-Agent, client request id,
 * retries with the service's Retry-After, a token for Storage's scope or the container URL's SAS,
 * redaction): what `forEach: { blobs }` lists. Each page (up to 5,000 blobs) is read as text and
 * only each blob's name and ETag are taken from it, so that listing 100,000 blobs makes little
 * garbage: the SDK's listing built ~10 MB of objects per page, and took such a listing past 350 MB.
 */
import type { TokenCredential } from "@azure/identity";
import { Redactor } from "../redact.js";
import { buildPipeline } from "./buildPipeline.js";
import type { PipelineResponse, RequestHooks } from "./pipeline.js";
import type { RetryOptions } from "./policies/retryPolicy.js";
import { ServiceClient, type BaseCallOptions, type ServiceDialect } from "./serviceClient.js";
import { createUndiciTransport } from "./transport.js";

/** The Storage service version the listing speaks. */
export const STORAGE_VERSION = "2025-01-05";
/** Entra ID's scope for Azure Storage. */
export const STORAGE_SCOPE = "https://storage.azure.com/.default";

/** An error answer of Azure Storage: its status and code, never the URL (it may carry a SAS). */
export class StorageError extends Error {
  override readonly name = "StorageError";
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const unescapeXml = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, e: string) =>
    e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e.toLowerCase()]!,
  );
const tag = (xml: string, name: string) => new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>|<${name}\\s*/>`).exec(xml);

const STORAGE_DIALECT: ServiceDialect = {
  contentType: "application/xml",
  requestIdHeader: "x-ms-request-id",
  nextLinkProperty: "",
  redirectNote: "Azure Storage answers List Blobs itself",
  failure: (response: PipelineResponse, { method }) => {
    const code = tag(response.bodyText, "Code")?.[1] ?? response.headers["x-ms-error-code"] ?? "";
    return new StorageError(response.status, code, `${method} List Blobs: HTTP ${response.status}${code ? ` ${code}` : ""}`);
  },
};

export interface BlobListClientOptions {
  /** The container URL without a query. */
  container: string;
  /** Its SAS (`?sv=…&sig=…`), sent with every page; or "" with a credential. */
  sas: string;
  /** A token for Storage, when there is no SAS. */
  credential?: TokenCredential;
  retry?: RetryOptions;
  hooks?: RequestHooks;
  timeoutMs?: number;
}

export class BlobListClient extends ServiceClient<BaseCallOptions & { query?: Record<string, string> }> {
  private readonly container: URL;
  private readonly sas: URLSearchParams;
  private readonly close_: () => Promise<void>;

  constructor(options: BlobListClientOptions) {
    const container = new URL(options.container);
    const redactor = new Redactor();
    const timeoutMs = options.timeoutMs ?? 60_000;
    const undici = createUndiciTransport({ connections: 1, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs });
    const pipeline = buildPipeline(
      {
        dialect: "arm",
        auth: options.credential && !options.sas ? { kind: "bearer", credential: options.credential, scope: STORAGE_SCOPE } : { kind: "none" },
        retry: { maxRetryTimeMs: 2 * 60_000, ...options.retry },
        redactor,
      },
      undici.send,
    );
    super(new URL(container.origin), STORAGE_DIALECT, pipeline, timeoutMs, redactor, options.hooks);
    this.container = container;
    this.sas = new URLSearchParams(options.sas);
    this.close_ = () => undici.close();
  }

  protected urlOf(_path: string, options: { query?: Record<string, string> }): URL {
    const url = new URL(this.container.href);
    for (const [k, v] of this.sas) url.searchParams.set(k, v);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    return url;
  }

  /** Every blob's name and ETag under `prefix`, page by page (5,000 a page, Storage's most), in name order. */
  async *blobs(prefix: string | undefined, signal?: AbortSignal, pageSize = 5000): AsyncGenerator<{ name: string; etag: string }> {
    let marker = "";
    const seen = new Set<string>();
    do {
      const query: Record<string, string> = { restype: "container", comp: "list", maxresults: String(pageSize) };
      if (prefix) query.prefix = prefix;
      if (marker) query.marker = marker;
      const page = (await this.send("GET", "", { query, signal, headers: { "x-ms-version": STORAGE_VERSION, accept: "application/xml" } })).bodyText;
      const blobs = tag(page, "Blobs")?.[1] ?? "";
      for (const m of blobs.matchAll(/<Blob>([\s\S]*?)<\/Blob>/g)) {
        const item = m[1]!;
        const name = /<Name(\s+Encoded="true")?\s*>([\s\S]*?)<\/Name>/.exec(item);
        if (!name) continue;
        // A name with characters XML cannot carry comes percent-encoded.
        const text = unescapeXml(name[2]!);
        yield { name: name[1] ? decodeURIComponent(text) : text, etag: unescapeXml(tag(item, "Etag")?.[1] ?? "") };
      }
      marker = unescapeXml(tag(page, "NextMarker")?.[1] ?? "");
      if (marker && seen.has(marker)) throw new StorageError(200, "RepeatedMarker", "List Blobs gave the same next marker twice; the listing would never end");
      seen.add(marker);
    } while (marker);
  }

  async close(): Promise<void> {
    await this.close_();
  }
}
