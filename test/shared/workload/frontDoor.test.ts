/**
 * The loader's front door against bad and hostile input: every refusal is a SpecError (exit 2)
 * that names the field, never a crash, an exhausted process or a quoted secret.
 */
import { describe, expect, test } from "vitest";
import { loadSpec, loadSpecObject, plan, Redactor, SpecError, type LoadOptions, type Workload } from "azure-batch-run";
import { checkTaskBody } from "../../../shared/translate/limits.js";
import { baseSpec, merge } from "../../helpers/specs.js";

function refusal(run: () => unknown): SpecError {
  try {
    run();
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error("expected a SpecError, but the spec was accepted");
}

const issuesOf = (patch: Record<string, any>, options: LoadOptions = { env: {} }) => refusal(() => loadSpecObject(merge(baseSpec(), patch), options)).issues;
const load = (patch: Record<string, any>, options: LoadOptions = { env: {} }): Workload => loadSpecObject(merge(baseSpec(), patch), options);
const task = (fields: Record<string, unknown>) => ({ tasks: { list: [{ id: "t1", command: "/app/run", ...fields }] } });

describe("the document itself", () => {
  test("a YAML alias bomb is refused as a spec error", () => {
    const text = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "pool: [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
    ].join("\n");
    const error = refusal(() => loadSpec(text, { env: {}, fileName: "bomb.yaml" }));
    expect(error.message).toBe("bomb.yaml expands YAML aliases (*name) beyond 100 uses; write the values out, or generate them with forEach");
  });

  test("an alias to an anchor set only later is a spec error saying so", () => {
    const error = refusal(() => loadSpec("pool: *later\njob: &later { id: j }\n", { env: {}, fileName: "alias.yaml" }));
    expect(error.message).toMatch(/^alias\.yaml: Unresolved alias \(the anchor must be set before the alias\): later/);
  });

  test("deep nesting, in flow style and in data, is refused before anything recurses into it", () => {
    expect(refusal(() => loadSpec(`pool: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`, { env: {}, fileName: "deep.yaml" })).message).toBe(
      "deep.yaml nests lists and mappings more than 32 levels deep",
    );
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100_000; i++) deep = (deep.x = {}) as Record<string, unknown>;
    const error = refusal(() => loadSpecObject({ ...baseSpec(), metadata: root }, { env: {} }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.path).toBe(`metadata${".x".repeat(31)}`);
    expect(error.issues[0]!.message).toBe("nests more than 32 levels deep");
  });

  test("a document over 4 MB is refused by its size", () => {
    const text = `# ${"x".repeat(4 * 1024 * 1024)}\n`;
    expect(refusal(() => loadSpec(text, { env: {}, fileName: "big.yaml" })).message).toBe(
      "big.yaml is 4.0 MB; a spec is at most 4.0 MB (generate long lists with forEach)",
    );
  });

  test("a __proto__ key is refused like every other unknown field, from YAML and from JSON data", () => {
    const yaml = refusal(() => loadSpec("pool:\n  __proto__: { vmSize: x }\njob: { id: j }\n", { env: {} }));
    expect(yaml.issues).toEqual([{ path: "pool", message: 'unknown field "__proto__"' }]);
    const json = refusal(() => loadSpecObject(JSON.parse('{"pool": {"id": "p", "__proto__": {"polluted": true}}, "job": {"id": "j"}}'), { env: {} }));
    expect(json.issues).toEqual([{ path: "pool", message: 'unknown field "__proto__"' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("control characters in ids, commands and environment values are refused where they stand", () => {
    const issues = issuesOf({ tasks: { list: [{ id: "t\u00001", command: "/app/run\u0000 --x", env: { A: "ok\u001b[31m" } }] } });
    expect(issues).toEqual([
      { path: "tasks.list[0].env.A", message: "contains the control character U+001B at position 2; Batch ids, command lines and values cannot carry it" },
      { path: "tasks.list[0].command", message: "contains the control character U+0000 at position 8; Batch ids, command lines and values cannot carry it" },
      { path: "tasks.list[0].id", message: "contains the control character U+0000 at position 1; Batch ids, command lines and values cannot carry it" },
    ]);
    // Tabs and newlines are ordinary text in a command line.
    expect(load(task({ command: "/bin/sh -c 'echo a\n\techo b'" })).tasks.at(0)!.command).toContain("\n\t");
  });
});

describe("the budget of an expansion, checked before expanding", () => {
  test("a 100 KB command over a large range is refused by its estimated size, naming the entry", () => {
    const issues = issuesOf({ tasks: { list: [{ id: "t{{ item }}", command: `/app/run ${"x".repeat(100_000)}`, forEach: { range: [1, 50_000] } }] } });
    expect(issues).toEqual([
      {
        path: "tasks.list[0]",
        message: expect.stringMatching(
          /^expands to 50000 tasks of about 98 KB each \(47\d\d\.\d MB\); at most 128\.0 MB in all: shorten the command, environment or defaults, or split the work$/,
        ),
      },
    ]);
  });

  test("large defaults over many tasks are counted too", () => {
    const env = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`VAR_${i}`, "v".repeat(100)]));
    const issues = issuesOf({ tasks: { defaults: { image: "app:1.0", env }, list: [{ id: "t{{ item }}", command: "r", forEach: { range: [1, 100_000] } }] } });
    expect(issues).toEqual([{ path: "tasks.list[0]", message: expect.stringMatching(/^expands to 100000 tasks of about 1\d\d KB each/) }]);
  });

  test("{{ item }} counts with its largest element", () => {
    const items = ["a", "b".repeat(200_000)];
    const issues = issuesOf({
      tasks: { list: [{ id: "t{{ item }}", command: "{{ item }} {{ item }} {{ item }} {{ item }} {{ item }} {{ item }}", forEach: { items } }] },
    });
    expect(issues).toEqual([
      { path: "tasks.list[0]", message: expect.stringMatching(/^each task would be about 1\d\d\d KB; a Batch request, and so one task, is at most 1 MB$/) },
    ]);
  });

  test("one value referenced many times cannot render a huge string", () => {
    const issues = issuesOf({ vars: { big: "z".repeat(100_000) }, ...task({ command: Array(20).fill("{{ vars.big }}").join(" ") }) });
    expect(issues).toEqual([{ path: "tasks.list[0].command", message: "renders to more than 1 MB; a Batch request is at most 1 MB" }]);
  });

  test("more tasks than a spec may make, across entries", () => {
    const issues = issuesOf({ tasks: { list: [0, 1].map((n) => ({ id: `e${n}-{{ item }}`, command: "r", forEach: { range: [1, 60_000] } })) } });
    expect(issues).toEqual([{ path: "tasks.list", message: "makes 120000 tasks; at most 100000 per spec" }]);
  });
});

describe("rules Batch would enforce later", () => {
  test("counts beyond the REST definition's int32", () => {
    const issues = issuesOf({ pool: { nodes: { dedicated: 2 ** 31 } }, ...task({ retries: 3e9 }) });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "pool.nodes.dedicated", message: "must be at most 2147483647 (the Batch REST API's int32)" },
        { path: "tasks.list[0].retries", message: "must be at most 2147483647 (the Batch REST API's int32)" },
      ]),
    );
  });

  test("an id range that holds the task itself is refused; one over ids of which only some exist is not (Batch selects those that do)", () => {
    const numbered = { id: "{{ item }}", command: "r", forEach: { range: [1, 10] } };
    const self = issuesOf({ tasks: { list: [{ ...numbered, dependsOn: [{ range: [1, 10] }] }] } });
    expect(self[0]).toEqual({
      path: "tasks.list[0] (item 0: 1).dependsOn[0].range",
      message: "[1, 10] holds this task's own id 1: a task cannot depend on itself",
    });
    const gaps = load({ tasks: { list: [numbered, { id: "merge", command: "m", dependsOn: [{ range: [5, 14] }] }] } });
    expect(gaps.tasks.at(10)!.dependsOn).toEqual({ taskIds: [], taskIdRanges: [{ start: 5, end: 14 }] });
    const fine = load({ tasks: { list: [numbered, { id: "merge", command: "m", dependsOn: [{ range: [1, 10] }] }] } });
    expect(fine.tasks.at(10)!.dependsOn).toEqual({ taskIds: [], taskIdRanges: [{ start: 1, end: 10 }] });
  });

  test("a cycle through an id range", () => {
    const issues = issuesOf({
      tasks: {
        list: [
          { id: "1", command: "a", dependsOn: [{ range: [2, 2] }] },
          { id: "2", command: "b", dependsOn: ["1"] },
        ],
      },
    });
    expect(issues).toEqual([{ path: "tasks.list", message: "dependsOn forms a cycle: 1 -> 2 -> 1; those tasks would never start" }]);
  });

  test("a long dependency chain is checked without recursion", () => {
    const list = Array.from({ length: 30_000 }, (_, i) => ({ id: `s${i}`, command: "r", ...(i > 0 ? { dependsOn: [`s${i - 1}`] } : {}) }));
    expect(load({ tasks: { list } }).tasks).toHaveLength(30_000);
    list[0] = { ...list[0]!, dependsOn: ["s29999"] };
    expect(issuesOf({ tasks: { list } })[0]!.message).toMatch(/^dependsOn forms a cycle: s0 -> s29999 -> s29998 -> /);
  });

  test("displayName within the REST definition's 1024 characters, for pools and jobs too", () => {
    expect(issuesOf({ pool: { displayName: "d".repeat(1025) }, job: { displayName: "d".repeat(1025) } }).map((i) => i.path)).toEqual([
      "pool.displayName",
      "job.displayName",
    ]);
  });

  test("the translated bodies are checked too: a number that is not an int32 is named where it stands", () => {
    const task = load({}).tasks.at(0)!;
    task.retries = 2 ** 40; // what the schema refuses; the body check would still catch a translator that emitted it
    expect(checkTaskBody(task, load({}).facts)).toEqual([
      {
        path: "tasks.list[0]",
        message: "its REST body holds 1099511627776 at constraints.maxTaskRetryCount, which is not an int32 as the Batch REST API requires",
      },
    ]);
  });

  test("a job manager asking for more slots than a node has", () => {
    const issues = issuesOf({ pool: { taskSlotsPerNode: 2 }, job: { manager: { command: "m", requiredSlots: 4 } } });
    expect(issues).toEqual([
      { path: "job.manager.requiredSlots", message: "4 is more than pool.taskSlotsPerNode (2); the job manager could never be scheduled" },
    ]);
  });

  test("bodies over the 1 MB request limit, measured on what the translator emits", () => {
    // Small as a template (about 0.5 MB), over 1 MB as environmentSettings [{ name, value }].
    const env = Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`V${i}`, "x"]));
    expect(JSON.stringify(env).length).toBeLessThan(600_000);
    expect(issuesOf(task({ env }))).toEqual([
      { path: "tasks.list[0]", message: expect.stringMatching(/^task t1 is 1\d{6} bytes as a REST body; Batch takes at most 1000000 bytes per request/) },
    ]);
    expect(issuesOf({ pool: { startTask: { command: "s", env } } })).toEqual([
      { path: "pool", message: expect.stringMatching(/^the pool is \d+ bytes as a REST body/) },
    ]);
    expect(issuesOf({ job: { env } })).toEqual([{ path: "job", message: expect.stringMatching(/^the job is \d+ bytes as a REST body/) }]);
  });
});

describe("secrets in what the loader says", () => {
  const SECRET = "s3cr3t-api-token-value";

  test("an invalid field holding a secret-named variable's value does not quote it", () => {
    const error = refusal(() => loadSpecObject(merge(baseSpec(), task({ id: "t-{{ env.API_TOKEN }}!" })), { env: { API_TOKEN: SECRET } }));
    expect(error.issues[0]!.path).toBe("tasks.list[0].id");
    expect(error.message).not.toContain(SECRET);
    expect(error.message).toContain("<redacted>");
  });

  test("secrets by flow: a value from the environment into a task's environment, a URL or a secret-named field", () => {
    const w = load(
      {
        tasks: {
          list: [
            {
              id: "t1",
              command: "/app/run",
              env: { DB_PASSWORD: "{{ env.DBPW }}", PLAIN: "{{ env.REGION }}" },
              resources: [{ url: "https://a.blob.core.windows.net/c/f?{{ env.QS }}" }],
            },
          ],
        },
      },
      { env: { DBPW: "hunter2-database", REGION: "westeurope", QS: "sv=2024-01-01&sp=r&sig=abcdefgh" } },
    );
    // REGION lands in a task environment too: the environment of a task is where secrets travel.
    expect(w.secrets).toEqual(expect.arrayContaining(["hunter2-database", "westeurope", "sv=2024-01-01&sp=r&sig=abcdefgh"]));
    const printed = JSON.stringify(new Redactor(w.secrets).value(plan(w)));
    expect(printed).not.toContain("hunter2-database");
    expect(printed).not.toContain("sig=abcdefgh");
  });
});
