#!/usr/bin/env node
// The bundles, with esbuild: ESM for Node 20, linked source maps.
//   dist/lib/   the core's public API (package.json `exports`), dependencies left to npm
//   dist/cli/   the CLI that bin/azure-batch-run.js runs (the local Batch service in its own chunk)
//   dist/action the GitHub Action (action.yml's main and post), self-contained
//   dist/functions the Function app, a deployable folder: host.json, package.json, the bundle
// Wrappers import the core as `azure-batch-run`; the `source` condition of `exports` makes esbuild
// bundle its TypeScript rather than the library bundle.
//
// `node scripts/build.mjs --check` builds in memory and fails when the committed dist/ differs:
// CI runs it, because dist/ is committed (the Action runs from it).
import { readFile, readdir, rm, mkdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
const check = process.argv.includes("--check");

/** The bundles take only `version` from package.json, so that editing a script or a dependency range does not change them. */
const packageVersionOnly = {
  name: "package-version-only",
  setup(build) {
    build.onLoad({ filter: /[\\/]package\.json$/ }, async (args) => ({
      contents: JSON.stringify({ version: JSON.parse(await readFile(args.path, "utf8")).version }),
      loader: "json",
    }));
  },
};

const common = {
  plugins: [packageVersionOnly],
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  sourcesContent: false,
  conditions: ["source"],
  legalComments: "none",
  metafile: true,
  charset: "utf8",
  logLevel: "warning",
  write: false,
};

/** Each bundle; one whose entry does not exist yet is skipped. */
const targets = [
  // A library: its dependencies are installed with it.
  { name: "lib", entryPoints: { index: "shared/index.ts" }, external: Object.keys(pkg.dependencies) },
  // The CLI leaves the production dependencies to npm (npx installs them), and bundles the rest.
  { name: "cli", entryPoints: { index: "cli/index.ts" }, external: Object.keys(pkg.dependencies), splitting: true, chunkNames: "chunks/[name]-[hash]" },
  // The Action runs on a runner without node_modules: everything is bundled. Some dependencies are
  // CommonJS and call require(), which an ESM bundle provides through createRequire.
  {
    name: "action",
    entryPoints: { index: "action/index.ts" },
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    banner: { js: 'import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);' },
  },
  // The Function app: self-contained too (the Functions worker provides @azure/functions-core),
  // with the few files that make dist/functions a folder `func azure functionapp publish` deploys.
  {
    name: "functions",
    entryPoints: { index: "functions/index.ts" },
    external: ["@azure/functions-core"],
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    banner: { js: 'import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);' },
    extraFiles: async () => ({
      "host.json": await readFile(join(root, "functions/host.json")),
      "package.json": Buffer.from(
        `${JSON.stringify({ name: "azure-batch-run-functions", version: pkg.version, description: "The azure-batch-run Function app (bundled; built by scripts/build.mjs)", type: "module", main: "index.js" }, null, 2)}\n`,
      ),
    }),
  },
];

/**
 * The licence notices of the third-party packages a bundle holds (from esbuild's metafile): each
 * package's name, version, licence and licence text, in a stable order. Bundling code is
 * redistributing it, and most of these licences ask for their notice to go with it.
 */
async function thirdPartyNotices(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, "/"));
    if (m) dirs.add(m[1]);
  }
  const entries = [];
  for (const dir of dirs) {
    const abs = join(root, dir);
    const meta = JSON.parse(await readFile(join(abs, "package.json"), "utf8"));
    const files = (await readdir(abs)).filter((f) => /^(licen[cs]e|copying|notice)(\.|$)/i.test(f)).sort();
    const texts = await Promise.all(files.map((f) => readFile(join(abs, f), "utf8")));
    const license = typeof meta.license === "string" ? meta.license : (meta.license?.type ?? "see the package");
    entries.push({
      key: `${meta.name}@${meta.version}`,
      text: `${meta.name} ${meta.version} (${license})${meta.homepage ? ` ${meta.homepage}` : ""}\n\n${texts.join("\n").trim() || `Licensed under ${license}; the package ships no licence file.`}\n`,
    });
  }
  if (entries.length === 0) return undefined;
  const unique = [...new Map(entries.map((e) => [e.key, e])).values()].sort((a, b) => a.key.localeCompare(b.key));
  const rule = `\n${"-".repeat(78)}\n\n`;
  return Buffer.from(
    `Third-party software in this bundle, with its licence notices (written by scripts/build.mjs).\n${rule}${unique.map((e) => e.text).join(rule)}`,
  );
}

async function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

const stale = [];
for (const { name, extraFiles, ...options } of targets) {
  if (!Object.values(options.entryPoints).every((e) => existsSync(join(root, e)))) continue;
  const outdir = join(root, "dist", name);
  const result = await esbuild.build({ ...common, ...options, outdir });
  const built = new Map(result.outputFiles.map((f) => [f.path, f.contents]));
  for (const [file, contents] of Object.entries((await extraFiles?.()) ?? {})) built.set(join(outdir, file), contents);
  const notices = await thirdPartyNotices(result.metafile);
  if (notices) built.set(join(outdir, "THIRD_PARTY_NOTICES.txt"), notices);
  if (check) {
    for (const [path, contents] of built) {
      const onDisk = existsSync(path) ? await readFile(path) : undefined;
      if (!onDisk || !onDisk.equals(Buffer.from(contents))) stale.push(relative(root, path));
    }
    for (const path of await filesUnder(outdir)) if (!built.has(path)) stale.push(`${relative(root, path)} (no longer built)`);
    continue;
  }
  await rm(outdir, { recursive: true, force: true });
  for (const [path, contents] of built) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, contents);
  }
  console.error(`build: dist/${name} (${built.size} files)`);
}

if (stale.length > 0) {
  console.error(`build --check: the committed bundles are stale; run \`npm run build\` and commit dist/:\n  ${stale.join("\n  ")}`);
  process.exit(1);
}
if (check) console.error("build --check: dist/ is current");
