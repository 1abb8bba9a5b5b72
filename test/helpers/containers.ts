/**
 * Real components for the container tests: the Docker engine (DOCKER_HOST), a private registry
 * (Debian's docker-registry with htpasswd auth on 127.0.0.1), test images built FROM scratch with
 * busybox-static and pushed there, and Azurite for blob containers.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BlobServiceClient, ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from "@azure/storage-blob";
import { dockerReachable } from "../../local-batch/runtime/executors.js";
import { BUSYBOX, buildBusyboxImage } from "../../local-batch/images/busyboxImage.js";
import { requirement } from "./requirements.js";

const run = promisify(execFile);

const which = (name: string) => ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin"].some((d) => existsSync(join(d, name)));

export const containersMissing =
  requirement("a Docker engine (set DOCKER_HOST, e.g. from scripts/ci/dockerd.sh up DIR)", await dockerReachable()) ??
  requirement("docker-registry and htpasswd (Debian packages docker-registry, apache2-utils)", which("docker-registry") && which("htpasswd")) ??
  requirement("busybox-static (Debian package busybox-static)", Boolean(BUSYBOX));

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
}

export interface Registry {
  host: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

export async function startRegistry(): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), "azbr-registry-"));
  const port = await freePort();
  const username = "batchpull";
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const { stdout } = await run("htpasswd", ["-Bbn", username, password]);
  writeFileSync(join(dir, "htpasswd"), stdout);
  writeFileSync(
    join(dir, "config.yml"),
    [
      "version: 0.1",
      "log: { level: error }",
      `storage: { filesystem: { rootdirectory: ${join(dir, "data")} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port} }`,
      `auth: { htpasswd: { realm: azbr, path: ${join(dir, "htpasswd")} } }`,
    ].join("\n"),
  );
  const child = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: "ignore" });
  await waitForHttp(`http://127.0.0.1:${port}/v2/`);
  return { host: `127.0.0.1:${port}`, username, password, stop: stopper(child) };
}

/** Builds the test images, pushes them with a throwaway login, and removes the local copies. */
export async function pushTestImages(registry: Registry): Promise<{ plain: string; entry: string; missing: string }> {
  const config = mkdtempSync(join(tmpdir(), "azbr-pusher-"));
  const env = { ...process.env, DOCKER_CONFIG: config };
  const plain = `${registry.host}/azbr/plain:1`;
  const entry = `${registry.host}/azbr/entry:1`;
  await buildBusyboxImage(plain, {}, env);
  await buildBusyboxImage(entry, { entrypoint: ["/bin/sh", "-c", "echo entrypoint-ran as $AZ_BATCH_TASK_ID"] }, env);
  const login = spawn("docker", ["login", "--username", registry.username, "--password-stdin", registry.host], { env, stdio: ["pipe", "ignore", "pipe"] });
  login.stdin.end(registry.password);
  await new Promise<void>((resolve, reject) => login.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`docker login failed (${code})`)))));
  for (const image of [plain, entry]) await run("docker", ["push", "--quiet", image], { env });
  await run("docker", ["rmi", "--force", plain, entry], { env });
  return { plain, entry, missing: `${registry.host}/azbr/missing:1` };
}

export interface Azurite {
  blobEndpoint: string;
  /** The connection string an app setting holds (Azurite's well-known development key). */
  connectionString: string;
  /** Uploads a blob (creating its container) and returns its URL (no SAS) and ETag. */
  upload(container: string, name: string, text: string, contentType?: string): Promise<{ url: string; etag: string; size: number }>;
  listBlobs(container: string): Promise<string[]>;
  containerSasUrl(container: string): Promise<string>;
  readBlob(container: string, name: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

const DEV_ACCOUNT = "devstoreaccount1";
// Azurite's documented well-known development key: public, not a secret.
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/**
 * Azurite's blob service. With `https` (a certificate the process trusts) and `oauth`, it also
 * takes Entra bearer tokens (`--oauth basic`: issuer, audience and lifetime checked, not the
 * signature) and gives user delegation keys.
 */
export async function startAzurite(options: { https?: { cert: string; key: string }; oauth?: boolean } = {}): Promise<Azurite> {
  const dir = mkdtempSync(join(tmpdir(), "azbr-azurite-"));
  const port = await freePort();
  const bin = new URL("../../node_modules/.bin/azurite-blob", import.meta.url).pathname;
  const tls = options.https ? ["--cert", options.https.cert, "--key", options.https.key, ...(options.oauth ? ["--oauth", "basic"] : [])] : [];
  const child = spawn(
    bin,
    ["--blobHost", "127.0.0.1", "--blobPort", String(port), "--location", dir, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose", ...tls],
    {
      stdio: "ignore",
    },
  );
  const blobEndpoint = `${options.https ? "https" : "http"}://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  await waitForHttp(blobEndpoint);
  const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);
  const service = new BlobServiceClient(blobEndpoint, credential);
  return {
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=${options.https ? "https" : "http"};AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=${blobEndpoint};`,
    async upload(name, blobName, text, contentType = "text/plain") {
      const container = service.getContainerClient(name);
      await container.createIfNotExists();
      const blob = container.getBlockBlobClient(blobName);
      const r = await blob.upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: contentType } });
      return { url: blob.url, etag: r.etag!, size: Buffer.byteLength(text) };
    },
    async listBlobs(name) {
      const names: string[] = [];
      const container = service.getContainerClient(name);
      if (!(await container.exists())) return names;
      for await (const b of container.listBlobsFlat()) names.push(b.name);
      return names;
    },
    async containerSasUrl(name) {
      const container = service.getContainerClient(name);
      await container.createIfNotExists();
      const sas = generateBlobSASQueryParameters(
        { containerName: name, permissions: ContainerSASPermissions.parse("racwl"), expiresOn: new Date(Date.now() + 3_600_000) },
        credential,
      ).toString();
      return `${container.url}?${sas}`;
    },
    async readBlob(container, name) {
      const blob = service.getContainerClient(container).getBlobClient(name);
      if (!(await blob.exists())) return undefined;
      return (await blob.downloadToBuffer()).toString("utf8");
    },
    // Its data folder goes with it.
    stop: async () => {
      await stopper(child)();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
