/**
 * The spec's one template syntax: `{{ root.path }}`.
 *
 * Double braces without a leading `$` so that it never collides with GitHub's `${{ }}`, which the
 * runner evaluates before the action sees its inputs. An unknown variable is an error, never an
 * empty string. Expressions are plain dotted paths: there is no code evaluation of any kind.
 */
import { LIMITS } from "./budget.js";

/** Variables visible to templates, keyed by root name (`vars`, `env`, `item`, `task`, ...). */
export type TemplateScope = Record<string, unknown>;

const EXPRESSION = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

export class TemplateError extends Error {
  override readonly name = "TemplateError";
}

export interface RenderOptions {
  /** Roots left as they are (resolved by a later pass), e.g. `item` and `task` while expanding globals. */
  deferRoots?: ReadonlySet<string>;
  /**
   * Said when `{{ env.NAME }}` names a variable the caller did not pass: the CLI passes its whole
   * environment ("set it in the environment"), the Action and the Function app an allow-list.
   */
  envHint?: string;
  /**
   * Asked for a `{{ env.NAME }}` that the environment does not hold: a value to use instead (a
   * placeholder, for `plan` without secrets), or undefined for the usual error.
   */
  onMissingEnv?: (name: string, path: readonly (string | number)[], whole: boolean) => string | undefined;
  /** Called with each `env.*` value used and the field it lands in, so that the caller can tell secrets by where they flow. */
  onEnvUsed?: (name: string, value: string, path: readonly (string | number)[]) => void;
}

function lookup(scope: TemplateScope, expression: string, envHint = "set it in the environment", parts: readonly string[] = expression.split(".")): unknown {
  const root = parts[0] as string;
  if (!Object.hasOwn(scope, root)) {
    const known = Object.keys(scope).sort().join(", ") || "none";
    throw new TemplateError(`unknown variable "${expression}" in {{ ${expression} }}: known roots here are ${known}`);
  }
  let value: unknown = scope[root];
  for (let i = 1; i < parts.length; i++) {
    const key = parts[i] as string;
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) {
      const where = parts.slice(0, i).join(".");
      const keys = value !== null && typeof value === "object" ? Object.keys(value).sort() : [];
      const hint =
        root === "env"
          ? `the environment given to the spec has no ${key}: ${envHint}`
          : keys.length
            ? `known: ${keys.slice(0, 12).join(", ")}`
            : `${where} has no fields`;
      throw new TemplateError(`unknown variable "${expression}" in {{ ${expression} }} (${hint})`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  if (value === undefined || value === null) {
    throw new TemplateError(`variable "${expression}" has no value`);
  }
  if (typeof value === "object") {
    throw new TemplateError(`variable "${expression}" is an object; name one of its fields: ${Object.keys(value).join(", ")}`);
  }
  return value;
}

/**
 * Renders one string. When the whole string is exactly one expression, the variable's own type is
 * kept (so `retries: "{{ vars.retries }}"` can yield a number).
 */
export function renderString(template: string, scope: TemplateScope, options: RenderOptions = {}, path: readonly (string | number)[] = []): unknown {
  if (!template.includes("{{")) return template;
  const compiled = compile(template);
  const resolve = (e: Expression, whole = false): unknown => {
    if (!e.valid) {
      throw new TemplateError(`"${e.raw}" is not a variable reference: use {{ vars.name }}, {{ env.NAME }}, {{ item }} or {{ task.id }}`);
    }
    if (options.deferRoots?.has(e.root)) return e.raw;
    if (e.root === "env" && options.onMissingEnv) {
      const name = e.expression.slice(4);
      const env = scope.env as Record<string, unknown> | undefined;
      if (!name.includes(".") && (env === undefined || !Object.hasOwn(env, name))) {
        const instead = options.onMissingEnv(name, path, whole);
        if (instead !== undefined) return instead;
      }
    }
    const value = lookup(scope, e.expression, options.envHint, e.parts);
    if (e.root === "env" && options.onEnvUsed) options.onEnvUsed(e.expression.slice(4), String(value), path);
    return value;
  };
  if (compiled.whole) return resolve(compiled.whole, true);
  // Bounded while it grows: one value referenced many times must not build a string of gigabytes.
  let length = template.length;
  let out = "";
  for (const piece of compiled.pieces) {
    if (typeof piece === "string") {
      out += piece;
      continue;
    }
    const value = String(resolve(piece));
    length += value.length - piece.raw.length;
    if (length > LIMITS.renderedStringBytes)
      throw new TemplateError(`renders to more than ${LIMITS.renderedStringBytes / 1024 / 1024} MB; a Batch request is at most 1 MB`);
    out += value;
  }
  return out;
}

/** One `{{ ... }}` of a template, parsed once. */
interface Expression {
  raw: string;
  expression: string;
  valid: boolean;
  root: string;
  parts: string[];
}

/** A template split into text and expressions; the same string rendered for 100,000 tasks is parsed once. */
interface Compiled {
  /** The whole string is this one expression (its value keeps its type). */
  whole?: Expression;
  pieces: (string | Expression)[];
}

const compiledTemplates = new Map<string, Compiled>();
const MAX_COMPILED = 10_000;

function compile(template: string): Compiled {
  const known = compiledTemplates.get(template);
  if (known) return known;
  const expression = (raw: string, text: string): Expression => {
    const parts = text.split(".");
    return { raw, expression: text, valid: PATH.test(text), root: parts[0] as string, parts };
  };
  const whole = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(template);
  const compiled: Compiled = { pieces: [] };
  if (whole) compiled.whole = expression(template, whole[1] as string);
  else {
    let last = 0;
    for (const m of template.matchAll(EXPRESSION)) {
      if (m.index > last) compiled.pieces.push(template.slice(last, m.index));
      compiled.pieces.push(expression(m[0], m[1] as string));
      last = m.index + m[0].length;
    }
    if (last < template.length) compiled.pieces.push(template.slice(last));
  }
  if (compiledTemplates.size >= MAX_COMPILED) compiledTemplates.clear();
  compiledTemplates.set(template, compiled);
  return compiled;
}

/** Renders every string inside a JSON-like value. `onError` receives the failing path. */
export function renderDeep(
  value: unknown,
  scope: TemplateScope,
  options: RenderOptions,
  path: (string | number)[],
  onError: (path: (string | number)[], message: string) => void,
): unknown {
  // One path array, grown and shrunk as the walk goes (callbacks get it while they run, or a copy).
  return renderAt(value, scope, options, [...path], onError);
}

function renderAt(
  value: unknown,
  scope: TemplateScope,
  options: RenderOptions,
  path: (string | number)[],
  onError: (path: (string | number)[], message: string) => void,
): unknown {
  if (typeof value === "string") {
    if (!value.includes("{{")) return value;
    try {
      return renderString(value, scope, options, path);
    } catch (error) {
      if (error instanceof TemplateError) {
        onError([...path], error.message);
        return value;
      }
      throw error;
    }
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      out[i] = renderAt(value[i], scope, options, path, onError);
      path.pop();
    }
    return out;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      path.push(k);
      out[k] = renderAt((value as Record<string, unknown>)[k], scope, options, path, onError);
      path.pop();
    }
    return out;
  }
  return value;
}

/** True when a string anywhere inside a JSON-like value holds `{{`. */
export function holdsTemplate(value: unknown): boolean {
  if (typeof value === "string") return value.includes("{{");
  if (Array.isArray(value)) return value.some(holdsTemplate);
  if (value !== null && typeof value === "object") return Object.values(value).some(holdsTemplate);
  return false;
}
