/**
 * The README and the pages of docs/: every example block parses, and means what it says — a spec
 * validates, JSON and YAML parse, TypeScript has no syntax error, a command line names a command and
 * options the CLI has; every relative link leads to a file; the README stays a front page.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import ts from "typescript";
import { parse as parseYaml } from "yaml";
import { describe, expect, test } from "vitest";
import { loadSpecObject } from "azure-batch-run";
import { COMMANDS } from "../cli/commands.js";
import { OPTIONS } from "../cli/common.js";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`)];

interface Block {
  page: string;
  line: number;
  lang: string;
  text: string;
}

function blocks(page: string): Block[] {
  const lines = readFileSync(join(ROOT, page), "utf8").split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    out.push({ page, line: start + 1, lang: open[1] ?? "", text: body.join("\n") });
  }
  return out;
}

/** What is wrong with one block, or undefined. */
function problem(b: Block): string | undefined {
  try {
    if (b.lang === "json") JSON.parse(b.text);
    if (b.lang === "yaml") {
      const data = parseYaml(b.text) as Record<string, unknown>;
      // A whole spec validates (templates filled as a run fills them); a workflow or a fragment parses.
      if (data && typeof data === "object" && "pool" in data && "job" in data && "tasks" in data)
        loadSpecObject(data, { env: {}, vars: { run: "1" }, unsetSecrets: "placeholder" });
    }
    if (b.lang === "ts") {
      const file = ts.createSourceFile("x.ts", b.text, ts.ScriptTarget.ES2022, true);
      const diagnostics = (file as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
      if (diagnostics.length) return ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, " ");
    }
    if (b.lang === "sh") {
      for (const raw of b.text.split("\n")) {
        const line = raw.replace(/\s+#.*$/, "").trim();
        const m = /^npx azure-batch-run (\S+)(.*)$/.exec(line);
        if (!m) continue;
        if (!(m[1]! in COMMANDS)) return `unknown command ${m[1]} in "${line}"`;
        for (const flag of m[2]!.matchAll(/--([a-z-]+)/g)) if (!(flag[1]! in OPTIONS)) return `unknown option --${flag[1]} in "${line}"`;
      }
    }
  } catch (error) {
    return (error as Error).message.split("\n").slice(0, 3).join(" ");
  }
  return undefined;
}

describe("the README and docs/", () => {
  const all = PAGES.flatMap(blocks);

  test("every example block parses and validates", () => {
    expect(all.length).toBeGreaterThan(10);
    expect(all.some((b) => b.lang === "yaml" && b.text.includes("tasks:"))).toBe(true);
    expect(all.map((b) => ({ where: `${b.page}:${b.line}`, problem: problem(b) })).filter((p) => p.problem)).toEqual([]);
  });

  test("the checks catch what they are for", () => {
    const bad = (lang: string, text: string) => problem({ page: "x", line: 1, lang, text });
    expect(bad("yaml", "pool: { id: p, vmSize: Standard_D2s_v3 }\njob: { id: j }\ntasks: { list: [] }")).toBeDefined();
    expect(bad("json", "{ nope }")).toBeDefined();
    expect(bad("ts", "const x = ;")).toBeDefined();
    expect(bad("sh", "npx azure-batch-run runn spec.yaml")).toMatch(/unknown command runn/);
    expect(bad("sh", "npx azure-batch-run run spec.yaml --folow")).toMatch(/unknown option --folow/);
  });

  test("every relative link leads to a file of the project", () => {
    const broken = PAGES.flatMap((page) =>
      [...readFileSync(join(ROOT, page), "utf8").matchAll(/\]\((?!https?:|#)([^)#]+)(#[^)]*)?\)/g)]
        .map((m) => m[1]!)
        .filter((target) => !existsSync(resolve(ROOT, dirname(page), target)))
        .map((target) => `${page} -> ${target}`),
    );
    expect(broken).toEqual([]);
  });

  test("the README is a front page: the two commands first, under 200 lines, a link to each page of docs/", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme.split("\n").length).toBeLessThan(200);
    expect(blocks("README.md")[0]!.text).toMatch(/^npm ci && npm start .*\nnpm ci && npm test /);
    for (const page of PAGES.filter((p) => p.startsWith("docs/"))) expect(readme).toContain(`](${page}`);
    // The development page says what ../shared holds, which the contract tests need.
    expect(readFileSync(join(ROOT, "docs/development.md"), "utf8")).toContain("../shared/azure-batch-spec");
  });
});
