// shared/batch/duration.ts
var DURATION_PATTERN = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
var UNLIMITED_DURATION = "P10675199DT2H48M5.4775807S";
function parseDuration(value) {
  const m = DURATION_PATTERN.exec(value);
  if (!m) return void 0;
  const [, w, d, h, min, sec] = m;
  return (((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 6e4 + Number(sec ?? 0) * 1e3;
}

// shared/batch/types.ts
var API_VERSION = "2024-07-01.20.0";
function isTaskCounts(value) {
  const v = value;
  return v !== void 0 && v !== null && ["active", "running", "completed", "succeeded", "failed"].every((k) => Number.isInteger(v[k]));
}

// shared/batch/glob.ts
function escape(c) {
  return c.replace(/[.+^${}()|[\]\\*?/]/g, "\\$&");
}
function bracket(pattern, start) {
  let i = start;
  let negate = false;
  if (pattern[i] === "!") {
    negate = true;
    i++;
  }
  let body = "";
  for (let first = true; i < pattern.length; i++, first = false) {
    const c = pattern[i];
    if (c === "]" && !first) return { source: `[${negate ? "^/" : ""}${body}]`, end: i + 1 };
    if (c === "-" && !first && pattern[i + 1] !== "]") body += "-";
    else body += c.replace(/[\\\]^[-]/g, "\\$&");
  }
  return void 0;
}
function globToRegExp(pattern, options = {}) {
  let re = "";
  let segmentStart = true;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
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
function hasWildcard(pattern) {
  return /[*?]|\[[^\]]+\]/.test(pattern);
}

export {
  globToRegExp,
  hasWildcard,
  DURATION_PATTERN,
  UNLIMITED_DURATION,
  parseDuration,
  API_VERSION,
  isTaskCounts
};
//# sourceMappingURL=chunk-PMK3HEV3.js.map
