/**
 * The OData subset Batch list operations take: `$filter` with eq/ne/ge/gt/le/lt joined by
 * and/or, on string, number and datetime'...' literals; `$select` projection; paging.
 */
import { BatchErrors, BatchHttpError } from "./errors.js";

type Value = string | number | boolean | undefined;
type Predicate = (item: Record<string, unknown>) => boolean;

const TOKEN = /\s*(\(|\)|datetime'[^']*'|'(?:[^']|'')*'|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_/]*)/y;

function get(item: Record<string, unknown>, path: string): Value {
  let v: unknown = item;
  for (const part of path.split("/")) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
  return v as Value;
}

function invalidFilter(filter: string, why: string): BatchHttpError {
  return BatchErrors.invalidQueryValue("$filter", filter, why);
}

export function parseFilter(filter: string | null): Predicate {
  if (!filter) return () => true;
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < filter.length && (m = TOKEN.exec(filter))) tokens.push(m[1] as string);
  if (filter.slice(TOKEN.lastIndex).trim()) throw invalidFilter(filter, `cannot read "${filter.slice(TOKEN.lastIndex).trim()}"`);
  let i = 0;
  const literal = (t: string): Value => {
    if (t.startsWith("datetime'")) return Date.parse(t.slice(9, -1));
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (t === "true" || t === "false") return t === "true";
    if (/^-?\d/.test(t)) return Number(t);
    throw invalidFilter(filter, `expected a literal, got ${t}`);
  };
  const comparison = (): Predicate => {
    if (tokens[i] === "(") {
      i++;
      const inner = or();
      if (tokens[i++] !== ")") throw invalidFilter(filter, "unbalanced parentheses");
      return inner;
    }
    const field = tokens[i++];
    const op = tokens[i++];
    const raw = tokens[i++];
    if (!field || !op || raw === undefined) throw invalidFilter(filter, "incomplete comparison");
    const value = literal(raw);
    const isDate = raw.startsWith("datetime'");
    const cmp = (a: Value): number | undefined => {
      if (a === undefined) return undefined;
      const left = isDate ? Date.parse(String(a)) : a;
      return left === value ? 0 : (left as number) < (value as number) ? -1 : 1;
    };
    const ops: Record<string, (c: number | undefined) => boolean> = {
      eq: (c) => c === 0,
      ne: (c) => c !== 0,
      gt: (c) => c !== undefined && c > 0,
      ge: (c) => c !== undefined && c >= 0,
      lt: (c) => c !== undefined && c < 0,
      le: (c) => c !== undefined && c <= 0,
    };
    const test = ops[op];
    if (!test) throw invalidFilter(filter, `unknown operator ${op}`);
    return (item) => test(cmp(get(item, field)));
  };
  const and = (): Predicate => {
    let left = comparison();
    while (tokens[i] === "and") {
      i++;
      const l = left;
      const r = comparison();
      left = (x) => l(x) && r(x);
    }
    return left;
  };
  const or = (): Predicate => {
    let left = and();
    while (tokens[i] === "or") {
      i++;
      const l = left;
      const r = and();
      left = (x) => l(x) || r(x);
    }
    return left;
  };
  const predicate = or();
  if (i !== tokens.length) throw invalidFilter(filter, `unexpected ${tokens[i]}`);
  return predicate;
}

/** `select` for many items of one request: the field list read once. */
export function selector(selectParam: string | null): <T extends Record<string, unknown>>(item: T) => Partial<T> {
  if (!selectParam) return (item) => item;
  const fields = [
    ...new Set(
      selectParam
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  return <T extends Record<string, unknown>>(item: T) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) if (item[f] !== undefined) out[f] = item[f];
    return out as Partial<T>;
  };
}

export function select<T extends Record<string, unknown>>(item: T, selectParam: string | null): Partial<T> {
  if (!selectParam) return item;
  const fields = new Set(
    selectParam
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  return Object.fromEntries(Object.entries(item).filter(([k]) => fields.has(k))) as Partial<T>;
}
