/**
 * Tasks per blob (`forEach: { blobs }`) against Azurite: a container of 1,000 blobs becomes 1,000
 * tasks, each reading its own blob (its resource file); a rerun after 10 blobs were added and one
 * changed adds exactly 11; `plan` shows the listing call and what it found, or, without storage
 * access, what it would list; hosts that are not Azure Storage are refused before any request.
 */
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { loadSpecWithBlobs, readTaskOutput, runWorkload, type BatchClient } from "azure-batch-run";
import { EXIT } from "../../../cli/main.js";
import { runCli } from "../../helpers/cli.js";
import { startAzurite, type Azurite } from "../../helpers/containers.js";
import { localAccount } from "../../helpers/localAccount.js";
import { recordingReporter } from "../../helpers/reporter.js";

const work = mkdtempSync(join(tmpdir(), "azbr-blobs-"));
let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const specOf = (container: string) => ({
  pool: {
    id: "per-blob",
    vmSize: "Standard_D4s_v3",
    image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
    nodes: { dedicated: 2 },
    taskSlotsPerNode: 16,
  },
  // Kept open: a later run adds the tasks of new and changed blobs.
  job: { id: "per-blob", onAllTasksComplete: "noAction" },
  tasks: {
    list: [
      {
        id: "{{ item.taskId }}",
        displayName: "{{ item.name }}",
        command: "/bin/sh -c 'echo {{ item.fileName }}: $(cat {{ item.fileName }})'",
        forEach: { blobs: { container, prefix: "in/", pattern: "in/**/*.txt" } },
      },
    ],
  },
});

async function fill(azurite: Azurite, names: string[], text: (name: string) => string): Promise<void> {
  for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((n) => azurite.upload("inputs", n, text(n))));
}

async function outputs(client: BatchClient, jobId: string, taskIds: string[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < taskIds.length; i += 25)
    out.push(...(await Promise.all(taskIds.slice(i, i + 25).map(async (id) => (await readTaskOutput(client, jobId, id, "stdout.txt")) ?? ""))));
  return out;
}

describe("tasks per blob", () => {
  test("1,000 blobs make 1,000 tasks that each read their blob; a rerun after 10 new and 1 changed adds 11", async () => {
    const azurite = await startAzurite();
    toClose.push(() => azurite.stop());
    const { client } = await localAccount(toClose);
    const names = Array.from({ length: 1000 }, (_, i) => `in/${String(i).padStart(4, "0")} frame.txt`);
    await fill(azurite, names, (n) => `content of ${n}`);
    // Blobs the prefix or the pattern leave out.
    await azurite.upload("inputs", "other/a.txt", "not under in/");
    await azurite.upload("inputs", "in/skip.bin", "not a .txt");
    const env = { INPUTS: await azurite.containerSasUrl("inputs") };

    const first = await loadSpecWithBlobs(specOf("{{ env.INPUTS }}"), { env });
    expect(first.tasks.length).toBe(1000);
    const sample = first.tasks.at(7)!;
    expect(sample.displayName).toBe("in/0007 frame.txt");
    expect(sample.id).toMatch(/^0007_frame_txt-[0-9a-f]{16}$/);
    expect(sample.command).toBe("/bin/sh -c 'echo 0007_frame.txt: $(cat 0007_frame.txt)'");
    expect(sample.resources).toEqual([{ url: `${azurite.blobEndpoint}/inputs/in/0007%20frame.txt${new URL(env.INPUTS).search}`, path: "0007_frame.txt" }]);

    const run1 = recordingReporter();
    const r1 = await runWorkload(client, first, run1.reporter, { pollIntervalMs: 250 });
    expect(run1.lines).toContain("info: tasks: 1000 added, 0 already there");
    expect(r1.outcomes.length).toBe(1000);
    expect(r1.outcomes.filter((o) => o.result !== "success")).toEqual([]);
    // Every task read its own blob.
    const ids = first.tasks.ids as string[];
    const texts = await outputs(client, "per-blob", ids);
    texts.forEach((t, i) => expect(t).toBe(`${String(i).padStart(4, "0")}_frame.txt: content of ${names[i]}\n`));

    // Ten new blobs, one changed (a new ETag): eleven new tasks, the rest already there.
    await fill(
      azurite,
      Array.from({ length: 10 }, (_, i) => `in/new/${i}.txt`),
      (n) => `new ${n}`,
    );
    await azurite.upload("inputs", names[3]!, "changed content");
    const second = await loadSpecWithBlobs(specOf("{{ env.INPUTS }}"), { env });
    expect(second.tasks.length).toBe(1010);
    const added = (second.tasks.ids as string[]).filter((id) => !ids.includes(id));
    expect(added.length).toBe(11);
    const run2 = recordingReporter();
    const r2 = await runWorkload(client, second, run2.reporter, { pollIntervalMs: 250 });
    expect(run2.lines).toContain("info: tasks: 11 added, 999 already there");
    expect(r2.outcomes.filter((o) => o.result !== "success")).toEqual([]);
    const changed = second.tasks.toArray().find((t) => t.displayName === names[3])!;
    expect(await readTaskOutput(client, "per-blob", changed.id, "stdout.txt")).toBe("0003_frame.txt: changed content\n");
  }, 240_000);

  test("plan: the listing call and what it found; without storage access, what it would list", async () => {
    const azurite = await startAzurite();
    toClose.push(() => azurite.stop());
    await fill(azurite, ["in/a.txt", "in/b.txt", "in/c.bin"], (n) => n);
    const file = join(work, "plan.json");
    writeFileSync(file, JSON.stringify(specOf("{{ env.INPUTS }}")));
    const sas = await azurite.containerSasUrl("inputs");
    const listed = await runCli(["plan", file], { INPUTS: sas });
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(EXIT.ok);
    expect(listed.stdout.split("\n").slice(0, 4)).toEqual([
      `GET ${azurite.blobEndpoint}/inputs?restype=container&comp=list&prefix=in%2F&maxresults=5000  (2 blobs matching in/**/*.txt: 2 tasks of tasks.list[0])`,
      "POST /pools",
      "POST /jobs",
      "POST /jobs/per-blob/addtaskcollection  (2 tasks)",
    ]);
    // The SAS never shows.
    expect(listed.stdout).not.toContain("sig=");
    const json = JSON.parse((await runCli(["plan", file, "--format", "json"], { INPUTS: sas })).stdout) as {
      plane?: string;
      note?: string;
      query: Record<string, string>;
    }[];
    expect(json[0]).toMatchObject({ method: "GET", plane: "storage", query: { restype: "container", comp: "list", prefix: "in/", maxresults: "5000" } });

    const offline = await runCli(["plan", file], { INPUTS: "https://someaccount.blob.core.windows.net/inputs" });
    expect(offline.code).toBe(EXIT.ok);
    expect(offline.stdout.split("\n").slice(0, 3)).toEqual([
      "GET https://someaccount.blob.core.windows.net/inputs?restype=container&comp=list&prefix=in%2F&maxresults=5000  (not listed: no SAS in the URL (a run lists it with the caller's sign-in); tasks.list[0] makes one task per matching blob when the spec runs)",
      "POST /pools",
      "POST /jobs",
    ]);
    const validate = await runCli(["validate", file], { INPUTS: "https://someaccount.blob.core.windows.net/inputs" });
    expect(validate.stdout).toBe(
      [
        "valid: pool per-blob, job per-blob, 0 tasks",
        `tasks.list[0]: one task per blob of https://someaccount.blob.core.windows.net/inputs (prefix "in/", pattern "in/**/*.txt"): not listed: no SAS in the URL (a run lists it with the caller's sign-in)`,
        "secrets run will need: INPUTS",
        "",
      ].join("\n"),
    );
  }, 60_000);

  test("a container elsewhere than Azure Storage or this machine is refused, before any request; so is a blob's URL", async () => {
    const file = join(work, "elsewhere.json");
    writeFileSync(file, JSON.stringify(specOf("{{ env.INPUTS }}")));
    const cases: [string, string][] = [
      ["https://attacker.example.net/inputs?sig=x", "tasks.list[0].forEach.blobs.container: attacker.example.net is not an Azure Storage blob endpoint"],
      ["http://someaccount.blob.core.windows.net/inputs?sig=x", "tasks.list[0].forEach.blobs.container: Azure Storage is reached over https"],
      [
        "https://someaccount.blob.core.windows.net/inputs/one.txt?sig=x",
        "give the container's URL (https://<account>.blob.core.windows.net/<container>), not a blob's or the account's",
      ],
    ];
    for (const [url, message] of cases) {
      const r = await runCli(["run", file, "--account-url", "http://127.0.0.1:9"], { INPUTS: url, AZURE_BATCH_ACCESS_KEY: "a2V5" });
      expect({ url, code: r.code, has: r.stderr.includes(message), stderr: r.stderr }).toMatchObject({ url, code: EXIT.invalid, has: true });
    }
  });
});
