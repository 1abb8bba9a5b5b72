/**
 * The arrows run one way: cli/, action/, functions/ -> the core (as `azure-batch-run` only) and
 * local-batch/; the core -> nothing of theirs; local-batch/ -> only the REST types and formats of
 * shared/batch/. Inside the core and inside the local service, layers are stacked (LAYERS below):
 * a module imports only from its own layer or the ones beneath it. Read from the sources' import
 * graph (static and dynamic imports); `azure-batch-run` is followed to the core's entry, so a
 * circle through a wrapper is seen too.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const FOLDERS = ["shared", "local-batch", "cli", "action", "functions", "scripts", "benchmarks"];
/** Where `azure-batch-run` leads for readers and tools that know the `source` condition. */
const CORE_ENTRY = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: { ".": { source: string } } }).exports["."].source.replace(
  /^\.\//,
  "",
);

/**
 * The stairs, bottom first. A path belongs to the longest prefix that names it; a module may
 * import from its own step and the steps below, never above.
 */
export const LAYERS: Record<string, { step: string; paths: string[] }[]> = {
  shared: [
    // Facts of the REST API and helpers every step uses: types, limits, formats, api-versions, the image table.
    { step: "facts", paths: ["shared/batch/", "shared/version.ts", "shared/redact.ts", "shared/sleep.ts", "shared/errors.ts"] },
    // HTTP: transport, pipeline and policies, the Batch and ARM clients, credentials, clouds.
    { step: "client", paths: ["shared/client/"] },
    // The workload spec: schema, rules, templates, expansion, budgets (not its loader).
    { step: "spec", paths: ["shared/workload/"] },
    // Spec -> REST bodies, and the limits measured on the bodies it emits.
    { step: "translate", paths: ["shared/translate/"] },
    // The loader: parse, check, expand, and translate to measure every body before anything is sent.
    { step: "loader", paths: ["shared/workload/load.ts"] },
    // Orchestration: plan, pools, jobs, the task sender, the wait, events.
    { step: "run", paths: ["shared/run/", "shared/events/"] },
    // The public surface: one classification of errors, the index.
    { step: "surface", paths: ["shared/classify.ts", "shared/index.ts"] },
  ],
  "local-batch": [
    // Records, the clock, Batch's error factory, OData, body checks, limits, auth, injected faults, images.
    {
      step: "base",
      paths: [
        "local-batch/records.ts",
        "local-batch/account.ts",
        "local-batch/clock.ts",
        "local-batch/errors.ts",
        "local-batch/odata.ts",
        "local-batch/bodies.ts",
        "local-batch/limits.ts",
        "local-batch/auth.ts",
        "local-batch/faults.ts",
        "local-batch/images/",
      ],
    },
    // What runs a task on this machine: containers, host processes, blob transfers, leftovers.
    { step: "runtime", paths: ["local-batch/runtime/"] },
    // The account's state: options, pools, nodes, jobs, the task table, persistence, the package store.
    {
      step: "state",
      paths: ["local-batch/options.ts", "local-batch/state.ts", "local-batch/taskTable.ts", "local-batch/persistence.ts", "local-batch/applications.ts"],
    },
    // Placing tasks on nodes, node lifecycles.
    { step: "scheduler", paths: ["local-batch/scheduler/"] },
    // Each resource's requests: pools, jobs, tasks, schedules, files, ARM, listings.
    { step: "resources", paths: ["local-batch/resources/"] },
    // HTTP: the request spine and the router.
    { step: "http", paths: ["local-batch/http/", "local-batch/routes.ts"] },
    // The service that holds them together, and its entry points.
    { step: "service", paths: ["local-batch/service.ts", "local-batch/start.ts", "local-batch/serve.ts", "local-batch/home.ts"] },
  ],
};

/** The step of a path: its index in its folder's stairs (-1 when no step names it). */
export function stepOf(path: string): { folder: string; index: number; step?: string } {
  const folder = path.split("/")[0]!;
  let best = { index: -1, length: -1, step: undefined as string | undefined };
  (LAYERS[folder] ?? []).forEach(({ step, paths }, index) => {
    for (const p of paths) if ((path === p || (p.endsWith("/") && path.startsWith(p))) && p.length > best.length) best = { index, length: p.length, step };
  });
  return { folder, index: best.index, step: best.step };
}

export interface Edge {
  /** Repo-relative importing file. */
  from: string;
  specifier: string;
  /** Repo-relative target for relative specifiers. */
  to?: string;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sourceFiles(p);
    return /\.(ts|mts|js|mjs)$/.test(e.name) && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

function edgesOf(file: string): Edge[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  const from = relative(ROOT, file);
  return info.importedFiles.map(({ fileName: specifier }) => ({
    from,
    specifier,
    to: specifier.startsWith(".") ? relative(ROOT, resolve(dirname(file), specifier)).replace(/\.js$/, ".ts") : undefined,
  }));
}

/** The graph as readers follow it: `azure-batch-run` leads to the core's entry. */
const followed = (edges: Edge[]): Edge[] => edges.map((e) => (e.specifier === "azure-batch-run" ? { ...e, to: CORE_ENTRY } : e));

const BUILTINS = new Set(builtinModules);
const isBuiltin = (s: string) => s.startsWith("node:") || BUILTINS.has(s);
const packageOf = (s: string) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!);
const under = (path: string | undefined, dir: string) => path !== undefined && (path === dir || path.startsWith(`${dir}/`));

/**
 * The packages each layer may import (besides Node's own modules). The core takes
 * @azure/storage-blob for what only Storage does: uploading a package's zip to the SAS URL ARM
 * gives, and listing a container for `forEach: { blobs }` (loaded on first use, never at start).
 */
const ALLOWED_PACKAGES: Record<string, string[]> = {
  shared: ["@azure/identity", "@azure/storage-blob", "undici", "yaml", "zod"],
  "local-batch": ["@azure/storage-blob"],
  cli: ["azure-batch-run", "yaml"],
  action: ["azure-batch-run", "@actions/core", "@actions/github", "@actions/exec", "@azure/identity"],
  functions: ["azure-batch-run", "@azure/functions", "@azure/identity", "@azure/storage-blob", "zod"],
  // Tools beside the product: they use the core as its wrappers do, and the local service.
  scripts: ["azure-batch-run", "esbuild"],
  benchmarks: ["azure-batch-run", "@azure/batch", "@azure/storage-blob", "esbuild"],
};

export function violations(edges: Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const layer = e.from.split("/")[0]!;
    const say = (why: string) => out.push(`${e.from} imports "${e.specifier}": ${why}`);
    if (e.to === undefined) {
      if (isBuiltin(e.specifier)) continue;
      if (!(ALLOWED_PACKAGES[layer] ?? []).includes(packageOf(e.specifier))) say(`${layer}/ may import only ${ALLOWED_PACKAGES[layer]?.join(", ")} from npm`);
      continue;
    }
    if (layer === "shared" || layer === "local-batch") {
      const from = stepOf(e.from);
      const to = stepOf(e.to);
      if (layer === "shared" && !under(e.to, "shared") && e.to !== "package.json") say("the core imports nothing outside shared/ (but package.json)");
      else if (layer === "local-batch" && !under(e.to, "local-batch") && !under(e.to, "shared/batch"))
        say("the local service takes nothing of the core but the REST types and formats in shared/batch/");
      else if (from.index < 0) say(`${e.from} is on no step of ${layer}/'s stairs: add it to LAYERS`);
      else if (to.folder === layer && to.index < 0) say(`${e.to} is on no step of ${layer}/'s stairs: add it to LAYERS`);
      else if (to.folder === layer && to.index > from.index) say(`the ${from.step} step imports from the ${to.step} step above it`);
    } else {
      if (under(e.to, "shared")) say(`${layer}/ reaches the core only through "azure-batch-run"`);
      else if (
        !under(e.to, layer) &&
        !(["cli", "action", "scripts", "benchmarks"].includes(layer) && under(e.to, "local-batch")) &&
        !(layer === "scripts" && under(e.to, "functions"))
      )
        say(`${layer}/ imports outside itself`);
    }
  }
  return out;
}

/** The import circles among the files (strongly connected components of more than one file), each sorted. */
export function circles(edges: Edge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, []);
    if (e.to !== undefined) graph.get(e.from)!.push(e.to);
  }
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  // Tarjan's algorithm, with an explicit stack of frames (no recursion depth to worry about).
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const frames: { v: string; i: number }[] = [{ v: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (frames.length) {
      const frame = frames[frames.length - 1]!;
      const targets = (graph.get(frame.v) ?? []).filter((w) => graph.has(w));
      if (frame.i < targets.length) {
        const w = targets[frame.i++]!;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          frames.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(frame.v, Math.min(low.get(frame.v)!, index.get(w)!));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(frame.v)!));
      if (low.get(frame.v) === index.get(frame.v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.v);
        if (component.length > 1) found.push(component.sort());
      }
    }
  }
  return found;
}

describe("the import graph", () => {
  const edges = FOLDERS.flatMap((folder) => sourceFiles(join(ROOT, folder)).flatMap(edgesOf));

  test("every arrow points the right way", () => {
    // Not vacuous: the graph was read, and holds the edges the rules are about.
    expect(edges.length).toBeGreaterThan(100);
    expect(edges.some((e) => e.from.startsWith("cli/") && e.specifier === "azure-batch-run")).toBe(true);
    expect(edges.some((e) => e.from.startsWith("local-batch/") && under(e.to, "shared/batch"))).toBe(true);
    expect(edges.some((e) => e.from.startsWith("cli/") && under(e.to, "local-batch"))).toBe(true); // --local, a dynamic import
    expect(violations(edges)).toEqual([]);
  });

  test("every file of the core and the local service is on a step of the stairs", () => {
    const unplaced = ["shared", "local-batch"]
      .flatMap((folder) => sourceFiles(join(ROOT, folder)).map((f) => relative(ROOT, f)))
      .filter((f) => stepOf(f).index < 0);
    expect(unplaced).toEqual([]);
    expect(stepOf("shared/workload/load.ts").step).toBe("loader");
    expect(stepOf("shared/workload/rules.ts").step).toBe("spec");
  });

  test("every folder of the product has its tests in the mirrored folder of test/", () => {
    const folders = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() && e.name !== "node_modules" ? [`${dir}/${e.name}`, ...folders(`${dir}/${e.name}`)] : [],
      );
    const product = ["shared", "local-batch", "cli", "action", "functions"]
      .flatMap((f) => [f, ...folders(f)])
      .filter((f) => sourceFiles(join(ROOT, f)).length > 0);
    const untested = product.filter((f) => {
      const mirror = join(ROOT, "test", f);
      return !existsSync(mirror) || !readdirSync(mirror).some((n) => n.endsWith(".test.ts"));
    });
    expect(product.length).toBeGreaterThan(15);
    expect(untested).toEqual([]);
  });

  test("no import circle anywhere: every module can be read after the ones it imports", () => {
    expect(circles(followed(edges))).toEqual([]);
    // The check finds a circle when there is one, however long.
    const ring: Edge[] = [
      { from: "shared/a.ts", specifier: "./b.js", to: "shared/b.ts" },
      { from: "shared/b.ts", specifier: "./c.js", to: "shared/c.ts" },
      { from: "shared/c.ts", specifier: "./a.js", to: "shared/a.ts" },
      { from: "shared/d.ts", specifier: "./a.js", to: "shared/a.ts" },
    ];
    expect(circles(ring)).toEqual([["shared/a.ts", "shared/b.ts", "shared/c.ts"]]);
    // One through a wrapper, seen because `azure-batch-run` is followed to the core's entry.
    const throughWrapper: Edge[] = [
      { from: "cli/main.ts", specifier: "azure-batch-run" },
      { from: CORE_ENTRY, specifier: "../cli/main.js", to: "cli/main.ts" },
    ];
    expect(circles(followed(throughWrapper))).toEqual([[CORE_ENTRY, "cli/main.ts"].sort()]);
  });

  test("the rules catch what they are for", () => {
    const bad: Edge[] = [
      { from: "shared/run/run.ts", specifier: "../../cli/main.js", to: "cli/main.ts" },
      { from: "shared/run/run.ts", specifier: "../../local-batch/start.js", to: "local-batch/start.ts" },
      { from: "shared/index.ts", specifier: "@actions/core" },
      { from: "shared/index.ts", specifier: "@azure/functions" },
      { from: "local-batch/auth.ts", specifier: "../shared/client/sharedKey.js", to: "shared/client/sharedKey.ts" },
      { from: "cli/main.ts", specifier: "../shared/run/run.js", to: "shared/run/run.ts" },
      { from: "action/main.ts", specifier: "../shared/index.js", to: "shared/index.ts" },
      // A step importing from one above it, in the core and in the local service.
      { from: "shared/client/credentials.ts", specifier: "../run/errors.js", to: "shared/run/errors.ts" },
      { from: "shared/translate/limits.ts", specifier: "../run/addTaskCollection.js", to: "shared/run/addTaskCollection.ts" },
      { from: "shared/workload/rules.ts", specifier: "./load.js", to: "shared/workload/load.ts" },
      { from: "shared/batch/limits.ts", specifier: "../client/transport.js", to: "shared/client/transport.ts" },
      { from: "local-batch/state.ts", specifier: "./http/server.js", to: "local-batch/http/server.ts" },
      { from: "local-batch/scheduler/scheduler.ts", specifier: "../resources/jobs.js", to: "local-batch/resources/jobs.ts" },
      { from: "local-batch/runtime/executors.ts", specifier: "../state.js", to: "local-batch/state.ts" },
      // A new file the stairs do not place is named, not waved through.
      { from: "local-batch/newThing.ts", specifier: "./state.js", to: "local-batch/state.ts" },
    ];
    expect(violations(bad)).toHaveLength(bad.length);
    expect(
      violations([
        { from: "shared/run/run.ts", specifier: "node:fs", to: undefined },
        { from: "local-batch/runtime/executors.ts", specifier: "../../shared/batch/types.js", to: "shared/batch/types.ts" },
        { from: "local-batch/http/server.ts", specifier: "../resources/arm.js", to: "local-batch/resources/arm.ts" },
        { from: "shared/workload/load.ts", specifier: "../translate/limits.js", to: "shared/translate/limits.ts" },
        { from: "shared/run/run.ts", specifier: "../client/batchClient.js", to: "shared/client/batchClient.ts" },
        { from: "shared/run/run.ts", specifier: "./plan.js", to: "shared/run/plan.ts" },
      ]),
    ).toEqual([]);
  });

  test("the core reads no process environment of its own: callers pass what templates and auth may see", () => {
    const reads = sourceFiles(join(ROOT, "shared")).flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .map((line, i) => ({ where: `${relative(ROOT, f)}:${i + 1}`, line }))
        .filter(({ line }) => /process\.env\b/.test(line) && !/^\s*(\/\/|\/?\*)/.test(line)),
    );
    expect(reads).toEqual([]);
  });
});
