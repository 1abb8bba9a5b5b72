/** Pieces every task-like REST body shares: container settings, environment, files, identity. */
import type {
  ApplicationPackageReference,
  ContainerRegistry,
  EnvironmentSetting,
  OutputFile,
  ResourceFile,
  TaskConstraints,
  TaskContainerSettings,
  UserIdentity,
} from "../batch/types.js";
import type { ContainerTaskFields, PoolFacts } from "../workload/rules.js";
import type { ApplicationPackageSpec, OutputFileSpec, RegistrySpec, ResourceFileSpec } from "../workload/schema.js";

/** Drops keys whose value is undefined so that bodies carry only what the spec says. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key in value) if (value[key] !== undefined) out[key] = value[key];
  return out as T;
}

export function environmentSettings(env: Record<string, string | number | boolean> | undefined): EnvironmentSetting[] | undefined {
  if (!env || Object.keys(env).length === 0) return undefined;
  return Object.entries(env).map(([name, value]) => ({ name, value: String(value) }));
}

export function containerSettings(task: ContainerTaskFields): TaskContainerSettings | undefined {
  if (task.image === undefined) return undefined;
  return compact<TaskContainerSettings>({
    imageName: task.image,
    containerRunOptions: task.runOptions,
    workingDirectory: task.workingDirectory,
    containerHostBatchBindMounts: task.mounts?.map((m) => compact({ source: m.source, isReadOnly: m.readOnly })),
  });
}

/**
 * The auto-user a task runs as. Container tasks on Windows pools always run elevated; the loader
 * has already refused an explicit `nonadmin` there.
 */
export function userIdentity(task: ContainerTaskFields, facts: PoolFacts): UserIdentity | undefined {
  const scope = task.user?.scope;
  const elevation = task.user?.elevation ?? task.elevation ?? (facts.windows && task.image !== undefined ? "admin" : undefined);
  if (scope === undefined && elevation === undefined) return undefined;
  return { autoUser: compact({ scope, elevationLevel: elevation }) };
}

export function resourceFiles(resources: ResourceFileSpec[] | undefined): ResourceFile[] | undefined {
  return resources?.map((r) =>
    compact<ResourceFile>({
      httpUrl: r.url,
      storageContainerUrl: r.container,
      blobPrefix: r.prefix,
      filePath: r.path,
      fileMode: r.mode,
      identityReference: r.identity ? { resourceId: r.identity } : undefined,
    }),
  );
}

const UPLOAD_CONDITION = { taskSuccess: "tasksuccess", taskFailure: "taskfailure", taskCompletion: "taskcompletion" } as const;

export function outputFiles(outputs: OutputFileSpec[] | undefined): OutputFile[] | undefined {
  return outputs?.map((o) => ({
    filePattern: o.pattern,
    destination: {
      container: compact({ containerUrl: o.container, path: o.path, identityReference: o.identity ? { resourceId: o.identity } : undefined }),
    },
    uploadOptions: { uploadCondition: UPLOAD_CONDITION[o.when] },
  }));
}

export function constraints(task: { maxWallClock?: string; retention?: string; retries?: number }): TaskConstraints | undefined {
  if (task.maxWallClock === undefined && task.retention === undefined && task.retries === undefined) return undefined;
  return compact<TaskConstraints>({ maxWallClockTime: task.maxWallClock, retentionTime: task.retention, maxTaskRetryCount: task.retries });
}

export function containerRegistry(r: RegistrySpec): ContainerRegistry {
  return compact<ContainerRegistry>({
    registryServer: r.server,
    username: r.username,
    password: r.password,
    identityReference: r.identity ? { resourceId: r.identity } : undefined,
  });
}

/** A task's packages, by application id (a pool's name the application by its resource id: see translatePool). */
export function applicationPackageReferences(
  packages: ApplicationPackageSpec[] | undefined,
  applicationId: (id: string) => string = (id) => id,
): ApplicationPackageReference[] | undefined {
  if (!packages?.length) return undefined;
  return packages.map((p) => compact<ApplicationPackageReference>({ applicationId: applicationId(p.id), version: p.version }));
}
