/**
 * A stand-in for Azure Container Registry's token exchange, in front of a real private registry
 * (Debian's docker-registry, htpasswd): `POST /oauth2/exchange` (grant_type=access_token, service,
 * tenant, access_token) checks the Entra access token and returns a refresh token; the registry
 * API answers with ACR's `Bearer realm=".../oauth2/token",service=...,scope=...` challenge, and
 * `/oauth2/token` gives an access token for the refresh token, either as ACR documents it (POST,
 * grant_type=refresh_token) or as the Docker token protocol asks (GET, Basic
 * `00000000-0000-0000-0000-000000000000` + refresh token). Requests with that access token are
 * proxied to the registry with its own login. The registry's Location headers name the proxy.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./containers.js";

const run = promisify(execFile);
const TOKEN_USER = "00000000-0000-0000-0000-000000000000";

export interface AcrStandIn {
  host: string;
  exchanges: Record<string, string>[];
  refreshToken: string;
  /** The token requests: how each asked (`POST` form or `GET` query) and for what scope. */
  tokenRequests: { method: string; scope: string }[];
  close(): Promise<void>;
}

export async function startAcrStandIn(acceptAccessToken: string): Promise<AcrStandIn> {
  const dir = mkdtempSync(join(tmpdir(), "azbr-acr-"));
  const [proxyPort, registryPort] = [await freePort(), await freePort()];
  const host = `127.0.0.1:${proxyPort}`;
  const username = "acrreal";
  const password = `real-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, "htpasswd"), (await run("htpasswd", ["-Bbn", username, password])).stdout);
  writeFileSync(
    join(dir, "config.yml"),
    [
      "version: 0.1",
      "log: { level: error }",
      `storage: { filesystem: { rootdirectory: ${join(dir, "data")} } }`,
      `http: { addr: 127.0.0.1:${registryPort}, host: "http://${host}" }`,
      `auth: { htpasswd: { realm: acr, path: ${join(dir, "htpasswd")} } }`,
    ].join("\n"),
  );
  const registry = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: "ignore" });
  const refreshToken = `acr-refresh-${Math.random().toString(36).slice(2)}`;
  const exchanges: Record<string, string>[] = [];
  const realAuth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  const tokenAuth = `Basic ${Buffer.from(`${TOKEN_USER}:${refreshToken}`).toString("base64")}`;
  const accessToken = `acr-access-${Math.random().toString(36).slice(2)}`;
  const tokenRequests: AcrStandIn["tokenRequests"] = [];
  const json = (res: import("node:http").ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const proxy = createServer(async (req: IncomingMessage, res) => {
    if (req.method === "POST" && req.url === "/oauth2/exchange") {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      exchanges.push(form);
      const ok = form.grant_type === "access_token" && form.service === host && form.access_token === acceptAccessToken;
      res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
      return res.end(
        JSON.stringify(ok ? { refresh_token: refreshToken } : { error: "UNAUTHORIZED", error_description: "the access token is not valid for this registry" }),
      );
    }
    const url = new URL(req.url ?? "/", `http://${host}`);
    if (url.pathname === "/oauth2/token") {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = req.method === "POST" ? new URLSearchParams(Buffer.concat(chunks).toString("utf8")) : url.searchParams;
      const scope = form.get("scope") ?? "";
      tokenRequests.push({ method: req.method ?? "", scope });
      const ok =
        form.get("service") === host &&
        (req.method === "POST"
          ? form.get("grant_type") === "refresh_token" && form.get("refresh_token") === refreshToken
          : req.headers.authorization === tokenAuth);
      return ok
        ? json(res, 200, { access_token: accessToken, token: accessToken })
        : json(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] });
    }
    if (req.headers.authorization !== `Bearer ${accessToken}`) {
      const repository = /^\/v2\/(.+)\/(manifests|blobs|tags)\//.exec(url.pathname)?.[1];
      const challenge = `Bearer realm="http://${host}/oauth2/token",service="${host}"${repository ? `,scope="repository:${repository}:pull,push"` : ""}`;
      req.resume();
      return json(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }, { "www-authenticate": challenge });
    }
    const headers = { ...req.headers, host: `127.0.0.1:${registryPort}`, authorization: realAuth };
    const upstream = request({ host: "127.0.0.1", port: registryPort, method: req.method, path: req.url, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(proxyPort, "127.0.0.1", resolve));
  for (let i = 0; ; i++) {
    try {
      await fetch(`http://127.0.0.1:${registryPort}/v2/`);
      break;
    } catch {
      if (i > 100) throw new Error("docker-registry did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    host,
    exchanges,
    refreshToken,
    tokenRequests,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await new Promise<void>((resolve) => {
        if (registry.exitCode !== null) return resolve();
        registry.once("exit", () => resolve());
        registry.kill("SIGTERM");
      });
    },
  };
}
