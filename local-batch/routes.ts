/** The route table: `METHOD resource/{id}/sub/{sub}/files/{path}` to the handler of each operation. */
import type { IncomingMessage } from "node:http";
import type { JobAddParameter, JobScheduleAddParameter, PoolAddParameter, TaskAddParameter } from "../shared/batch/types.js";
import { SUPPORTED_IMAGES } from "../shared/batch/images.js";
import { validateBody } from "./bodies.js";
import { BatchErrors } from "./errors.js";
import { list, listTasks, one } from "./resources/listing.js";
import { getApplication, listedApplications } from "./resources/applications.js";
import { getNodeFile, getTaskFile, listTaskFiles } from "./resources/files.js";
import { addJob, deleteJob, jobView, patchJob, taskCounts, terminateJob } from "./resources/jobs.js";
import { addPool, deletePool, getNode, nodeView, patchPool, poolView, removePoolNodes, resizePool, restartPoolNode } from "./resources/pools.js";
import { addSchedule, deleteSchedule, scheduleView } from "./resources/schedules.js";
import { addTask, addTaskCollection, deleteTask, taskView, terminateTask } from "./resources/tasks.js";
import { apiVersionOf, jobOf, poolOf, scheduleOf, taskOf, type Reply, type ServiceContext } from "./state.js";

// eslint-disable-next-line max-lines-per-function -- one switch over the operations served, a line or two each
export function route(ctx: ServiceContext, method: string, url: URL, body: unknown, req: IncomingMessage): Promise<Reply> | Reply {
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const q = url.searchParams;
  const [root, id = "", sub, subId = "", fileWord, ...filePath] = parts;
  const key = `${method} ${root ?? ""}${parts.length > 1 ? "/{id}" : ""}${sub !== undefined ? `/${sub}` : ""}${parts.length > 3 ? "/{sub}" : ""}${fileWord !== undefined ? `/${fileWord}` : ""}${filePath.length ? "/{path}" : ""}`;
  const listOf = (items: Record<string, unknown>[]) => list(items, url, ctx.baseUrl);
  switch (key) {
    case "POST pools":
      return addPool(ctx, body as PoolAddParameter);
    case "GET pools":
      return listOf([...ctx.pools.values()].map((p) => poolView(ctx, p, apiVersionOf(url))));
    case "GET pools/{id}":
      return one(poolView(ctx, poolOf(ctx, id), apiVersionOf(url)), q);
    case "GET applications":
      return listOf(listedApplications(ctx));
    case "GET applications/{id}":
      return one(getApplication(ctx, id), q);
    case "GET supportedimages":
      return listOf(SUPPORTED_IMAGES as unknown as Record<string, unknown>[]);
    case "HEAD pools/{id}":
      return { status: ctx.pools.has(id.toLowerCase()) ? 200 : 404 };
    case "DELETE pools/{id}":
      return deletePool(ctx, id);
    case "PATCH pools/{id}":
      return patchPool(ctx, id, body);
    case "POST pools/{id}/resize":
      return resizePool(ctx, id, body);
    case "GET pools/{id}/nodes":
      return listOf(poolOf(ctx, id).nodes.map((n) => nodeView(ctx, id, n)));
    case "GET pools/{id}/nodes/{sub}":
      return one(nodeView(ctx, id, getNode(ctx, id, subId)), q);
    case "GET pools/{id}/nodes/{sub}/files/{path}":
    case "HEAD pools/{id}/nodes/{sub}/files/{path}":
      return getNodeFile(ctx, id, subId, filePath.join("/"), req);
    case "POST pools/{id}/removenodes":
      return removePoolNodes(ctx, id, body);
    case "POST pools/{id}/nodes/{sub}/reboot":
      return restartPoolNode(ctx, id, subId, "reboot", body);
    case "POST pools/{id}/nodes/{sub}/reimage":
      return restartPoolNode(ctx, id, subId, "reimage", body);
    case "POST jobs":
      validateBody(body, "JobAdd");
      return addJob(ctx, body as JobAddParameter);
    case "GET jobs":
      return listOf([...ctx.jobs.values()].map((j) => jobView(ctx, j)));
    case "GET jobs/{id}":
      return one(jobView(ctx, jobOf(ctx, id)), q);
    case "DELETE jobs/{id}":
      return deleteJob(ctx, id);
    case "PATCH jobs/{id}":
      return patchJob(ctx, id, body);
    case "POST jobs/{id}/terminate":
      if (body !== undefined) validateBody(body, "JobTerminate");
      return terminateJob(ctx, id, (body as { terminateReason?: string } | undefined)?.terminateReason ?? "UserTerminate");
    case "GET jobs/{id}/taskcounts":
      return { status: 200, body: taskCounts(jobOf(ctx, id)) };
    case "POST jobs/{id}/tasks":
      return addTask(ctx, id, body as TaskAddParameter);
    case "POST jobs/{id}/addtaskcollection":
      return addTaskCollection(ctx, id, body);
    case "GET jobs/{id}/tasks":
      return listTasks(jobOf(ctx, id).tasks, (t) => taskView(ctx, t), url, ctx.baseUrl);
    case "GET jobs/{id}/tasks/{sub}":
      return one(taskView(ctx, taskOf(ctx, id, subId)), q);
    case "DELETE jobs/{id}/tasks/{sub}":
      return deleteTask(ctx, id, subId);
    case "POST jobs/{id}/tasks/{sub}/terminate":
      return terminateTask(ctx, id, subId);
    case "GET jobs/{id}/tasks/{sub}/files":
      return listTaskFiles(ctx, id, subId, url);
    case "GET jobs/{id}/tasks/{sub}/files/{path}":
    case "HEAD jobs/{id}/tasks/{sub}/files/{path}":
      return getTaskFile(ctx, id, subId, filePath.join("/"), req);
    case "POST jobschedules":
      validateBody(body, "JobScheduleAdd");
      return addSchedule(ctx, body as JobScheduleAddParameter);
    case "GET jobschedules":
      return listOf([...ctx.schedules.values()].map((s) => scheduleView(ctx, s)));
    case "GET jobschedules/{id}":
      return one(scheduleView(ctx, scheduleOf(ctx, id)), q);
    case "HEAD jobschedules/{id}":
      return { status: ctx.schedules.has(id.toLowerCase()) ? 200 : 404 };
    case "DELETE jobschedules/{id}":
      return deleteSchedule(ctx, id);
    default:
      throw BatchErrors.invalidUri(`The requested URI does not represent any resource on the local Batch service: ${method} ${url.pathname}`);
  }
}
