/**
 * The Azure Batch container rules, checked when the spec loads so that a mistake costs a second
 * instead of a pool allocation. Each rule names the field and says what would be valid.
 */
import type { IssueCollector } from "./errors.js";
import { lowerBound, type ResolvedTask, type TaskIndex } from "./expand.js";
import type { JobSpec, MountSpec, PoolSpec, UserSpec } from "./schema.js";
import { checkCommandLine, checkEnvironment, checkImageName, checkOutputFiles, checkResourceFiles } from "./serviceLimits.js";

/** Batch ids: at most 64 characters of letters, digits, hyphens and underscores. */
export const BATCH_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Service limit on the total characters of `dependsOn.taskIds`. */
export const MAX_DEPENDS_ON_CHARS = 64_000;

export function checkId(value: string, path: string, issues: IssueCollector): void {
  if (BATCH_ID.test(value)) return;
  const why = value.length > 64 ? `is ${value.length} characters long` : `has characters outside [A-Za-z0-9_-]`;
  issues.add(path, `"${value}" ${why}; Batch ids are 1 to 64 letters, digits, hyphens and underscores`);
}

/** Windows pools are recognised by their node agent (`batch.node.windows amd64`). */
export function isWindowsPool(nodeAgentSku: string): boolean {
  return nodeAgentSku.toLowerCase().startsWith("batch.node.windows");
}

/** N-series sizes carry GPUs; Batch adds `--gpus` itself on them. */
export function isGpuVmSize(vmSize: string): boolean {
  return /^standard_n/i.test(vmSize);
}

/** RDMA-capable sizes: the `r` capability letter of H, HB, HC, HX, NC and ND sizes, and A8/A9. */
export function isRdmaVmSize(vmSize: string): boolean {
  return /^standard_(a8|a9|h\d+m?r(_.*)?|hb\d+.*|hc\d+.*|hx\d+.*|n[cd]\d+[a-z]*r[a-z]*(_.*)?)$/i.test(vmSize);
}

/**
 * The node agent SKU for well-known Batch container images. Returns undefined where the image
 * does not say it unambiguously; the spec must then name `nodeAgentSku`.
 */
export function deriveNodeAgentSku(image: PoolSpec["image"]): string | undefined {
  if (image.id || !image.publisher || !image.offer || !image.sku) return undefined;
  const publisher = image.publisher.toLowerCase();
  const offer = image.offer.toLowerCase();
  const sku = image.sku.toLowerCase();
  if (publisher === "microsoftwindowsserver" || (publisher === "microsoft-azure-batch" && offer.includes("windows"))) {
    return "batch.node.windows amd64";
  }
  const ubuntu = /(?:^|[^0-9])(18|20|22|24)[-_.]?04/.exec(`${offer} ${sku}`);
  if (ubuntu && (offer.includes("ubuntu") || publisher === "canonical")) return `batch.node.ubuntu ${ubuntu[1]}.04`;
  if (offer.includes("almalinux") || offer.includes("rockylinux")) {
    const major = /^(8|9)/.exec(sku);
    if (major) return `batch.node.el ${major[1]}`;
  }
  return undefined;
}

/** The fields of any task that can run in a container. */
export interface ContainerTaskFields {
  command?: string;
  image?: string;
  runOptions?: string;
  workingDirectory?: "taskWorkingDirectory" | "containerImageDefault";
  mounts?: MountSpec[];
  user?: UserSpec;
  elevation?: "admin" | "nonadmin";
}

export interface PoolFacts {
  windows: boolean;
  gpu: boolean;
  container: boolean;
  taskSlotsPerNode: number;
}

/**
 * Checks the container rules of one task (ordinary, start, preparation, release or manager).
 * The elevation itself is applied by the translation (admin for container tasks on Windows).
 */
export function checkContainerTask(task: ContainerTaskFields, path: string, pool: PoolFacts, issues: IssueCollector): void {
  const inContainer = task.image !== undefined;
  if (!inContainer) {
    for (const field of ["runOptions", "workingDirectory", "mounts"] as const) {
      if (task[field] !== undefined) issues.add(`${path}.${field}`, "applies to container tasks only; set `image` as well");
    }
    if (task.command === undefined || task.command.trim() === "") {
      issues.add(`${path}.command`, 'is required for a task that does not run in a container (only a container task may use "" to run the image ENTRYPOINT)');
    }
    return;
  }
  if (!pool.container) {
    issues.add(`${path}.image`, "the pool has no container configuration; add `pool.container` (type, prefetch, registries)");
  }
  const elevation = task.user?.elevation ?? task.elevation;
  if (pool.windows && elevation === "nonadmin") {
    issues.add(task.user ? `${path}.user.elevation` : `${path}.elevation`, "container tasks on Windows pools run as admin; remove it or set admin");
  }
  if (task.command !== undefined && /^\s*--entrypoint\b/.test(task.command)) {
    issues.add(`${path}.command`, "--entrypoint is a `docker create` option: put it in `runOptions`, and the arguments in `command`");
  }
  if (task.runOptions !== undefined && /(^|\s)--runtime(\s+|=)nvidia\b/.test(task.runOptions)) {
    issues.add(
      `${path}.runOptions`,
      pool.gpu
        ? "--runtime nvidia is gone from Azure's HPC images (no NVIDIA container runtime is installed); remove it: on N-series sizes Batch adds --gpus itself"
        : "--runtime nvidia is gone from Azure's HPC images (no NVIDIA container runtime is installed); use --gpus all",
    );
  }
  if (task.runOptions !== undefined && pool.gpu && /(^|\s)--gpus(\s|=|$)/.test(task.runOptions)) {
    issues.add(`${path}.runOptions`, "--gpus is refused on GPU pools: Batch adds it for N-series VM sizes; remove it");
  }
  if (task.mounts !== undefined) {
    const sources = task.mounts.map((m) => m.source);
    const duplicate = sources.find((s, i) => sources.indexOf(s) !== i);
    if (duplicate) issues.add(`${path}.mounts`, `mounts ${duplicate} twice; list each source once`);
    if (!sources.includes("Task") && task.workingDirectory !== "containerImageDefault") {
      issues.add(
        `${path}.workingDirectory`,
        "must be containerImageDefault when `mounts` does not include Task: the task working directory is not mounted into the container",
      );
    }
  }
}

/** Edges that id ranges add to the dependency graph are bounded: beyond this, ranges are checked one by one only. */
const MAX_RANGE_EDGES = 1_000_000;

/**
 * The checks of a spec's tasks, fed one task at a time (the tasks are a stream): ids and
 * duplicates from the id index, each task's own rules as it comes, and at the end the dependency
 * graph, kept as positions (numbers), never as tasks.
 */
export class TaskChecker {
  private readonly known?: Set<string>;
  /**
   * The dependency graph in compressed rows: task p waits for `targets[starts[p] .. starts[p + 1])`
   * (positions; 4 bytes an edge, however many tasks).
   */
  private readonly starts: Int32Array;
  private targets = new Int32Array(1024);
  private edgeCount = 0;
  private checked = 0;
  private rangeEdges = 0;
  usesDependencies = false;

  constructor(
    private readonly index: TaskIndex,
    private readonly pool: PoolFacts,
    private readonly issues: IssueCollector,
    private readonly identities: readonly string[] | undefined,
    sourceOf: (position: number) => string,
  ) {
    this.known = identities ? new Set(identities.map((i) => i.toLowerCase())) : undefined;
    this.starts = new Int32Array(index.ids.length + 1);
    index.ids.forEach((id, position) => {
      checkId(id, `${sourceOf(position)}.id`, issues);
      const first = index.byLowerId.get(id.toLowerCase()) as number;
      if (first !== position)
        issues.add(`${sourceOf(position)}.id`, `"${id}" is also the id of ${sourceOf(first)} ("${index.ids[first]}"); task ids are unique, ignoring case`);
    });
  }

  /** Task `position`'s own rules; tasks come in order, each once. */
  check(task: ResolvedTask, position: number): void {
    if (position !== this.checked) throw new Error(`tasks checked out of order: ${position} after ${this.checked - 1}`);
    this.checked++;
    this.starts[position + 1] = this.edgeCount;
    const { issues, known, identities, pool } = this;
    if (task.registry) {
      if (task.image === undefined) issues.add(`${task.source}.registry`, "applies to container tasks only; set `image` as well");
      if (known && task.registry.identity && !known.has(task.registry.identity.toLowerCase())) {
        issues.add(`${task.source}.registry.identity`, `is not one of pool.identity; a task pulls with an identity its pool has: ${identities!.join(", ")}`);
      }
    }
    const fileIdentities = [
      ...(task.resources ?? []).map((r, i) => [`resources[${i}]`, r.identity] as const),
      ...(task.outputs ?? []).map((o, i) => [`outputs[${i}]`, o.identity] as const),
    ];
    for (const [field, identity] of fileIdentities) {
      // Without pool.identity the spec may be using a pool made elsewhere with its identities: not checked here.
      if (identity === undefined || !known) continue;
      if (!known.has(identity.toLowerCase()))
        issues.add(
          `${task.source}.${field}.identity`,
          `is not one of pool.identity; a task reads and writes blobs with an identity its pool has: ${identities!.join(", ")}`,
        );
    }
    checkContainerTask(task, task.source, pool, issues);
    checkImageName(task.image, `${task.source}.image`, issues);
    checkCommandLine(task.command, `${task.source}.command`, issues);
    checkEnvironment(task.env, `${task.source}.env`, issues);
    checkResourceFiles(task.resources, `${task.source}.resources`, issues);
    checkOutputFiles(task.outputs, `${task.source}.outputs`, issues);
    if (task.requiredSlots !== undefined && task.requiredSlots > pool.taskSlotsPerNode) {
      issues.add(
        `${task.source}.requiredSlots`,
        `${task.requiredSlots} is more than pool.taskSlotsPerNode (${pool.taskSlotsPerNode}); the task could never be scheduled`,
      );
    }
    const deps = task.dependsOn;
    if (!deps) return;
    this.usesDependencies = true;
    const depChars = deps.taskIds.reduce((n, id) => n + id.length, 0);
    if (depChars > MAX_DEPENDS_ON_CHARS) {
      issues.add(
        `${task.source}.dependsOn`,
        `lists ${depChars} characters of task ids; Batch takes at most ${MAX_DEPENDS_ON_CHARS}: use id ranges or fewer, broader stages`,
      );
    }
    for (const d of deps.taskIds) this.addEdge(this.index.byLowerId.get(d.toLowerCase()) as number);
    const { values, positions } = this.index.integers;
    for (const r of deps.taskIdRanges) {
      for (
        let i = lowerBound(values, r.start);
        i < values.length && (values[i] as number) <= r.end && this.rangeEdges < MAX_RANGE_EDGES;
        i++, this.rangeEdges++
      ) {
        this.addEdge(positions[i] as number);
      }
    }
    this.starts[position + 1] = this.edgeCount;
  }

  private addEdge(target: number): void {
    if (this.edgeCount === this.targets.length) {
      const grown = new Int32Array(this.targets.length * 2);
      grown.set(this.targets);
      this.targets = grown;
    }
    this.targets[this.edgeCount++] = target;
  }

  /** After the last task: a cycle in `dependsOn` (a task waiting for itself through others) would wait forever. */
  finish(): void {
    const cycle = this.findCycle();
    if (cycle) this.issues.add("tasks.list", `dependsOn forms a cycle: ${cycle.map((p) => this.index.ids[p]).join(" -> ")}; those tasks would never start`);
  }

  private findCycle(): number[] | undefined {
    const { starts, targets } = this;
    const n = this.index.ids.length;
    // Iterative depth-first search (a chain of 100,000 tasks must not overflow the stack).
    const state = new Uint8Array(n);
    for (let root = 0; root < n; root++) {
      if (state[root] || starts[root] === starts[root + 1]) continue;
      const path: number[] = [root];
      const cursor: number[] = [starts[root] as number];
      state[root] = 1;
      while (path.length > 0) {
        const at = path[path.length - 1] as number;
        const edge = cursor[cursor.length - 1] as number;
        if (edge >= (starts[at + 1] as number)) {
          state[at] = 2;
          path.pop();
          cursor.pop();
          continue;
        }
        cursor[cursor.length - 1]!++;
        const next = targets[edge] as number;
        if (state[next] === 1) return [...path.slice(path.indexOf(next)), next];
        if (!state[next]) {
          state[next] = 1;
          path.push(next);
          cursor.push(starts[next] as number);
        }
      }
    }
    return undefined;
  }
}

export function checkPool(pool: PoolSpec, nodeAgentSku: string, facts: PoolFacts, issues: IssueCollector): void {
  checkId(pool.id, "pool.id", issues);
  const image = pool.image;
  const rdmaImage = [image.offer, image.sku, image.id].some((v) => v?.toLowerCase().includes("rdma"));
  if (rdmaImage && !isRdmaVmSize(pool.vmSize)) {
    issues.add(
      "pool.vmSize",
      `${pool.vmSize} has no RDMA network, which the -rdma image needs; use an RDMA size such as Standard_HB120rs_v3 or Standard_NC24rs_v3, or an image without -rdma`,
    );
  }
  if (pool.container?.prefetch) {
    const dup = pool.container.prefetch.find((n, i, all) => all.indexOf(n) !== i);
    if (dup) issues.add("pool.container.prefetch", `lists ${dup} twice`);
  }
  if (pool.startTask) {
    checkContainerTask(pool.startTask, "pool.startTask", facts, issues);
  }
  if (pool.identity) {
    const known = new Set(pool.identity.map((id) => id.toLowerCase()));
    if (known.size < pool.identity.length) issues.add("pool.identity", "lists an identity twice");
    pool.container?.registries?.forEach((r, i) => {
      if (r.identity && !known.has(r.identity.toLowerCase())) {
        issues.add(
          `pool.container.registries[${i}].identity`,
          `is not one of pool.identity; a pool pulls with an identity it has: ${pool.identity!.join(", ")}`,
        );
      }
    });
  }
  if (isWindowsPool(nodeAgentSku) && pool.container?.type === "criCompatible") {
    issues.add("pool.container.type", "criCompatible is for Linux pools; Windows pools use dockerCompatible");
  }
}

/**
 * The account's ARM coordinates are needed exactly when the pool is created through Azure Resource
 * Manager, which is when it has a managed identity (the data plane cannot give it one).
 */
export function checkArmCoordinates(
  account: { subscription?: string; resourceGroup?: string; name?: string } | undefined,
  pool: PoolSpec,
  issues: IssueCollector,
): void {
  const arm = pool.identity !== undefined;
  if (arm && !account?.subscription) {
    issues.add(
      "account.subscription",
      "is required with pool.identity: only Azure Resource Manager can give a pool a managed identity, in the account's subscription",
    );
  }
  // Without an identity the subscription still serves the preflight (the account's quotas and VM sizes, through ARM).
  if (!arm && !account?.subscription) {
    for (const field of ["resourceGroup", "name"] as const) {
      if (account?.[field] !== undefined)
        issues.add(`account.${field}`, "goes with account.subscription (Azure Resource Manager): give the subscription too, or remove it");
    }
  }
  if (account?.subscription && (account.resourceGroup === undefined) !== (account.name === undefined)) {
    issues.add(
      account.resourceGroup === undefined ? "account.resourceGroup" : "account.name",
      "goes with the other: give account.resourceGroup and account.name together, or neither (the account is then found from its URL)",
    );
  }
}

export function checkJob(job: JobSpec, taskIds: readonly string[], facts: PoolFacts, issues: IssueCollector, tasksPending = false): void {
  checkId(job.id, job.schedule ? "job.id (the job schedule id)" : "job.id", issues);
  if (job.preparation) {
    if (job.preparation.id !== undefined) checkId(job.preparation.id, "job.preparation.id", issues);
    checkContainerTask(job.preparation, "job.preparation", facts, issues);
  }
  if (job.release) {
    if (job.release.id !== undefined) checkId(job.release.id, "job.release.id", issues);
    checkContainerTask(job.release, "job.release", facts, issues);
  }
  if (job.manager) {
    checkId(job.manager.id, "job.manager.id", issues);
    if (job.manager.requiredSlots !== undefined && job.manager.requiredSlots > facts.taskSlotsPerNode) {
      issues.add(
        "job.manager.requiredSlots",
        `${job.manager.requiredSlots} is more than pool.taskSlotsPerNode (${facts.taskSlotsPerNode}); the job manager could never be scheduled`,
      );
    }
    if (facts.container && job.manager.image === undefined) {
      issues.add("job.manager.image", "is required: on a container pool the job manager task runs in a container (set it, or tasks.defaults.image)");
    } else checkContainerTask(job.manager, "job.manager", facts, issues);
    if (taskIds.some((id) => id.toLowerCase() === job.manager!.id.toLowerCase())) {
      issues.add("job.manager.id", `"${job.manager.id}" is also a task id; give the job manager another id`);
    }
  }
  if (job.release && !job.preparation) {
    issues.add("job.release", "needs job.preparation as well: Batch runs a release task only on nodes that ran the preparation task");
  }
  if (job.schedule) {
    if (!job.manager) {
      issues.add("job.schedule", "needs job.manager: each job the schedule creates starts empty, and its job manager task is what adds or runs the work");
    }
    if (taskIds.length > 0) {
      issues.add(
        "tasks.list",
        "cannot be used with job.schedule: tasks are added to one job, and a schedule creates a new job each recurrence; move the work into job.manager, or run on a timer from the Function app",
      );
    }
  } else if (taskIds.length === 0 && !job.manager && !tasksPending) {
    issues.add("tasks.list", "is empty: give at least one task, or a job.manager");
  }
}
