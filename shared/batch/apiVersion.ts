/**
 * The data plane's api-versions this project speaks, and the wire differences between them that
 * touch what it sends and reads. `2025-06-01` is the default: "API versions prior to 2025-06-01"
 * are on Batch's retirement list (Azure/Batch#140, 2026-05-15). `2024-07-01.20.0` stays selectable
 * (`account.apiVersion`, `--api-version`) for accounts and tools that still need it.
 */

export const API_VERSIONS = ["2025-06-01", "2024-07-01.20.0"] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** The api-version every call uses unless the spec or the caller chooses another. */
export const API_VERSION: ApiVersion = "2025-06-01";

export function isApiVersion(value: unknown): value is ApiVersion {
  return typeof value === "string" && (API_VERSIONS as readonly string[]).includes(value);
}

/** 2024-07-01.20.0 spells the server-side timeout `timeout`; 2025-06-01 spells it `timeOut`. */
export function timeoutParameter(version: ApiVersion): "timeout" | "timeOut" {
  return version === "2024-07-01.20.0" ? "timeout" : "timeOut";
}

/**
 * Request-body properties that 2025-06-01 no longer has (certificates, node communication mode,
 * resource tags), with where they went: a body carrying one is refused under that version.
 */
export const REMOVED_IN_2025: Readonly<Record<string, string>> = {
  certificateReferences: "certificates are gone from api-version 2025-06-01: use the Azure Key Vault VM extension",
  targetNodeCommunicationMode: "simplified node communication is the only mode in api-version 2025-06-01",
  resourceTags: "resource tags of a pool are set through Azure Resource Manager from api-version 2025-06-01",
};

/**
 * An int64 as either version sends it: 2024-07-01.20.0 writes a JSON number, 2025-06-01 a JSON
 * string (a file's `contentLength`, statistics counters). Undefined when it is neither.
 */
export function readInt64(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^-?\d{1,16}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** How a version writes an int64 in a response body. */
export function writeInt64(version: ApiVersion, value: number): number | string {
  return version === "2024-07-01.20.0" ? value : String(value);
}
