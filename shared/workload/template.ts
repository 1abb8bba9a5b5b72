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
  onMissingEnv?: (name: string, path: readonly (string | number)[]) => string | undefined;
  /** Called with each `env.*` value used and the field it lands in, so that the caller can tell secrets by where they flow. */
  onEnvUsed?: (name: string, value: string, path: readonly (string | number)[]) => void;
}

function lookup(scope: TemplateScope, expression: string, envHint = "set it in the environment"): unknown {
  const parts = expression.split(".");
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
      const hint = root === "env" ? `the environment given to the spec has no ${key}: ${envHint}` : keys.length ? `known: ${keys.slice(0, 12).join(", ")}` : `${where} has no fields`;
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
  const whole = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(template);
  const resolve = (expression: string, raw: string): unknown => {
    if (!PATH.test(expression)) {
      throw new TemplateError(`"${raw}" is not a variable reference: use {{ vars.name }}, {{ env.NAME }}, {{ item }} or {{ task.id }}`);
    }
    const root = expression.split(".")[0] as string;
    if (options.deferRoots?.has(root)) return raw;
    if (root === "env" && options.onMissingEnv) {
      const name = expression.slice(4);
      const env = scope.env as Record<string, unknown> | undefined;
      if (!name.includes(".") && (env === undefined || !Object.hasOwn(env, name))) {
        const instead = options.onMissingEnv(name, path);
        if (instead !== undefined) return instead;
      }
    }
    const value = lookup(scope, expression, options.envHint);
    if (root === "env" && options.onEnvUsed) options.onEnvUsed(expression.slice(4), String(value), path);
    return value;
  };
  if (whole) return resolve(whole[1] as string, template);
  // Bounded while it grows: one value referenced many times must not build a string of gigabytes.
  let length = template.length;
  return template.replace(EXPRESSION, (raw, expression: string) => {
    const value = String(resolve(expression, raw));
    length += value.length - raw.length;
    if (length > LIMITS.renderedStringBytes) throw new TemplateError(`renders to more than ${LIMITS.renderedStringBytes / 1024 / 1024} MB; a Batch request is at most 1 MB`);
    return value;
  });
}

/** Renders every string inside a JSON-like value. `onError` receives the failing path. */
export function renderDeep(
  value: unknown,
  scope: TemplateScope,
  options: RenderOptions,
  path: (string | number)[],
  onError: (path: (string | number)[], message: string) => void,
): unknown {
  if (typeof value === "string") {
    try {
      return renderString(value, scope, options, path);
    } catch (error) {
      if (error instanceof TemplateError) {
        onError(path, error.message);
        return value;
      }
      throw error;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => renderDeep(v, scope, options, [...path, i], onError));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(v, scope, options, [...path, k], onError);
    return out;
  }
  return value;
}

/** True when a string still holds a `{{ }}` expression. */
export function hasTemplate(value: string): boolean {
  return /\{\{[^{}]*\}\}/.test(value);
}
