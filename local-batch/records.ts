/** A task as the service holds it, and the states it goes through: below the task table and the service's state, which both use them. */
import type { TaskAddParameter } from "../shared/batch/types.js";

export type TaskState = "active" | "preparing" | "running" | "completed";

export interface TaskRecord {
  jobId: string;
  body: TaskAddParameter & { killJobOnCompletion?: boolean };
  kind: "task" | "manager";
  creationTime: string;
  state: TaskState;
  stateTransitionTime: string;
  previousState?: TaskState;
  previousStateTransitionTime?: string;
  eTag: string;
  lastModified: string;
  executionInfo: Record<string, unknown> & { retryCount: number; requeueCount: number };
  nodeInfo?: Record<string, unknown>;
  abort?: AbortController;
  endReason?: { code: string; message: string };
  taskDir?: string;
  order: number;
}
