/**
 * The app's own storage access, through the `AZBR_STORAGE` connection as the Functions host
 * resolves it: a connection string (Azurite, local development), or identity-based
 * (`AZBR_STORAGE__blobServiceUri` or `__accountName`, `__clientId` for a user-assigned identity).
 * Used to read the spec blob, to make an input's SAS, and to write the dead-letter store.
 * `@azure/storage-blob` and `@azure/identity` load on first use: they are most of a cold start.
 */
import type { TokenCredential } from "@azure/identity";
import type { BlobServiceClient, StorageSharedKeyCredential, UserDelegationKey } from "@azure/storage-blob";
import { UsageError } from "azure-batch-run";
import { InvalidEventError } from "azure-batch-run";
import { accountOf } from "./inputs.js";
import { STORAGE_CONNECTION } from "./settings.js";

type Blob = typeof import("@azure/storage-blob");

/** The `sv` of the SAS the app makes. */
export const SAS_VERSION = "2025-11-05";

export interface StorageAccess {
  /** The text of a blob, read with the app's credential for that account. */
  readText(url: string): Promise<string>;
  /** A read-only SAS URL for a blob: a service SAS with an account key, else a user-delegation SAS with the app's identity. */
  sasUrl(url: string, hours: number): Promise<string>;
  /** Writes a JSON document to a container of the connection's account. */
  writeJson(container: string, name: string, value: unknown): Promise<string>;
  /** The connection's account, as `accountOf` keys it. */
  account(): Promise<string>;
}

interface Connection {
  service: BlobServiceClient;
  key?: StorageSharedKeyCredential;
  token?: TokenCredential;
  accountName: string;
}

/**
 * `appIdentity(clientId?)` gives the app's Entra credential (made on first use, shared with the
 * Batch client), or that of the user-assigned identity an identity-based connection names.
 */
export function createStorageAccess(env: NodeJS.ProcessEnv, appIdentity: (clientId?: string) => Promise<TokenCredential>): StorageAccess {
  let blobModule: Promise<Blob> | undefined;
  const blob = () => (blobModule ??= import("@azure/storage-blob"));

  let connection: Promise<Connection> | undefined;
  const connect = () =>
    (connection ??= (async () => {
      const b = await blob();
      const text = env[STORAGE_CONNECTION];
      if (text) {
        const service = b.BlobServiceClient.fromConnectionString(text);
        const key = service.credential instanceof b.StorageSharedKeyCredential ? service.credential : undefined;
        return { service, key, accountName: service.accountName };
      }
      const uri =
        env[`${STORAGE_CONNECTION}__blobServiceUri`] ??
        (env[`${STORAGE_CONNECTION}__accountName`] ? `https://${env[`${STORAGE_CONNECTION}__accountName`]}.blob.core.windows.net` : undefined);
      if (!uri)
        throw new UsageError(
          `${STORAGE_CONNECTION}: the app setting is missing; set it to a connection string, or ${STORAGE_CONNECTION}__blobServiceUri (or __accountName) for the app's managed identity`,
        );
      const token = await appIdentity(env[`${STORAGE_CONNECTION}__clientId`]);
      const service = new b.BlobServiceClient(uri, token);
      return { service, token, accountName: service.accountName };
    })());

  /** The connection's credential when the URL is on its account, else the app's identity. */
  const clientFor = async (url: string) => {
    const b = await blob();
    const c = await connect();
    const sameAccount = accountOf(url) === accountOf(c.service.url);
    if (sameAccount && c.key) return { client: new b.BlobClient(url, c.key), c, sameAccount };
    return { client: new b.BlobClient(url, sameAccount && c.token ? c.token : await appIdentity(env[`${STORAGE_CONNECTION}__clientId`])), c, sameAccount };
  };

  let delegation: { key: UserDelegationKey; expires: number } | undefined;

  return {
    async readText(url) {
      const { client } = await clientFor(url);
      return (await client.downloadToBuffer()).toString("utf8");
    },
    async sasUrl(url, hours) {
      const b = await blob();
      const { client, c, sameAccount } = await clientFor(url);
      const startsOn = new Date(Date.now() - 5 * 60_000); // clock skew
      const expiresOn = new Date(Date.now() + hours * 3_600_000);
      const protocol = new URL(url).protocol === "https:" ? b.SASProtocol.Https : b.SASProtocol.HttpsAndHttp;
      // A SAS version fixed on purpose (Storage accepts older versions for years): the newest the
      // SDK writes by default is not yet one that every verifier (Azurite among them) knows.
      const fields = {
        containerName: client.containerName,
        blobName: client.name,
        permissions: b.BlobSASPermissions.parse("r"),
        startsOn,
        expiresOn,
        protocol,
        version: SAS_VERSION,
      };
      if (sameAccount && c.key) return `${client.url}?${b.generateBlobSASQueryParameters(fields, c.key).toString()}`;
      // The event's fault, not the app's: dead-lettered, not retried.
      if (!sameAccount)
        throw new InvalidEventError(
          "event.url",
          `${client.url.replace(/\?.*$/, "")} is not in the ${STORAGE_CONNECTION} account (${c.accountName}); the app makes SAS URLs for its own account only (give a URL with its own SAS instead)`,
        );
      if (!delegation || delegation.expires < expiresOn.getTime()) {
        const keyExpires = new Date(Math.min(Date.now() + 7 * 24 * 3_600_000 - 60_000, expiresOn.getTime() + 3_600_000));
        const key = await c.service.getUserDelegationKey(startsOn, keyExpires);
        delegation = { key, expires: keyExpires.getTime() };
      }
      return `${client.url}?${b.generateBlobSASQueryParameters(fields, delegation.key, c.accountName).toString()}`;
    },
    async account() {
      return accountOf((await connect()).service.url);
    },
    async writeJson(container, name, value) {
      const c = await connect();
      const target = c.service.getContainerClient(container);
      await target.createIfNotExists();
      const body = JSON.stringify(value, null, 2);
      await target.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: "application/json" } });
      return `${target.url}/${name}`;
    },
  };
}
