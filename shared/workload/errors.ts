/** One problem found in a workload spec, located by its field path. */
export interface SpecIssue {
  /** Field path such as `tasks.list[3].mounts[0].source`. */
  path: string;
  message: string;
}

/**
 * A workload spec that cannot be used. The message lists every issue, one per line,
 * each starting with the field path; the CLI maps it to exit code 2.
 */
export class SpecError extends Error {
  override readonly name = "SpecError";
  readonly issues: SpecIssue[];

  constructor(issues: SpecIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("\n"));
    this.issues = issues;
  }
}

/** Formats a path array from zod or from our own walkers as `a.b[3].c`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/**
 * Issues listed in one error at most: a mistake in an entry that expands to 100,000 tasks is the
 * same mistake 100,000 times, and a message of megabytes helps nobody.
 */
export const MAX_LISTED_ISSUES = 100;

/** Collects issues while a walker runs; throws them all at once (the first `MAX_LISTED_ISSUES`, and how many more). */
export class IssueCollector {
  readonly issues: SpecIssue[] = [];
  /** Issues found beyond the ones listed. */
  private more = 0;

  add(path: string, message: string): void {
    if (this.issues.length < MAX_LISTED_ISSUES) this.issues.push({ path, message });
    else this.more++;
  }

  throwIfAny(): void {
    if (this.issues.length === 0) return;
    const more = this.more
      ? [{ path: "", message: `... and ${this.more} more problem${this.more === 1 ? "" : "s"} (the first ${MAX_LISTED_ISSUES} are listed)` }]
      : [];
    throw new SpecError([...this.issues, ...more]);
  }
}
