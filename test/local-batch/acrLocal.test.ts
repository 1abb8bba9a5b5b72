/**
 * `examples/acr.yaml` as written, on the local Batch service with real containers: the pool with
 * its managed identity created through the local service's ARM side, the image pulled from a real
 * private registry (htpasswd) through the identity mapping — the image removed locally first, so
 * the pull is real — the tasks run. Without the mapping, exit 3 naming the registry and identity.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { EXIT, main } from "../../cli/main.js";
import { buildBusyboxImage } from "../../local-batch/images/busyboxImage.js";
import { containersMissing, startRegistry, type Registry } from "../helpers/containers.js";

const run = promisify(execFile);
const EXAMPLE = new URL("../../examples/acr.yaml", import.meta.url).pathname;
const example = parse(readFileSync(EXAMPLE, "utf8"));
const IDENTITY: string = example.pool.identity[0];
const IMAGE: string = example.tasks.defaults.image; // myacr.azurecr.io/render:1.0
const SERVER: string = example.pool.container.registries[0].server;

async function cli(args: string[], env: Record<string, string | undefined>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  // A local account folder of its own for each run, removed afterwards.
  const home = mkdtempSync(join(tmpdir(), "azbr-acr-home-"));
  try {
    const code = await main(args, { stdout, stderr: stderr as unknown as NodeJS.WriteStream, env: { AZBR_LOCAL_DIR: home, ...env } });
    return { code, out, err };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe.skipIf(containersMissing)("examples/acr.yaml on the local Batch service", () => {
  let registry: Registry;
  const work = mkdtempSync(join(tmpdir(), "azbr-acr-"));
  let mapFile: string;

  beforeAll(async () => {
    registry = await startRegistry();
    // The image as ACR would hold it, in the local private registry; then gone from the engine.
    const pushed = `${registry.host}${IMAGE.slice(IMAGE.indexOf("/"))}`;
    const config = join(work, "docker-config");
    const env = { ...process.env, DOCKER_CONFIG: config };
    await buildBusyboxImage(pushed, { workdir: "/app", files: { "/app/render": '#!/bin/sh\necho "rendered frame $2 in $(pwd)"\n' } }, env);
    const login = execFile("docker", ["login", "--username", registry.username, "--password-stdin", registry.host], { env });
    login.stdin!.end(registry.password);
    await new Promise<void>((resolve, reject) => login.once("exit", (c) => (c === 0 ? resolve() : reject(new Error(`docker login ${c}`)))));
    await run("docker", ["push", "--quiet", pushed], { env });
    await run("docker", ["rmi", "--force", pushed], { env });
    await run("docker", ["rmi", "--force", IMAGE], { env }).catch(() => undefined);
    mapFile = join(work, "identities.yaml");
    writeFileSync(
      mapFile,
      `- { identity: ${JSON.stringify(IDENTITY)}, server: ${SERVER}, address: ${JSON.stringify(registry.host)}, username: ${registry.username}, passwordEnv: LOCAL_ACR_PASSWORD }\n`,
    );
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    await run("docker", ["rmi", "--force", IMAGE]).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  test("without an identity mapping the nodes cannot pull: exit 3 naming the registry and the identity", async () => {
    const r = await cli(["run", EXAMPLE, "--local", "--executor", "docker", "--poll-interval", "0.2"], { DOCKER_HOST: process.env.DOCKER_HOST });
    expect(r.code).toBe(EXIT.service);
    expect(r.err).toContain("created pool render-acr through Azure Resource Manager");
    expect(r.err).toMatch(
      new RegExp(
        `batch error: no node of pool render-acr can run tasks: .*unusable \\(ContainerRegistryLoginFailed: the node could not log in to ${SERVER.replace(/\./g, "\\.")} with the managed identity ${IDENTITY.replace(/[./]/g, "\\$&")}`,
      ),
    );
  }, 60_000);

  test("a task's own registry: the node logs in with the task's credentials and pulls what the pool did not", async () => {
    const image = `${registry.host}/azbr/own-registry:1`;
    const env = { ...process.env, DOCKER_CONFIG: join(work, "docker-config") };
    await buildBusyboxImage(image, {}, env);
    await run("docker", ["push", "--quiet", image], { env });
    await run("docker", ["rmi", "--force", image], { env });
    const spec = join(work, "own-registry.yaml");
    writeFileSync(
      spec,
      JSON.stringify({
        pool: {
          id: "own",
          vmSize: "Standard_D2s_v3",
          image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2404" },
          container: { type: "dockerCompatible" },
        },
        job: { id: "own" },
        tasks: {
          list: [
            {
              id: "t",
              image,
              command: "/bin/sh -c 'echo pulled by the task'",
              registry: { server: registry.host, username: registry.username, password: "{{ env.TASK_REG_PASSWORD }}" },
            },
          ],
        },
      }),
    );
    const r = await cli(["run", spec, "--local", "--executor", "docker", "--poll-interval", "0.2"], {
      DOCKER_HOST: process.env.DOCKER_HOST,
      TASK_REG_PASSWORD: registry.password,
    });
    expect({ code: r.code, err: r.err.split("\n").slice(-4) }).toMatchObject({ code: EXIT.ok });
    expect(r.out).toContain("1 succeeded, 0 failed");
    expect(`${r.out}${r.err}`).not.toContain(registry.password);
    await run("docker", ["rmi", "--force", image]).catch(() => undefined);
  }, 60_000);

  test("with it: created through ARM, pulled with the identity, every frame rendered, exit 0", async () => {
    const r = await cli(["run", EXAMPLE, "--local", "--executor", "docker", "--identity-map", mapFile, "--poll-interval", "0.2"], {
      DOCKER_HOST: process.env.DOCKER_HOST,
      LOCAL_ACR_PASSWORD: registry.password,
    });
    expect({ code: r.code, tail: r.err.split("\n").slice(-5) }).toMatchObject({ code: EXIT.ok });
    expect(r.err).toContain("created pool render-acr through Azure Resource Manager (local/local), with 1 managed identity");
    expect(r.out).toContain("100 succeeded, 0 failed");
    expect(`${r.out}${r.err}`).not.toContain(registry.password);
  }, 240_000);
});
