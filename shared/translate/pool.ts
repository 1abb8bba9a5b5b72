/** Spec -> `PoolAddParameter` (POST /pools). */
import type { PoolAddParameter, StartTask } from "../batch/types.js";
import type { Workload } from "../workload/types.js";
import { applicationResourceId, type AccountCoordinates } from "../batch/applications.js";
import { applicationPackageReferences, compact, containerRegistry, containerSettings, environmentSettings, resourceFiles, userIdentity } from "./common.js";

export function translateStartTask(workload: Workload): StartTask | undefined {
  const start = workload.pool.startTask;
  if (!start) return undefined;
  return compact<StartTask>({
    commandLine: start.command,
    containerSettings: containerSettings(start),
    resourceFiles: resourceFiles(start.resources),
    environmentSettings: environmentSettings(start.env),
    userIdentity: userIdentity({ ...start, user: start.elevation ? { scope: "pool", elevation: start.elevation } : undefined }, workload.facts),
    maxTaskRetryCount: start.retries,
    // A node is only useful once its start task succeeded; Batch's own default is true as well.
    waitForSuccess: start.waitForSuccess ?? true,
  });
}

/**
 * The account a pool's packages are in, for their resource ids: what the run found, or the spec's
 * `account`; a part not known yet stays a placeholder (`{resourceGroup}`), as a plan shows it.
 */
export function poolAccount(workload: Workload, found?: AccountCoordinates): AccountCoordinates {
  const a = workload.spec.account ?? {};
  return {
    subscription: found?.subscription ?? a.subscription ?? "{subscription}",
    resourceGroup: found?.resourceGroup ?? a.resourceGroup ?? "{resourceGroup}",
    name: found?.name ?? a.name ?? "{accountName}",
  };
}

export function translatePool(workload: Workload, account?: AccountCoordinates): PoolAddParameter {
  const pool = workload.pool;
  const where = account ?? poolAccount(workload);
  const image = pool.image.id
    ? { virtualMachineImageId: pool.image.id }
    : compact({ publisher: pool.image.publisher, offer: pool.image.offer, sku: pool.image.sku, version: pool.image.version ?? "latest" });
  const container = pool.container
    ? compact({
        type: pool.container.type,
        containerImageNames: pool.container.prefetch,
        containerRegistries: pool.container.registries?.map(containerRegistry),
      })
    : undefined;
  const scaling = pool.autoscale
    ? { enableAutoScale: true, autoScaleFormula: pool.autoscale.formula, autoScaleEvaluationInterval: pool.autoscale.interval }
    : { targetDedicatedNodes: pool.nodes?.dedicated ?? 1, targetLowPriorityNodes: pool.nodes?.spot ?? 0 };
  return compact<PoolAddParameter>({
    id: pool.id,
    displayName: pool.displayName,
    vmSize: pool.vmSize,
    virtualMachineConfiguration: compact({
      imageReference: image,
      nodeAgentSKUId: pool.nodeAgentSku,
      containerConfiguration: container,
      // On ubuntu-hpc images Docker keeps its images on the OS disk.
      osDisk: pool.osDisk ? { diskSizeGB: pool.osDisk.sizeGB } : undefined,
    }),
    resizeTimeout: pool.resizeTimeout,
    ...compact(scaling),
    enableInterNodeCommunication: pool.interNodeCommunication,
    startTask: translateStartTask(workload),
    // "When creating a pool, the package's application ID must be fully qualified."
    applicationPackageReferences: applicationPackageReferences(pool.applicationPackages, (id) => applicationResourceId(where, id)),
    taskSlotsPerNode: pool.taskSlotsPerNode,
    metadata: pool.metadata ? Object.entries(pool.metadata).map(([name, value]) => ({ name, value })) : undefined,
  });
}
