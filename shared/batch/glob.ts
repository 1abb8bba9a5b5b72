/**
 * The one glob implementation, with the wildcards Batch documents for `OutputFile.filePattern`:
 * `*` matches zero or more characters within a path segment, `**` any number of directories,
 * `?` one character, `[abc]` / `[a-c]` one character of a set or range, `[!abc]` one character
 * not in it, and a wildcard in brackets is literal (`abc[*]`). A file name that starts with "."
 * is matched only by a pattern segment that starts with "." too.
 *
 * The spec's `dependsOn` patterns use it as well: task ids have no "/", so there `*` matches any
 * run of characters, compared ignoring case as Batch compares ids.
 */
export interface GlobOptions {
  ignoreCase?: boolean;
}

function escape(c: string): string {
  return c.replace(/[.+^${}()|[\]\\*?/]/g, "\\$&");
}

/** The body of a bracket expression starting after `[`; returns the regex class and the index after `]`. */
function bracket(pattern: string, start: number): { source: string; end: number } | undefined {
  let i = start;
  let negate = false;
  if (pattern[i] === "!") {
    negate = true;
    i++;
  }
  let body = "";
  for (let first = true; i < pattern.length; i++, first = false) {
    const c = pattern[i] as string;
    if (c === "]" && !first) return { source: `[${negate ? "^/" : ""}${body}]`, end: i + 1 };
    if (c === "-" && !first && pattern[i + 1] !== "]") body += "-";
    else body += c.replace(/[\\\]^[-]/g, "\\$&");
  }
  return undefined;
}

export function globToRegExp(pattern: string, options: GlobOptions = {}): RegExp {
  let re = "";
  let segmentStart = true;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    // A leading wildcard must not match the "." that starts a hidden file's name.
    const noDot = segmentStart ? "(?!\\.)" : "";
    segmentStart = false;
    if (c === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        re += "(?:(?!\\.)[^/]*/)*";
        segmentStart = true;
      } else re += "(?:(?!\\.)[^/]*/)*(?!\\.)[^/]*";
    } else if (c === "*") re += `${noDot}[^/]*`;
    else if (c === "?") re += `${noDot}[^/]`;
    else if (c === "[") {
      const b = bracket(pattern, i + 1);
      if (b) {
        re += noDot + b.source;
        i = b.end - 1;
      } else re += "\\[";
    } else {
      re += escape(c);
      if (c === "/") segmentStart = true;
    }
  }
  return new RegExp(`^${re}$`, options.ignoreCase ? "i" : "");
}

/** True when the text holds a wildcard (`*`, `?` or a bracket expression). */
export function hasWildcard(pattern: string): boolean {
  return /[*?]|\[[^\]]+\]/.test(pattern);
}
