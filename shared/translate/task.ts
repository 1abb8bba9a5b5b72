/** Spec -> `TaskAddParameter` (the entries of POST /jobs/{id}/addtaskcollection). */
import type { TaskAddParameter } from "../batch/types.js";
import type { ResolvedTask } from "../workload/expand.js";
import type { PoolFacts } from "../workload/rules.js";
import {
  applicationPackageReferences,
  compact,
  constraints,
  containerRegistry,
  containerSettings,
  environmentSettings,
  outputFiles,
  resourceFiles,
  userIdentity,
} from "./common.js";

export function translateTask(task: ResolvedTask, facts: PoolFacts): TaskAddParameter {
  const deps = task.dependsOn;
  return compact<TaskAddParameter>({
    id: task.id,
    displayName: task.displayName,
    // An empty command line makes Batch run the image's ENTRYPOINT.
    commandLine: task.command ?? "",
    containerSettings:
      task.registry && task.image !== undefined ? { ...containerSettings(task)!, registry: containerRegistry(task.registry) } : containerSettings(task),
    resourceFiles: resourceFiles(task.resources),
    outputFiles: outputFiles(task.outputs),
    environmentSettings: environmentSettings(task.env),
    constraints: constraints(task),
    requiredSlots: task.requiredSlots,
    userIdentity: userIdentity(task, facts),
    dependsOn:
      deps && (deps.taskIds.length || deps.taskIdRanges.length)
        ? compact({ taskIds: deps.taskIds.length ? deps.taskIds : undefined, taskIdRanges: deps.taskIdRanges.length ? deps.taskIdRanges : undefined })
        : undefined,
    applicationPackageReferences: applicationPackageReferences(task.applicationPackages),
  });
}
