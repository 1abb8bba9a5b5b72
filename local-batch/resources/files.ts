/** Task and node files: the listing of a task's directory, and one file of a task or a node (GET with `ocp-range`, HEAD for its properties). */
import { open } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { writeInt64 } from "../../shared/batch/apiVersion.js";
import { notFound } from "../errors.js";
import { list } from "./listing.js";
import { fileInfo, listFiles } from "../runtime/taskRunner.js";
import { apiVersionOf, taskOf, type Reply, type ServiceContext } from "../state.js";
import { getNode } from "./pools.js";

function taskDirOf(ctx: ServiceContext, jobId: string, taskId: string): string {
  const t = taskOf(ctx, jobId, taskId);
  if (!t.taskDir) throw notFound("File", taskId);
  return t.taskDir;
}

export async function listTaskFiles(ctx: ServiceContext, jobId: string, taskId: string, url: URL): Promise<Reply> {
  const dir = taskDirOf(ctx, jobId, taskId);
  const files = await listFiles(dir, url.searchParams.get("recursive") === "true");
  const items = files.map((f) => ({
    name: f.name,
    url: `${ctx.baseUrl}/jobs/${jobId}/tasks/${taskId}/files/${f.name}`,
    isDirectory: f.isDirectory,
    // An int64: a JSON number under 2024-07-01.20.0, a JSON string from 2025-06-01 on.
    properties: {
      creationTime: f.ctime.toISOString(),
      lastModified: f.mtime.toISOString(),
      contentLength: writeInt64(apiVersionOf(url), f.size),
      contentType: "application/octet-stream",
    },
  }));
  return list(items, url, ctx.baseUrl);
}

export async function getTaskFile(ctx: ServiceContext, jobId: string, taskId: string, path: string, req: IncomingMessage): Promise<Reply> {
  return serveFile(taskDirOf(ctx, jobId, taskId), path, req, `${ctx.baseUrl}/jobs/${jobId}/tasks/${taskId}/files/${path}`);
}

/** A file of a node, from its root (`startup/stderr.txt` is its start task's error output), as `GET .../nodes/{node}/files/{path}` gives it. */
export async function getNodeFile(ctx: ServiceContext, poolId: string, nodeId: string, path: string, req: IncomingMessage): Promise<Reply> {
  const node = getNode(ctx, poolId, nodeId);
  if (!node.dirs) throw notFound("File", path);
  return serveFile(node.dirs.root, path, req, `${ctx.baseUrl}/pools/${poolId}/nodes/${nodeId}/files/${path}`);
}

/** One file under a folder, never outside it: whole, or the `ocp-range` asked for; HEAD gives its properties. */
async function serveFile(dir: string, path: string, req: IncomingMessage, fileUrl: string): Promise<Reply> {
  const full = join(dir, path);
  if (!full.startsWith(dir + "/")) throw notFound("File", path);
  const info = await fileInfo(full);
  if (!info || info.isDirectory) throw notFound("File", path);
  const headers = {
    "content-type": "application/octet-stream",
    "last-modified": info.mtime.toUTCString(),
    etag: `0x${info.mtime.getTime().toString(16).toUpperCase()}`,
    "ocp-creation-time": info.ctime.toUTCString(),
    "ocp-batch-file-isdirectory": "false",
    "ocp-batch-file-url": fileUrl,
    "ocp-batch-file-mode": "0100644",
  };
  if (req.method === "HEAD") return { status: 200, headers: { ...headers, "content-length": String(info.size) }, raw: Buffer.alloc(0) };
  const f = await open(full, "r");
  try {
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers["ocp-range"] ?? ""));
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
    const length = Math.max(0, end - start + 1);
    const buffer = Buffer.alloc(length);
    if (length > 0) await f.read(buffer, 0, length, start);
    return { status: 200, headers: { ...headers, "content-length": String(length) }, raw: buffer };
  } finally {
    await f.close();
  }
}
