/**
 * The images tests and examples run, built FROM scratch with Debian's busybox-static: what the
 * options ask for (ENTRYPOINT in exec form, WORKDIR, extra files) is what the engine records and
 * what a container of the image does.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, describe, expect, test } from "vitest";
import { buildBusyboxImage } from "../../../local-batch/images/busyboxImage.js";
import { containersMissing } from "../../helpers/containers.js";

const run = promisify(execFile);

describe.skipIf(containersMissing)("busybox images", () => {
  const tag = `azbr-busybox-test:${randomUUID().slice(0, 8)}`;
  afterAll(async () => {
    await run("docker", ["image", "rm", "--force", tag]).catch(() => undefined);
  });

  test("ENTRYPOINT, WORKDIR and files are in the image, and a container runs them", async () => {
    await buildBusyboxImage(tag, {
      entrypoint: ["/bin/sh", "/opt/hello.sh"],
      workdir: "/work/dir",
      files: { "/opt/hello.sh": 'echo "hello from $(pwd) with $*"\n' },
    });
    const { stdout: config } = await run("docker", ["image", "inspect", "--format", "{{json .Config}}", tag]);
    const c = JSON.parse(config) as { Entrypoint: string[]; WorkingDir: string };
    expect(c.Entrypoint).toEqual(["/bin/sh", "/opt/hello.sh"]);
    expect(c.WorkingDir).toBe("/work/dir");
    const { stdout } = await run("docker", ["run", "--rm", "--network", "none", tag, "a", "b"]);
    expect(stdout.trim()).toBe("hello from /work/dir with a b");
  });
});
