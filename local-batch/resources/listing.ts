/** Answers for reads: one entity with `$select` and its ETag, or a page of a list with `$filter`, `$select` and `odata.nextLink`. */
import { parseFilter, select, selector } from "../odata.js";
import type { TaskTable } from "../taskTable.js";
import type { TaskRecord, TaskState } from "../state.js";
import { now, type Reply } from "../state.js";

export function one(view: Record<string, unknown>, query: URLSearchParams): Reply {
  return {
    status: 200,
    body: select(view, query.get("$select")),
    headers: { etag: String(view.eTag ?? ""), "last-modified": new Date(String(view.lastModified ?? now())).toUTCString() },
  };
}

/** A page of at most `maxresults` (1,000 at most), continued by an opaque skip token in odata.nextLink. */
export function list(items: Record<string, unknown>[], url: URL, baseUrl: string): Reply {
  const q = url.searchParams;
  const filtered = items.filter(parseFilter(q.get("$filter")));
  const max = Math.min(Number(q.get("maxresults") ?? 1000) || 1000, 1000);
  const skip = Number(q.get("skiptoken") ?? 0) || 0;
  const page = filtered.slice(skip, skip + max).map((i) => select(i, q.get("$select")));
  const body: Record<string, unknown> = { value: page };
  if (skip + max < filtered.length) {
    const link = new URL(url.pathname, baseUrl);
    link.search = q.toString();
    link.searchParams.set("skiptoken", String(skip + max));
    body["odata.nextLink"] = link.toString();
  }
  return { status: 200, body };
}

/** `state eq 'S'`, alone or with `and stateTransitionTime ge datetime'T'`: the filters a follower sends. */
const STATE_FILTER = /^\s*state eq '(active|preparing|running|completed)'\s*(?:and\s+stateTransitionTime ge datetime'([^']+)'\s*)?$/;

/**
 * A page of a job's tasks. The filters that follow a job (a state, and for completed tasks a time)
 * are answered from the table's indexes, and views are built for the page returned only; any other
 * filter is evaluated on every task's view, in arrival order.
 */
export function listTasks(table: TaskTable, view: (t: TaskRecord) => Record<string, unknown>, url: URL, baseUrl: string): Reply {
  const q = url.searchParams;
  const filter = q.get("$filter");
  const match = STATE_FILTER.exec(filter ?? "");
  // A time is indexed for completions only; any other state with a time takes the general path.
  const m = match && (match[2] === undefined || match[1] === "completed") ? match : null;
  if (filter && !m) return list([...table.values()].sort((a, b) => a.order - b.order).map(view), url, baseUrl);
  const max = Math.min(Number(q.get("maxresults") ?? 1000) || 1000, 1000);
  const skip = Number(q.get("skiptoken") ?? 0) || 0;
  let page: TaskRecord[];
  let next: number | undefined;
  if (m?.[1] === "completed") {
    const since = m[2] === undefined ? undefined : Date.parse(m[2]);
    ({ tasks: page, next } = table.completedSince(since, q.has("skiptoken") ? skip : undefined, max));
  } else {
    // No filter (the table holds the tasks in arrival order), or one state: walked, not copied.
    ({ page, next } = pageOf(m ? table.inStateOf(m[1] as TaskState) : table.values(), skip, max));
  }
  const pick = selector(q.get("$select"));
  const body: Record<string, unknown> = { value: page.map((t) => pick(view(t))) };
  if (next !== undefined) {
    const link = new URL(url.pathname, baseUrl);
    link.search = q.toString();
    link.searchParams.set("skiptoken", String(next));
    body["odata.nextLink"] = link.toString();
  }
  return { status: 200, body };
}

/** Items skip .. skip+max of an iterable, and where the next page starts if there is one. */
function pageOf<T>(items: Iterable<T>, skip: number, max: number): { page: T[]; next?: number } {
  const page: T[] = [];
  let i = 0;
  for (const item of items) {
    if (i++ < skip) continue;
    if (page.length === max) return { page, next: skip + max };
    page.push(item);
  }
  return { page };
}
