/**
 * The Action's build plan as pure functions: the buildx command (which this machine cannot run:
 * no buildx among Debian 12's packages, and its releases are out of reach), the choice between
 * buildx and `docker build`, and the summary's portal links. The `docker build` path itself runs
 * for real in action.test.ts.
 */
import { describe, expect, test } from "vitest";
import { buildCommand, buildPath, plannedImage, type BuildInputs } from "../../action/build.js";
import { portalLinks } from "../../action/summary.js";

const inputs = (over: Partial<BuildInputs> = {}): BuildInputs => ({
  context: "app",
  dockerfile: "Dockerfile",
  buildArgs: ["MODE=fast"],
  labels: [],
  registry: "myacr.azurecr.io",
  tags: ["v1", "latest"],
  rebuild: true,
  platforms: [],
  cacheFrom: [],
  cacheTo: [],
  ...over,
});
const context = { sha: "abc123", repository: "octo/render", serverUrl: "https://github.com", created: "2026-12-01T00:00:00.000Z" };

describe("the build command", () => {
  test("buildx: pushes every platform, with the registry cache beside the image and a metadata file for the digest", () => {
    const b = inputs({ platforms: ["linux/amd64", "linux/arm64"], target: "run" });
    const args = buildCommand(b, plannedImage(b, context), context, { metadataFile: "/tmp/meta.json" });
    expect(args).toEqual([
      "buildx",
      "build",
      "--file",
      "app/Dockerfile",
      "--target",
      "run",
      "--build-arg",
      "MODE=fast",
      "--label",
      "org.opencontainers.image.source=https://github.com/octo/render",
      "--label",
      "org.opencontainers.image.revision=abc123",
      "--label",
      "org.opencontainers.image.created=2026-12-01T00:00:00.000Z",
      "--tag",
      "myacr.azurecr.io/render:v1",
      "--tag",
      "myacr.azurecr.io/render:latest",
      "--platform",
      "linux/amd64,linux/arm64",
      "--cache-from",
      "type=registry,ref=myacr.azurecr.io/render:buildcache",
      "--cache-to",
      "type=registry,ref=myacr.azurecr.io/render:buildcache,mode=max",
      "--push",
      "--metadata-file",
      "/tmp/meta.json",
      "app",
    ]);
  });

  test("buildx: cache-from and cache-to replace the default; none turns it off", () => {
    const custom = inputs({ cacheFrom: ["type=gha"], cacheTo: ["type=gha,mode=max"] });
    const args = buildCommand(custom, plannedImage(custom, context), context, { metadataFile: "m" });
    expect(args.filter((_, i) => args[i - 1] === "--cache-from" || args[i - 1] === "--cache-to")).toEqual(["type=gha", "type=gha,mode=max"]);
    const none = inputs({ cacheFrom: ["none"], cacheTo: ["none"] });
    expect(buildCommand(none, plannedImage(none, context), context, { metadataFile: "m" }).some((a) => a.startsWith("--cache"))).toBe(false);
  });

  test("docker build: no push, no cache, no metadata; one platform passes through", () => {
    const b = inputs({ platforms: ["linux/amd64"], cacheTo: ["type=registry,ref=x"] });
    const args = buildCommand(b, plannedImage(b, context), context);
    expect(args[0]).toBe("build");
    expect(args).toContain("linux/amd64");
    expect(args.filter((a) => a === "--push" || a.startsWith("--cache") || a === "--metadata-file")).toEqual([]);
  });

  test("buildx is used only with a builder that can push a cache and several platforms", () => {
    expect(buildPath(inputs({ platforms: ["linux/amd64", "linux/arm64"] }), "docker-container")).toBe("buildx");
    expect(buildPath(inputs(), "docker-container")).toBe("buildx");
    expect(buildPath(inputs(), "docker")).toBe("docker");
    expect(buildPath(inputs({ platforms: ["linux/arm64"] }), undefined)).toBe("docker");
    expect(() => buildPath(inputs({ platforms: ["linux/amd64", "linux/arm64"] }), "docker")).toThrow(
      /input platforms: .*the docker driver.*docker\/setup-buildx-action/,
    );
    expect(() => buildPath(inputs({ platforms: ["linux/amd64", "linux/arm64"] }), undefined)).toThrow(/this runner has no buildx/);
  });

  test("the image's name is checked from the inputs alone", () => {
    expect(plannedImage(inputs({ tags: [] }), context).name).toBe("myacr.azurecr.io/render:abc123");
    expect(plannedImage(inputs({ repository: "Team/Render" }), context).name).toBe("myacr.azurecr.io/team/render:v1");
    expect(() => plannedImage(inputs({ registry: undefined }), context)).toThrow(/input registry is required/);
    expect(() => plannedImage(inputs({ repository: "a b" }), context)).toThrow(/input repository: "a b"/);
    expect(() => plannedImage(inputs({ tags: ["v1", "no:colon"] }), context)).toThrow(/input tags: "no:colon"/);
    expect(() => plannedImage(inputs({ platforms: ["amd64"] }), context)).toThrow(/input platforms: "amd64" is not os\/arch/);
  });
});

describe("portal links", () => {
  const account = { subscription: "00000000-1111-2222-3333-444444444444", resourceGroup: "batch-rg", name: "myaccount" };
  const id = `/subscriptions/${account.subscription}/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/myaccount`;
  const result = (poolArmPath?: string) => ({ poolId: "render pool", created: { pool: true, job: true, ...(poolArmPath ? { poolArmPath } : {}) } });

  test("from the spec's account coordinates, on the account URL's cloud", () => {
    const links = portalLinks(new URL("https://myaccount.westeurope.batch.azure.com"), { spec: { account } } as never, result(), "contoso.onmicrosoft.com");
    expect(links).toEqual({
      account: `https://portal.azure.com/#@contoso.onmicrosoft.com/resource${id}/overview`,
      pool: `https://portal.azure.com/#@contoso.onmicrosoft.com/resource${id}/pools/render%20pool`,
      job: `https://portal.azure.com/#@contoso.onmicrosoft.com/resource${id}/overview`,
    });
    expect(portalLinks(new URL("https://myaccount.usgovvirginia.batch.usgovcloudapi.net"), { spec: { account } } as never, result())?.account).toBe(
      `https://portal.azure.us/#@/resource${id}/overview`,
    );
  });

  test("from the pool this run created through ARM; none without coordinates or off Azure", () => {
    expect(portalLinks(new URL("https://myaccount.westeurope.batch.azure.com"), { spec: {} } as never, result(`${id}/pools/render%20pool`))?.account).toBe(
      `https://portal.azure.com/#@/resource${id}/overview`,
    );
    expect(portalLinks(new URL("https://myaccount.westeurope.batch.azure.com"), { spec: {} } as never, result())).toBeUndefined();
    expect(portalLinks(new URL("http://127.0.0.1:8080"), { spec: { account } } as never, result())).toBeUndefined();
  });
});
