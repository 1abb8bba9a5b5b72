/** Answers for reads: one entity with `$select` and its ETag, or a page of a list with `$filter`, `$select` and `odata.nextLink`. */
import { parseFilter, select } from "../odata.js";
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
