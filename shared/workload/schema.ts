/**
 * The workload spec: the one declarative input of the CLI, the GitHub Action and the Function app.
 *
 * Written once with zod, which both validates (with field paths in its issues) and emits the JSON
 * Schema checked into `schema/workload.schema.json` for editor validation. Structural rules live
 * here; rules that need several fields at once (the Batch container rules) live in `rules.ts`.
 */
import { z } from "zod";
import { API_VERSIONS } from "../batch/apiVersion.js";
import { DURATION_PATTERN, parseDuration } from "../batch/duration.js";
import { MAX_DURATION_MS, VM_SIZE_PATTERN } from "../batch/limits.js";
import { APPLICATION_ID, APPLICATION_ID_RULE, APPLICATION_VERSION, APPLICATION_VERSION_RULE, MAX_POOL_PACKAGES } from "../batch/applications.js";

/** ISO 8601 duration as the Batch REST API takes it, e.g. `PT30M`, `P1DT2H`. */
export const Duration = z
  .string()
  .regex(DURATION_PATTERN, { error: "must be an ISO 8601 duration such as PT30M, PT2H or P1D" })
  .refine((d) => (parseDuration(d) ?? 0) <= MAX_DURATION_MS, {
    error: "is longer than the longest duration Batch holds (P10675199DT2H48M5.4775807S, about 29,000 years); leave it out for no limit",
  })
  .meta({ description: "ISO 8601 duration, e.g. PT30M", examples: ["PT30M", "PT2H", "P1D"] });

const EnvValue = z.union([z.string(), z.number(), z.boolean()]);
const EnvMap = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "environment variable names are letters, digits and _" }), EnvValue)
  .meta({ description: "Environment variables for the task" });

/** The REST definition's integers are int32: a larger count would be refused by Batch, or wrap. */
const INT32_MAX = 2_147_483_647;
const int32 = () =>
  z
    .int()
    .min(-INT32_MAX - 1)
    .max(INT32_MAX, { error: `must be at most ${INT32_MAX} (the Batch REST API's int32)` });

export const Elevation = z.enum(["nonadmin", "admin"]);

export const User = z
  .strictObject({
    scope: z.enum(["task", "pool"]).optional().meta({ description: "Auto-user scope" }),
    elevation: Elevation.optional(),
  })
  .meta({ description: "Run as the task or pool auto-user, with this elevation" });

export const MountSource = z.enum(["Shared", "Startup", "VfsMounts", "Task", "JobPrep", "Applications"]);

export const Mount = z
  .strictObject({
    source: MountSource.meta({ description: "Batch node path mounted into the container" }),
    readOnly: z.boolean().optional(),
  })
  .meta({ description: "containerHostBatchBindMounts entry" });

const ResourceFile = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .optional()
      .meta({ description: "httpUrl: one file (a SAS URL works)" }),
    container: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .optional()
      .meta({ description: "storageContainerUrl: a blob container (with SAS)" }),
    prefix: z.string().optional().meta({ description: "blobPrefix, with `container`" }),
    path: z.string().optional().meta({ description: "filePath relative to the task working directory" }),
    mode: z
      .string()
      .regex(/^[0-7]{3,4}$/, { error: "must be an octal file mode such as 0755" })
      .optional(),
    identity: z
      .string()
      .optional()
      .meta({ description: "identityReference: the resource id of a pool user-assigned identity that reads the blob or container (instead of a SAS)" }),
  })
  .refine((r) => (r.url === undefined) !== (r.container === undefined), {
    error: "give exactly one of `url` (one file) or `container` (a blob container)",
  });

const OutputFile = z.strictObject({
  pattern: z.string().min(1).meta({ description: "filePattern, e.g. out/**/*.png" }),
  container: z.url({ protocol: /^https?$/, error: "must be an http(s) blob container URL (with SAS, or use identity)" }),
  path: z.string().optional().meta({ description: "Blob path or virtual directory" }),
  identity: z.string().optional().meta({ description: "Resource id of a pool user-assigned identity used to upload" }),
  when: z.enum(["taskSuccess", "taskFailure", "taskCompletion"]).default("taskCompletion"),
});

/** An application package a node installs (applicationPackageReferences). */
const ApplicationPackage = z
  .strictObject({
    id: z.string().regex(APPLICATION_ID, { error: `must be an application id: ${APPLICATION_ID_RULE}` }),
    version: z
      .string()
      .regex(APPLICATION_VERSION, { error: `must be a package version: ${APPLICATION_VERSION_RULE}` })
      .optional()
      .meta({ description: "The package version; absent = the application's default version" }),
  })
  .meta({ description: "An application package: installed on the node, its folder in $AZ_BATCH_APP_PACKAGE_<id>_<version> (or _<id> for the default)" });

const ApplicationPackages = z.array(ApplicationPackage).meta({
  description: "Application packages installed before the task runs; with mounts, give the `Applications` source to see them in a container",
});

/** Batch has no package references on these tasks: the pool's packages are installed before them and their variables are set. */
const noPackages = (what: string) =>
  z
    .never({
      error: `${what} cannot reference application packages (Batch takes them on the pool, on tasks and on the job manager); list them in pool.applicationPackages, whose folders every task on the node sees`,
    })
    .optional();

/** Fields shared by every kind of task that can run in a container. */
const ContainerFields = {
  image: z.string().min(1).optional().meta({ description: "Container image; the task runs in it (containerSettings.imageName)" }),
  runOptions: z.string().optional().meta({ description: "Extra `docker create` options (containerRunOptions), passed through" }),
  workingDirectory: z
    .enum(["taskWorkingDirectory", "containerImageDefault"])
    .optional()
    .meta({ description: "Container working directory; Batch's default is taskWorkingDirectory" }),
  mounts: z.array(Mount).optional().meta({ description: "containerHostBatchBindMounts: absent = Batch default (whole node root), [] = nothing mounted" }),
};

const Registry = z
  .strictObject({
    server: z.string().min(1).meta({ description: "registryServer, e.g. myacr.azurecr.io" }),
    username: z.string().optional(),
    password: z.string().optional().meta({ description: 'Reference it from the environment: "{{ env.REG_PASSWORD }}"' }),
    identity: z.string().optional().meta({ description: "Resource id of a user-assigned identity of the pool (identityReference)" }),
  })
  .refine((r) => !(r.identity && (r.username || r.password)), { error: "use either `identity` or `username`/`password`, not both" })
  .refine((r) => Boolean(r.username) === Boolean(r.password), { error: "`username` and `password` go together" });

const TaskFieldsShape = {
  command: z.string().optional().meta({ description: 'Command line; "" runs the image ENTRYPOINT' }),
  displayName: z.string().max(1024).optional(),
  ...ContainerFields,
  registry: Registry.optional().meta({
    description: "The task's own registry (containerSettings.registry), for an image from a registry the pool does not list",
  }),
  user: User.optional(),
  env: EnvMap.optional(),
  resources: z.array(ResourceFile).optional(),
  outputs: z.array(OutputFile).optional(),
  maxWallClock: Duration.optional(),
  retention: Duration.optional(),
  retries: int32().min(-1).optional().meta({ description: "maxTaskRetryCount; -1 = unlimited" }),
  requiredSlots: int32().min(1).optional(),
  applicationPackages: ApplicationPackages.optional(),
};

export const TaskDefaults = z.strictObject(TaskFieldsShape).meta({ description: "Fields every task gets unless it sets them" });

/** `forEach: { blobs }`: a container listed when the spec runs, one task per matching blob. */
export const BlobSource = z
  .strictObject({
    container: z
      .url({
        protocol: /^https?$/,
        error: "must be a blob container URL: https://<account>.blob.core.windows.net/<container>, with a SAS (?sv=...) or read with the caller's identity",
      })
      .meta({ description: 'The container (with a SAS from the environment, e.g. "{{ env.INPUTS_URL }}", or without one: read with the caller\'s identity)' }),
    prefix: z.string().max(1024).optional().meta({ description: "Only blobs whose names start with this" }),
    pattern: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .meta({ description: "A glob over the blob name (* within a segment, ** across them), e.g. frames/**/*.exr" }),
    limit: int32().min(1).optional().meta({ description: "At most this many blobs (the first in name order)" }),
    identity: z
      .string()
      .optional()
      .meta({ description: "The resource id of a pool identity the task downloads its blob with (when the container URL has no SAS)" }),
  })
  .meta({
    description:
      "One task per blob: {{ item.name }}, {{ item.url }}, {{ item.fileName }} (safe in any path), {{ item.etag }}, {{ item.taskId }} (from name and ETag); the blob is the task's resource file at {{ item.fileName }}",
  });

const ForEach = z
  .union(
    [
      z.strictObject({
        range: z.array(int32()).min(2).max(3).meta({ description: "[first, last] or [first, last, step], inclusive" }),
      }),
      z.strictObject({ items: z.array(z.unknown()).min(1) }),
      z.strictObject({ zip: z.record(z.string(), z.array(z.unknown()).min(1)) }),
      z.strictObject({ product: z.record(z.string(), z.array(z.unknown()).min(1)) }),
      z.strictObject({ blobs: BlobSource }),
    ],
    { error: "give exactly one of range: [first, last], items: [...], zip: {name: [...]}, product: {name: [...]} or blobs: {container: <url>}" },
  )
  .meta({ description: "Expand one entry into many tasks: range, items, zip, product or the blobs of a container; {{ item }} names the element" });

const DependsOn = z.array(
  z.union(
    [
      z.string().min(1).meta({ description: "A task id, or a pattern with * matched against the other tasks' ids" }),
      z.strictObject({ range: z.tuple([int32().min(0), int32().min(0)]) }).meta({ description: "taskIdRanges: integer task ids, inclusive" }),
    ],
    { error: "each entry is a task id, a pattern with *, or { range: [first, last] }" },
  ),
);

export const TaskEntry = z.strictObject({
  id: z.string().min(1),
  ...TaskFieldsShape,
  forEach: ForEach.optional(),
  dependsOn: DependsOn.optional(),
});

const Image = z
  .strictObject({
    publisher: z.string().optional(),
    offer: z.string().optional(),
    sku: z.string().optional(),
    version: z.string().optional(),
    id: z.string().optional().meta({ description: "virtualMachineImageId (Azure Compute Gallery image)" }),
  })
  .refine((i) => (i.id ? !i.publisher && !i.offer && !i.sku : Boolean(i.publisher && i.offer && i.sku)), {
    error: "give `publisher`, `offer` and `sku` (Marketplace image), or `id` (gallery image), not both",
  });

const StartTask = z.strictObject({
  command: z.string().min(1),
  ...ContainerFields,
  elevation: Elevation.optional(),
  waitForSuccess: z.boolean().optional(),
  env: EnvMap.optional(),
  resources: z.array(ResourceFile).optional(),
  retries: int32().min(-1).optional(),
  applicationPackages: noPackages("the start task"),
});

export const PoolSpec = z
  .strictObject({
    id: z.string().min(1),
    displayName: z.string().max(1024).optional(),
    reuse: z.boolean().default(true).meta({ description: "Reuse an existing pool that matches; refuse one that differs" }),
    vmSize: z.string().regex(VM_SIZE_PATTERN, { error: "must be a VM size name such as Standard_D2s_v3: letters, digits, _ and -, no spaces" }),
    image: Image,
    osDisk: z
      .strictObject({ sizeGB: int32().min(1).max(4095).meta({ description: "virtualMachineConfiguration.osDisk.diskSizeGB" }) })
      .optional()
      .meta({ description: "The nodes' OS disk. On ubuntu-hpc images Docker keeps its images there: size it for the images the tasks pull" }),
    nodeAgentSku: z.string().optional().meta({ description: "nodeAgentSKUId; derived from the image where unambiguous" }),
    nodes: z.strictObject({ dedicated: int32().min(0).default(0), spot: int32().min(0).default(0) }).optional(),
    autoscale: z.strictObject({ formula: z.string().min(1), interval: Duration.optional() }).optional(),
    resizeTimeout: Duration.optional(),
    taskSlotsPerNode: int32().min(1).max(256).optional(),
    interNodeCommunication: z.boolean().optional(),
    container: z
      .strictObject({
        type: z.enum(["dockerCompatible", "criCompatible"], {
          error: "is required: dockerCompatible (Docker) or criCompatible (containerd); newer Batch API versions require it",
        }),
        prefetch: z.array(z.string().min(1)).optional().meta({ description: "containerImageNames pulled when nodes start" }),
        registries: z.array(Registry).optional(),
      })
      .optional(),
    startTask: StartTask.optional(),
    applicationPackages: z
      .array(ApplicationPackage)
      .max(MAX_POOL_PACKAGES, { error: `at most ${MAX_POOL_PACKAGES} application packages on a pool` })
      .optional()
      .meta({ description: "applicationPackageReferences: installed on every node as it joins the pool, before the start task" }),
    identity: z
      .array(
        z.string().regex(/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i, {
          error:
            "must be the resource id of a user-assigned managed identity (/subscriptions/.../providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME)",
        }),
      )
      .min(1)
      .optional()
      .meta({ description: "User-assigned managed identities of the pool; the pool is then created through Azure Resource Manager" }),
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .refine((p) => !(p.nodes && p.autoscale), { error: "give `nodes` or `autoscale`, not both" });

/** What the job's own tasks (preparation, release, manager) share. */
const JobTaskShape = {
  command: z.string(),
  ...ContainerFields,
  user: User.optional(),
  env: EnvMap.optional(),
  resources: z.array(ResourceFile).optional(),
  maxWallClock: Duration.optional(),
  retention: Duration.optional(),
};

const PrepTask = z.strictObject({
  id: z.string().optional(),
  ...JobTaskShape,
  retries: int32().min(-1).optional(),
  waitForSuccess: z.boolean().optional(),
  rerunOnNodeRebootAfterSuccess: z.boolean().optional(),
  applicationPackages: noPackages("the job preparation task"),
});

const ReleaseTask = z.strictObject({ id: z.string().optional(), ...JobTaskShape, applicationPackages: noPackages("the job release task") });

const ManagerTask = z.strictObject({
  id: z.string().default("manager"),
  displayName: z.string().max(1024).optional(),
  ...JobTaskShape,
  outputs: z.array(OutputFile).optional(),
  retries: int32().min(-1).optional(),
  requiredSlots: int32().min(1).optional(),
  killJobOnCompletion: z.boolean().optional(),
  runExclusive: z.boolean().optional(),
  allowLowPriorityNode: z.boolean().optional(),
  applicationPackages: ApplicationPackages.optional(),
});

export const JobSpec = z.strictObject({
  id: z.string().min(1),
  displayName: z.string().max(1024).optional(),
  priority: int32().min(-1000).max(1000).optional(),
  maxParallelTasks: int32().min(-1).optional(),
  maxWallClock: Duration.optional(),
  maxTaskRetries: int32().min(-1).optional(),
  onAllTasksComplete: z.enum(["noAction", "terminateJob"]).optional(),
  onTaskFailure: z.enum(["noAction", "performExitOptionsJobAction"]).optional(),
  env: EnvMap.optional().meta({ description: "commonEnvironmentSettings" }),
  preparation: PrepTask.optional(),
  release: ReleaseTask.optional(),
  manager: ManagerTask.optional(),
  schedule: z
    .strictObject({
      recurrence: Duration.optional(),
      startWindow: Duration.optional(),
      doNotRunUntil: z.iso.datetime({ offset: true }).optional(),
      doNotRunAfter: z.iso.datetime({ offset: true }).optional(),
    })
    .optional()
    .meta({ description: "Create a Batch job schedule (a new job each recurrence) instead of one job" }),
  metadata: z.record(z.string(), z.string()).optional(),
});

export const WorkloadSpec = z
  .strictObject({
    $schema: z.string().optional(),
    account: z
      .strictObject({
        url: z.url({ protocol: /^https?$/, error: "must be the account URL, e.g. https://myaccount.westeurope.batch.azure.com" }).optional(),
        apiVersion: z
          .enum(API_VERSIONS, { error: `must be one of ${API_VERSIONS.join(", ")}` })
          .optional()
          .meta({ description: "The data plane's api-version: 2025-06-01 (default) or 2024-07-01.20.0 for accounts or tools that still need it" }),
        subscription: z
          .string()
          .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: "must be an Azure subscription id (a GUID)" })
          .optional()
          .meta({ description: "The account's subscription, for Azure Resource Manager: pools with pool.identity, and the preflight's quotas and VM sizes" }),
        resourceGroup: z
          .string()
          .min(1)
          .max(90)
          .regex(/^[-\w._()]+$/, { error: "must be a resource group name" })
          .optional(),
        name: z
          .string()
          .regex(/^[a-z0-9]{3,24}$/, { error: "must be the Batch account's name: 3 to 24 lowercase letters and digits" })
          .optional()
          .meta({ description: "The account's name; with resourceGroup, found from the account URL when absent" }),
      })
      .optional()
      .meta({ description: "Batch account; AZURE_BATCH_ACCOUNT_URL or --account-url also set it" }),
    vars: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), EnvValue)
      .optional()
      .meta({ description: "Defaults for {{ vars.* }}; --var k=v overrides" }),
    notSecret: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/))
      .optional()
      .meta({ description: "Environment variables whose values may be shown in plans and logs (registry passwords stay secret whatever this says)" }),
    cleanup: z
      .enum(["job", "pool", "none"])
      .optional()
      .meta({ description: "After the run: delete the job, the job and the pool, or keep everything (default)" }),
    pool: PoolSpec,
    job: JobSpec,
    tasks: z
      .strictObject({
        defaults: TaskDefaults.optional(),
        list: z.array(TaskEntry),
      })
      .optional(),
  })
  .meta({ title: "azure-batch-run workload spec", description: "A container workload on Azure Batch: pool, job and tasks" });

export type WorkloadSpecInput = z.input<typeof WorkloadSpec>;
export type WorkloadSpec = z.output<typeof WorkloadSpec>;
export type PoolSpec = z.output<typeof PoolSpec>;
export type JobSpec = z.output<typeof JobSpec>;
export type TaskEntry = z.output<typeof TaskEntry>;
export type TaskDefaults = z.output<typeof TaskDefaults>;
export type ResourceFileSpec = z.output<typeof ResourceFile>;
export type OutputFileSpec = z.output<typeof OutputFile>;
export type MountSpec = z.output<typeof Mount>;
export type UserSpec = z.output<typeof User>;
export type RegistrySpec = z.output<typeof Registry>;
export type ForEachSpec = z.output<typeof ForEach>;
export type ApplicationPackageSpec = z.output<typeof ApplicationPackage>;
export type BlobSourceSpec = z.output<typeof BlobSource>;
export type DependsOnSpec = z.output<typeof DependsOn>;

/** The JSON Schema for editors, generated from the zod schema (input side: defaults are optional). */
export function workloadJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(WorkloadSpec, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
}
