/**
 * `package deploy` on the local account: a folder zipped and deployed (the application created,
 * made the default), the same content again left as it is, a run whose host task runs a script of
 * the package by its variable; other content for the active version refused (exit 2) unless
 * `--replace`; bad arguments refused before anything is asked.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { EXIT } from "../../cli/main.js";
import { runCli } from "../helpers/cli.js";
import { requirement } from "../helpers/requirements.js";

const work = mkdtempSync(join(tmpdir(), "azbr-package-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const shellMissing = requirement("a POSIX shell at /bin/sh", process.platform !== "win32");

describe.skipIf(shellMissing)("package deploy", () => {
  test("deploys a folder, leaves the same content alone, and a run's task uses it by its variable", async () => {
    const env = { AZBR_LOCAL_DIR: join(work, "home") };
    const folder = join(work, "greeter");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "greet.sh"), '#!/bin/sh\necho "hello from greeter 2.1, $1"\n');
    chmodSync(join(folder, "greet.sh"), 0o755);

    const first = await runCli(["package", "deploy", "greeter", "2.1", folder, "--local", "--default"], env);
    expect(first.stderr).toContain("created application greeter in local/local");
    expect(first.stdout).toMatch(/^deployed greeter 2\.1 \(\d+ bytes, MD5 \S+\); default version 2\.1\n$/);
    expect(first.code).toBe(EXIT.ok);

    const again = await runCli(["package", "deploy", "greeter", "2.1", folder, "--local", "--default"], env);
    expect(again.stdout).toMatch(/^unchanged greeter 2\.1 /);
    expect(again.stderr).toContain("application package greeter 2.1 is active with the same content: left as it is");

    const spec = join(work, "greet.json");
    writeFileSync(
      spec,
      JSON.stringify({
        pool: { id: "greet", vmSize: "Standard_D2s_v3", image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2404" }, nodes: { dedicated: 1 } },
        job: { id: "greet" },
        tasks: {
          list: [
            { id: "hello", command: "/bin/sh -c '$AZ_BATCH_APP_PACKAGE_greeter_2_1/greet.sh world'", applicationPackages: [{ id: "greeter", version: "2.1" }] },
          ],
        },
      }),
    );
    const run = await runCli(["run", spec, "--local", "--executor", "process", "--poll-interval", "0.2"], env);
    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(EXIT.ok);
    const logs = await runCli(["logs", "greet", "hello", "--local", "--file", "stdout.txt"], env);
    expect(logs.stdout).toBe("hello from greeter 2.1, world\n");

    writeFileSync(join(folder, "greet.sh"), '#!/bin/sh\necho "changed"\n');
    const conflict = await runCli(["package", "deploy", "greeter", "2.1", folder, "--local"], env);
    expect(conflict.code).toBe(EXIT.invalid);
    expect(conflict.stderr).toMatch(/^error: application greeter version 2\.1 is active with other content/m);
    const replaced = await runCli(["package", "deploy", "greeter", "2.1", folder, "--local", "--replace"], env);
    expect(replaced.stdout).toMatch(/^replaced greeter 2\.1 /);
    expect(replaced.code).toBe(EXIT.ok);
  }, 120_000);

  test("bad arguments: exit 2, with what would be valid", async () => {
    const cases: [string[], string][] = [
      [["package", "deploy", "greeter", "1.0"], "usage: package deploy <application-id> <version> <zip|folder>"],
      [["package", "upload", "greeter", "1.0", "x.zip"], "usage: package deploy"],
      [["package", "deploy", "bad id", "1.0", work, "--local"], 'application id "bad id": must be 1 to 64 letters, digits, _ and -'],
      [["package", "deploy", "greeter", ".1", work, "--local"], 'package version ".1": must be 1 to 64 letters, digits, _, - and ., not starting with a dot'],
      [
        ["package", "deploy", "greeter", "1.0", join(work, "nothing-here"), "--local"],
        "nothing-here: no such file or folder; give a zip file or a folder to zip",
      ],
      [["package", "deploy", "greeter", "1.0", work, "--local", "--resource-group", "rg"], "--resource-group and --account-name go together"],
      [["package", "deploy", "greeter", "1.0", work, "--local", "--cleanup", "job"], "--cleanup does not apply to package"],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect({ args, code: r.code, hasMessage: r.stderr.includes(message), stderr: r.stderr }).toMatchObject({ args, code: EXIT.invalid, hasMessage: true });
    }
  }, 60_000);
});
