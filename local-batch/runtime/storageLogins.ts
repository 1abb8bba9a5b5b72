/**
 * The local stand-in for a node's managed identity with a Storage role: the storage account key an
 * identity is mapped to (`--identity-map` entries `{ identity, storageAccount, keyEnv }`), used to
 * sign a short-lived SAS for exactly the blob or container a resource or output file names, as the
 * node's identity would be let in. An identity the pool lacks, or one with no login for the URL's
 * account, is refused as Batch's node would fail the transfer.
 */
import { LOOPBACK_HOST } from "../../shared/batch/hosts.js";
import { BlobSASPermissions, ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from "@azure/storage-blob";

export interface IdentityStorage {
  /** The user-assigned identity's resource id. */
  identity: string;
  /** The storage account it may read and write. */
  storageAccount: string;
  /** That account's key (Azurite's well-known key, locally). */
  key: string;
}

/** The account, container and blob a URL names (path-style on this machine, as Azurite serves them). */
function partsOf(url: string): { account: string; container: string; blob?: string } {
  const u = new URL(url);
  const segments = u.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const pathStyle = LOOPBACK_HOST.test(u.hostname);
  const account = pathStyle ? (segments.shift() ?? "") : u.hostname.split(".")[0]!;
  const [container = "", ...blob] = segments;
  return { account, container, blob: blob.length ? blob.join("/") : undefined };
}

export class StorageLoginError extends Error {}

/**
 * The URL with a SAS the identity's login signs: read for a blob or a container to list
 * (`write` false), create and write for an output container. Throws `StorageLoginError` when the
 * identity is not the pool's, or has no login for the URL's account.
 */
export function signAsIdentity(
  url: string,
  identity: string,
  pool: { id: string; identities: readonly string[] },
  logins: readonly IdentityStorage[],
  write: boolean,
): string {
  if (!pool.identities.some((i) => i.toLowerCase() === identity.toLowerCase()))
    throw new StorageLoginError(`the managed identity ${identity} is not an identity of pool ${pool.id}; a node acts only as its pool's identities`);
  const { account, container, blob } = partsOf(url);
  const login = logins.find((l) => l.identity.toLowerCase() === identity.toLowerCase() && l.storageAccount.toLowerCase() === account.toLowerCase());
  if (!login)
    throw new StorageLoginError(
      `the node could not reach storage account ${account} with the managed identity ${identity}: the local Batch service has no storage login for that identity and account (an identity map entry { identity, storageAccount, keyEnv })`,
    );
  const credential = new StorageSharedKeyCredential(login.storageAccount, login.key);
  const expiresOn = new Date(Date.now() + 60 * 60_000);
  const sas = blob
    ? generateBlobSASQueryParameters(
        { containerName: container, blobName: blob, permissions: BlobSASPermissions.parse(write ? "rcw" : "r"), expiresOn },
        credential,
      )
    : generateBlobSASQueryParameters({ containerName: container, permissions: ContainerSASPermissions.parse(write ? "rcwl" : "rl"), expiresOn }, credential);
  const u = new URL(url);
  u.search = sas.toString();
  return u.toString();
}
