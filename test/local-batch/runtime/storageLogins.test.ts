/**
 * Resource and output files with a pool identity, end to end on the local service and Azurite:
 * `--identity-map` gives the identity a storage login, and a task reads its input and writes its
 * output by URLs that carry no SAS, as a node would with its managed identity. An identity the map
 * does not give that account fails the transfer with the reason, as Batch fails it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { EXIT } from "../../../cli/main.js";
import { runCli } from "../../helpers/cli.js";
import { startAzurite } from "../../helpers/containers.js";
import { signAsIdentity, StorageLoginError } from "../../../local-batch/runtime/storageLogins.js";

const work = mkdtempSync(join(tmpdir(), "azbr-identity-storage-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const SUB = "11111111-2222-3333-4444-555555555555";
const ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/render-id`;
const OTHER = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other-id`;
// Azurite's documented well-known development key: public, not a secret.
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

describe("files with a pool identity on the local service", () => {
  test("a task reads its input and writes its output as the pool's identity; without a login for it, the transfer fails with the reason", async () => {
    const azurite = await startAzurite();
    try {
      const input = await azurite.upload("inputs", "scene.txt", "three\nlines\nhere\n");
      await azurite.upload("results", "placeholder", "");
      const spec = (identity: string) => ({
        account: { subscription: SUB },
        pool: {
          id: "with-identity",
          vmSize: "Standard_D2s_v3",
          image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
          identity: [ID, OTHER],
        },
        job: { id: `files-${identity === ID ? "ok" : "refused"}` },
        tasks: {
          list: [
            {
              id: "count",
              command: "/bin/sh -c 'wc -l < scene.txt > count.txt'",
              resources: [{ url: input.url, path: "scene.txt", identity }],
              outputs: [{ pattern: "count.txt", container: `${azurite.blobEndpoint}/results`, path: "counts/scene.txt", identity, when: "taskSuccess" }],
            },
          ],
        },
      });
      const map = join(work, "identity-map.yaml");
      writeFileSync(map, `- identity: ${ID}\n  storageAccount: devstoreaccount1\n  keyEnv: AZURITE_KEY\n`);
      const file = join(work, "ok.json");
      writeFileSync(file, JSON.stringify(spec(ID)));
      const ok = await runCli(["run", file, "--local", "--executor", "process", "--identity-map", map, "--poll-interval", "0.2"], { AZURITE_KEY: DEV_KEY });
      expect({ code: ok.code, stderr: ok.stderr.includes("error") ? ok.stderr : "" }).toEqual({ code: EXIT.ok, stderr: "" });
      expect((await azurite.readBlob("results", "counts/scene.txt"))?.trim()).toBe("3");
      // The key never shows.
      expect(ok.stdout + ok.stderr).not.toContain(DEV_KEY);

      // The other identity is the pool's, but the map gives it no login for the account.
      const refusedFile = join(work, "refused.json");
      writeFileSync(refusedFile, JSON.stringify(spec(OTHER)));
      const refused = await runCli(["run", refusedFile, "--local", "--executor", "process", "--identity-map", map, "--poll-interval", "0.2"], {
        AZURITE_KEY: DEV_KEY,
      });
      expect(refused.code).toBe(EXIT.taskFailed);
      expect(refused.stdout + refused.stderr).toContain(
        `BlobDownloadMiscError: download of ${input.url} failed: the node could not reach storage account devstoreaccount1 with the managed identity ${OTHER}`,
      );
    } finally {
      await azurite.stop();
    }
  }, 120_000);

  test("a node acts only as its pool's identities, and only where the map lets it", () => {
    const pool = { id: "p", identities: [ID] };
    const logins = [{ identity: ID, storageAccount: "acct", key: DEV_KEY }];
    const signed = new URL(signAsIdentity("https://acct.blob.core.windows.net/c/b.txt", ID, pool, logins, false));
    expect(signed.searchParams.get("sp")).toBe("r");
    expect(signed.searchParams.get("sr")).toBe("b");
    expect(new URL(signAsIdentity("https://acct.blob.core.windows.net/c", ID, pool, logins, true)).searchParams.get("sp")).toBe("rcwl");
    expect(() => signAsIdentity("https://acct.blob.core.windows.net/c/b.txt", OTHER, pool, logins, false)).toThrow(StorageLoginError);
    expect(() => signAsIdentity("https://other.blob.core.windows.net/c/b.txt", ID, pool, logins, false)).toThrow(
      "no storage login for that identity and account",
    );
  });
});
