/**
 * Protocol-level stand-ins for what cannot run here: the runner's ID-token endpoint
 * (ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN, as @actions/core calls it) and Microsoft Entra ID (its
 * OpenID configuration and the token endpoint it names, over https on 127.0.0.1 with a throwaway
 * certificate that the process under test trusts through NODE_EXTRA_CA_CERTS). The token endpoint
 * checks the client credentials grant with a client assertion or a client secret, as Entra ID's
 * documentation describes it, and issues an access token for the requested scope: for Azure
 * Storage a JWT with Entra's claims (issuer, audience, lifetime; its signature is not real, and
 * Azurite's `--oauth basic` does not check one), for anything else an opaque string.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { startServer } from "./server.js";

const run = promisify(execFile);

export interface EntraStandIn {
  authorityHost: string;
  caFile: string;
  tenant: string;
  clientId: string;
  /** The client secret the token endpoint takes (AZURE_CLIENT_SECRET of an EnvironmentCredential). */
  clientSecret: string;
  /** The certificate's private key (for a server of the same name, e.g. Azurite over https). */
  keyFile: string;
  idTokenUrl: string;
  idTokenRequestToken: string;
  /** Every token request: its form fields. */
  tokenRequests: Record<string, string>[];
  idTokenRequests: { audience?: string; authorization?: string }[];
  accessTokenFor(scope: string): string;
  close(): Promise<void>;
}

export async function startEntraStandIn(dir: string): Promise<EntraStandIn> {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  ]);
  const tenant = "72f988bf-0000-4000-8000-000000000001";
  const clientId = "0f1e2d3c-0000-4000-8000-00000000abcd";
  const idToken = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ iss: "https://token.actions.githubusercontent.com", aud: "api://AzureADTokenExchange", sub: "repo:octo/render:ref:refs/heads/main" })).toString("base64url")}.c2ln`;
  const idTokenRequestToken = "runner-request-token-0123456789";
  const tokenRequests: Record<string, string>[] = [];
  const idTokenRequests: { audience?: string; authorization?: string }[] = [];
  const clientSecret = "stand-in-client-secret-0123456789";
  const accessTokenFor = (scope: string) => {
    if (!scope.startsWith("https://storage.azure.com")) return `entra-access-token-for-${Buffer.from(scope).toString("hex").slice(0, 24)}`;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: "https://storage.azure.com",
      iss: `https://sts.windows.net/${tenant}/`,
      iat: now - 60,
      nbf: now - 60,
      exp: now + 3600,
      appid: clientId,
      oid: "9a3e0000-0000-4000-8000-00000000f00d",
      tid: tenant,
      ver: "1.0",
    };
    return `${Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c3RhbmQtaW4`;
  };

  const ids = await startServer((req, res) => {
    idTokenRequests.push({ audience: req.query.get("audience") ?? undefined, authorization: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${idTokenRequestToken}`) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: idToken }));
  });

  let base = "";
  const entra = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? "/", base);
    const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.method === "GET" && url.pathname === `/${tenant}/v2.0/.well-known/openid-configuration`) {
      return json(200, {
        issuer: `${base}/${tenant}/v2.0`,
        authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
        jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
        end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        tenant_region_scope: "EU",
      });
    }
    if (req.method === "POST" && url.pathname === `/${tenant}/oauth2/v2.0/token`) {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      tokenRequests.push(form);
      const ok =
        form.grant_type === "client_credentials" &&
        form.client_id === clientId &&
        ((form.client_assertion_type === "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" && form.client_assertion === idToken) ||
          form.client_secret === clientSecret) &&
        typeof form.scope === "string";
      if (!ok) return json(400, { error: "invalid_client", error_description: "AADSTS700016: the client assertion is not valid for this application." });
      return json(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: accessTokenFor(form.scope!) });
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => entra.listen(0, "127.0.0.1", resolve));
  base = `https://127.0.0.1:${(entra.address() as AddressInfo).port}`;
  return {
    authorityHost: base,
    caFile: cert,
    tenant,
    clientId,
    clientSecret,
    keyFile: key,
    idTokenUrl: `${ids.url}/_apis/distributedtask/idtoken?api-version=2.0`,
    idTokenRequestToken,
    tokenRequests,
    idTokenRequests,
    accessTokenFor,
    close: async () => {
      await ids.close();
      entra.closeAllConnections();
      await new Promise<void>((resolve) => entra.close(() => resolve()));
    },
  };
}
