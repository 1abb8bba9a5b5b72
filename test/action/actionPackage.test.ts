/**
 * The Action deploys an application package and runs tasks that use it, in one step (the bundled
 * Action, the runner emulated, mode local): the folder zipped and deployed as the commit's version,
 * made the default; a task runs its script by the default's variable, another by the version's.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runStep } from "../helpers/actionRunner.js";
import { requirement } from "../helpers/requirements.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const work = mkdtempSync(join(tmpdir(), "azbr-action-package-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const shellMissing = requirement("a POSIX shell at /bin/sh", process.platform !== "win32");

function workspace(): string {
  const dir = mkdtempSync(join(work, "ws-"));
  mkdirSync(join(dir, "tools", "bin"), { recursive: true });
  writeFileSync(join(dir, "tools", "bin", "render.sh"), '#!/bin/sh\necho "render tool rendering $1"\n');
  chmodSync(join(dir, "tools", "bin", "render.sh"), 0o755);
  writeFileSync(
    join(dir, "spec.json"),
    JSON.stringify({
      pool: {
        id: "with-tools",
        vmSize: "Standard_D2s_v3",
        image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
        applicationPackages: [{ id: "render-tools" }],
      },
      job: { id: "tools-{{ github.run_id }}" },
      tasks: {
        list: [
          { id: "by-default", command: "/bin/sh -c '$AZ_BATCH_APP_PACKAGE_render_tools/bin/render.sh frame-1'" },
          {
            id: "by-version",
            command: `/bin/sh -c '$AZ_BATCH_APP_PACKAGE_render_tools_{{ github.sha }}/bin/render.sh frame-2'`,
            applicationPackages: [{ id: "render-tools", version: "{{ github.sha }}" }],
          },
        ],
      },
    }),
  );
  return dir;
}

describe.skipIf(shellMissing)("the Action's package inputs", () => {
  test("deploys the folder as the commit's version, then runs tasks that use it, in one step", async () => {
    const dir = workspace();
    const step = await runStep(dir, {
      spec: "spec.json",
      mode: "local",
      "package-id": "render-tools",
      "package-path": "tools",
      follow: "by-default,by-version",
    });
    expect(step.stdout).toContain(`deployed application package render-tools ${SHA}`);
    expect(step.stdout).toContain(`application render-tools's default version is now ${SHA}`);
    expect(step.stdout).toContain("[by-default] render tool rendering frame-1");
    expect(step.stdout).toContain("[by-version] render tool rendering frame-2");
    expect(step.outputs["package-version"]).toBe(SHA);
    expect(step.outputs["tasks-succeeded"]).toBe("2");
    expect(step.code).toBe(0);
  }, 120_000);

  test("package inputs that do not go together: invalid input, nothing deployed or run", async () => {
    const dir = workspace();
    const stray = await runStep(dir, { spec: "spec.json", mode: "local", "package-path": "tools" });
    expect(stray.stdout).toContain("::error::invalid input: input package-path needs package-id: the application the package is a version of");
    expect(stray.code).toBe(1);
    const noPath = await runStep(dir, { spec: "spec.json", mode: "local", "package-id": "render-tools" });
    expect(noPath.stdout).toContain("::error::invalid input: input package-path is required with package-id: a zip file, or a folder to zip");
    const badId = await runStep(dir, { spec: "spec.json", mode: "local", "package-id": "render tools", "package-path": "tools" });
    expect(badId.stdout).toContain('::error::invalid input: application id "render tools": must be 1 to 64 letters, digits, _ and -');
    for (const s of [stray, noPath, badId]) expect(s.stdout).not.toContain("created pool");
  }, 60_000);
});
