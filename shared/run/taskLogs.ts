/** The tail of a task's `stderr.txt` / `stdout.txt`, read with a byte range instead of the whole file. */
import type { BatchClient } from "../client/batchClient.js";

export async function readTaskFileTail(client: BatchClient, jobId: string, taskId: string, file: string, maxBytes = 4096, signal?: AbortSignal): Promise<string | undefined> {
  const path = `/jobs/${encodeURIComponent(jobId)}/tasks/${encodeURIComponent(taskId)}/files/${file.split("/").map(encodeURIComponent).join("/")}`;
  const head = await client.send("HEAD", path, { accept: [404], signal });
  if (head.status === 404) return undefined;
  const length = Number(head.headers["content-length"] ?? "0");
  if (length === 0) return "";
  const start = Math.max(0, length - maxBytes);
  const response = await client.send("GET", path, { headers: { "ocp-range": `bytes=${start}-${length - 1}`, accept: "application/octet-stream" }, accept: [404], signal });
  if (response.status === 404) return undefined;
  let text = response.bodyText;
  // Drop a partial first line when the range starts mid-file.
  if (start > 0) text = text.slice(text.indexOf("\n") + 1);
  return text;
}

/** The last `lines` lines, trimmed. */
export function lastLines(text: string, lines = 20): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
