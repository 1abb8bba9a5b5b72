/**
 * The loader's budget. A spec may come from a pull request or an event, so the loader bounds its
 * own work before doing it: the document's size and nesting, YAML alias expansion, the number of
 * tasks an entry expands to and the bytes they would take (estimated from the template and the
 * range before anything is expanded), and the size of any one rendered string. Each refusal names
 * the field and the limit.
 */
import { invisibleCharacter } from "../batch/limits.js";
import type { IssueCollector } from "./errors.js";
import type { ForEachSpec, TaskDefaults, TaskEntry } from "./schema.js";
import { listingOf } from "./blobItems.js";

export const LIMITS = {
  /** Bytes of spec text. */
  documentBytes: 4 * 1024 * 1024,
  /** Levels of nested mappings and lists; a real spec needs about ten. */
  depth: 32,
  /** Values (mapping entries, list items, scalars) in the parsed document. */
  nodes: 1_000_000,
  /** YAML alias resolutions (`*name`), as the yaml package counts them. */
  aliases: 100,
  /** Tasks one spec expands to. */
  tasks: 100_000,
  /** Estimated bytes of all expanded tasks, as JSON. */
  expandedBytes: 128 * 1024 * 1024,
  /** Bytes one rendered template string may grow to (a whole Batch request is at most 1 MB). */
  renderedStringBytes: 1024 * 1024,
} as const;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * The deepest nesting of flow collections (`[`, `{`) outside quotes and comments: measured before
 * parsing, because a parser that recurses into `[[[[...` overflows its stack first.
 */
export function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "[" || c === "{") max = Math.max(max, ++depth);
    else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
  return max;
}

/** Refusals of the text itself, before it is parsed. */
export function checkText(text: string, fileName: string, issues: IssueCollector): void {
  const bytes = Buffer.byteLength(text);
  if (bytes > LIMITS.documentBytes)
    issues.add("", `${fileName} is ${mb(bytes)}; a spec is at most ${mb(LIMITS.documentBytes)} (generate long lists with forEach)`);
  else if (flowDepth(text) > LIMITS.depth) issues.add("", `${fileName} nests lists and mappings more than ${LIMITS.depth} levels deep`);
}

// C0 control characters but TAB, LF and CR, and DEL: no command line, id or environment value carries them.
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Walks parsed data without recursion: depth and size, keys that are not plain field names
 * (`__proto__`), control characters in strings.
 */
export function checkData(data: unknown, issues: IssueCollector): void {
  let nodes = 0;
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: data, path: "", depth: 0 }];
  const at = (base: string, key: string | number) => (typeof key === "number" ? `${base}[${key}]` : base ? `${base}.${key}` : key);
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (++nodes > LIMITS.nodes) {
      issues.add("", `the spec holds more than ${LIMITS.nodes} values; generate long lists with forEach`);
      return;
    }
    if (typeof value === "string") {
      const m = CONTROL.exec(value);
      if (m)
        issues.add(
          path,
          `contains the control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at position ${m.index}; Batch ids, command lines and values cannot carry it`,
        );
      // Bidirectional and zero-width characters make text read otherwise than it runs; only
      // display names and metadata values (text for people, never run) may hold them.
      const hidden = /(^|\.)displayName$|(^|\.)metadata\./.test(path) ? undefined : invisibleCharacter(value);
      if (hidden)
        issues.add(path, `contains the invisible character ${hidden} (a bidirectional or zero-width character): what runs would not be what one reads`);
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= LIMITS.depth) {
      issues.add(path, `nests more than ${LIMITS.depth} levels deep`);
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: at(path, i), depth: depth + 1 }));
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key === "__proto__") {
        issues.add(path, 'unknown field "__proto__"');
        continue;
      }
      if (CONTROL.test(key)) {
        issues.add(path, `has a field name with a control character (${JSON.stringify(key)})`);
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: at(path, key), depth: depth + 1 });
    }
  }
}

/** How many elements a `forEach` makes, without making them (undefined when its shape is off; the schema says why). */
export function forEachCount(forEach: ForEachSpec): number | undefined {
  if ("range" in forEach) {
    const [first, last, step = 1] = forEach.range as [number, number, number?];
    if (step === 0 || Math.sign(last - first) * Math.sign(step) < 0) return undefined;
    return Math.floor((last - first) / step) + 1;
  }
  if ("items" in forEach) return forEach.items.length;
  // The blobs of a container: as many as were listed (none when the container was not listed).
  if ("blobs" in forEach) return listingOf(forEach)?.length ?? 0;
  const lists = Object.values("zip" in forEach ? forEach.zip : forEach.product) as unknown[][];
  if (lists.length === 0) return undefined;
  if ("zip" in forEach) return lists[0]!.length;
  return lists.reduce((n, l) => n * l.length, 1);
}

/** The largest element of a forEach, as JSON: what one `{{ item }}` can add to a task. */
function largestItemBytes(forEach: ForEachSpec): number {
  if ("range" in forEach) return 12;
  if ("blobs" in forEach) return listingOf(forEach)?.largestItemBytes ?? 0;
  const lists = "items" in forEach ? [forEach.items] : Object.values("zip" in forEach ? forEach.zip : forEach.product);
  let max = 0;
  for (const list of lists as unknown[][]) for (const v of list) max = Math.max(max, Buffer.byteLength(JSON.stringify(v) ?? ""));
  // A zip or product element holds one value of each list.
  return "items" in forEach ? max : max * lists.length;
}

/**
 * The tasks and bytes the entries will expand to, estimated from each entry's template, its
 * defaults and its largest item; refused before expansion when over budget.
 */
export function checkExpansion(entries: TaskEntry[], defaults: TaskDefaults | undefined, issues: IssueCollector): boolean {
  const defaultsBytes = defaults ? Buffer.byteLength(JSON.stringify(defaults)) : 0;
  let tasks = 0;
  let bytes = 0;
  let ok = true;
  entries.forEach((entry, i) => {
    const count = entry.forEach ? forEachCount(entry.forEach) : 1;
    if (count === undefined) return;
    const template = JSON.stringify(entry);
    const itemRefs = entry.forEach ? (template.match(/\{\{\s*item\b/g) ?? []).length : 0;
    const perTask = Buffer.byteLength(template) + defaultsBytes + itemRefs * (entry.forEach ? largestItemBytes(entry.forEach) : 0);
    tasks += count;
    bytes += count * perTask;
    if (count > LIMITS.tasks) {
      issues.add(`tasks.list[${i}].forEach`, `makes ${count} tasks; at most ${LIMITS.tasks} per spec`);
      ok = false;
    } else if (perTask > LIMITS.renderedStringBytes) {
      issues.add(`tasks.list[${i}]`, `each task would be about ${Math.ceil(perTask / 1024)} KB; a Batch request, and so one task, is at most 1 MB`);
      ok = false;
    } else if (count * perTask > LIMITS.expandedBytes) {
      issues.add(
        `tasks.list[${i}]`,
        `expands to ${count} tasks of about ${Math.ceil(perTask / 1024)} KB each (${mb(count * perTask)}); at most ${mb(LIMITS.expandedBytes)} in all: shorten the command, environment or defaults, or split the work`,
      );
      ok = false;
    }
  });
  if (ok && tasks > LIMITS.tasks) {
    issues.add("tasks.list", `makes ${tasks} tasks; at most ${LIMITS.tasks} per spec`);
    ok = false;
  } else if (ok && bytes > LIMITS.expandedBytes) {
    issues.add("tasks.list", `expands to about ${mb(bytes)} of tasks; at most ${mb(LIMITS.expandedBytes)} in all`);
    ok = false;
  }
  return ok;
}
