/**
 * The example workflows (examples/workflows/): each is valid YAML, uses the Action with inputs
 * action.yml has, and the pull-request dry run (`mode: local`) runs as written on a runner-like
 * environment: its own `with:` inputs, the repository as the working directory, Docker when present.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { buildBusyboxImage } from "../../local-batch/images/busyboxImage.js";
import { dockerReachable } from "../../local-batch/runtime/executors.js";
import { action, runStep } from "../helpers/actionRunner.js";
import { startAzurite } from "../helpers/containers.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const DIR = join(ROOT, "examples/workflows");
const work = mkdtempSync(join(tmpdir(), "azbr-workflows-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>;
}

const workflows = readdirSync(DIR)
  .filter((f) => f.endsWith(".yml"))
  .map((f) => [f, parse(readFileSync(join(DIR, f), "utf8")) as Workflow] as const);
const ourStep = (w: Workflow) =>
  Object.values(w.jobs)
    .flatMap((j) => j.steps)
    .find((s) => s.uses?.includes("azure-batch-run"))!;

describe("the example workflows", () => {
  test("there are the seven docs/action.md promises", () => {
    expect(workflows.map(([f]) => f).sort()).toEqual([
      "account-key-prebuilt.yml",
      "matrix.yml",
      "nightly-fan-out.yml",
      "nightly.yml",
      "oidc-build-and-run.yml",
      "package-and-run.yml",
      "pull-request-dry-run.yml",
    ]);
  });

  test.each(workflows)("%s uses the Action with inputs it has, and what OIDC needs", (_file, w) => {
    const step = ourStep(w);
    expect(step).toBeDefined();
    for (const input of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
    expect(step.with?.spec).toBeTruthy();
    if (step.with?.["client-id"]) expect(w.permissions?.["id-token"]).toBe("write");
  });

  test("the pull-request dry run runs as written", async () => {
    const [, w] = workflows.find(([f]) => f === "pull-request-dry-run.yml")!;
    // What the runner evaluates before the step sees its inputs.
    const inputs = Object.fromEntries(Object.entries(ourStep(w).with!).map(([k, v]) => [k, String(v).replace("${{ github.event.number }}", "17")]));
    if (await dockerReachable()) await buildBusyboxImage("azure-batch-run/example:1.0", { workdir: "/app" });
    const step = await runStep(work, inputs, { CWD: ROOT, GITHUB_EVENT_NAME: "pull_request" });
    expect({ code: step.code, tail: step.code ? step.stdout.split("\n").slice(-6) : [] }).toEqual({ code: 0, tail: [] });
    expect(step.outputs).toMatchObject({ "job-id": "render-pr-17", "tasks-total": "9", "tasks-succeeded": "9", "tasks-failed": "0" });
  }, 120_000);

  test("the package workflow runs as written on the local service: the package deployed, then the tasks that use it", async () => {
    const [, w] = workflows.find(([f]) => f === "package-and-run.yml")!;
    const step0 = ourStep(w) as { with: Record<string, string> };
    // The Azure sign-in and account give way to mode local; the rest is the workflow's.
    const { "client-id": _c, "tenant-id": _t, "account-url": _a, ...rest } = step0.with;
    const inputs = {
      ...Object.fromEntries(
        Object.entries(rest).map(([k, v]) => [
          k,
          String(v).replace("${{ github.run_id }}", "4242").replace("${{ vars.AZURE_SUBSCRIPTION_ID }}", "11111111-2222-3333-4444-555555555555"),
        ]),
      ),
      mode: "local",
    };
    const step = await runStep(work, inputs, { CWD: ROOT });
    expect({ code: step.code, tail: step.code ? step.stdout.split("\n").slice(-6) : [] }).toEqual({ code: 0, tail: [] });
    expect(step.stdout).toContain("deployed application package frame-tools 0123456789abcdef0123456789abcdef01234567");
    expect(step.outputs).toMatchObject({ "job-id": "frames-4242", "tasks-succeeded": "4", "package-version": "0123456789abcdef0123456789abcdef01234567" });
  }, 120_000);

  test("the nightly fan-out runs as written on the local service, over a container in Azurite: a task per matching blob", async () => {
    const [, w] = workflows.find(([f]) => f === "nightly-fan-out.yml")!;
    const step0 = ourStep(w) as { with: Record<string, string>; env: Record<string, string> };
    expect(Object.keys(step0.env)).toEqual(["INPUTS_URL"]);
    const azurite = await startAzurite();
    try {
      for (const n of ["incoming/1.csv", "incoming/2.csv", "incoming/deep/3.csv", "incoming/notes.txt", "done/4.csv"])
        await azurite.upload("inputs", n, "a,b\nc,d\n");
      const { "client-id": _c, "tenant-id": _t, "account-url": _a, ...rest } = step0.with;
      const inputs = {
        ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v).replace("${{ steps.day.outputs.day }}", "20261204")])),
        mode: "local",
      };
      const env = { CWD: ROOT, INPUTS_URL: await azurite.containerSasUrl("inputs") };
      const first = await runStep(work, inputs, env);
      expect({ code: first.code, tail: first.code ? first.stdout.split("\n").slice(-6) : [] }).toEqual({ code: 0, tail: [] });
      expect(first.outputs).toMatchObject({ "job-id": "fan-out-20261204", "tasks-total": "3", "tasks-succeeded": "3" });
      // The SAS only in the runner's mask command, nowhere else.
      expect(first.stdout.split("\n").filter((l) => !l.startsWith("::add-mask::") && l.includes("sig="))).toEqual([]);
    } finally {
      await azurite.stop();
    }
  }, 120_000);
});
