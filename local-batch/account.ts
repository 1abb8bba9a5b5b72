/**
 * The local account's quotas and the VM sizes its region offers, as Batch keeps them: dedicated
 * cores per VM family and in all, Spot (low-priority) cores in all (Batch does not split them by
 * family), pools, and active jobs with job schedules. Generous by default, settable per service
 * (`LocalBatchOptions.account`), so that a test or a developer can see what a shortfall does.
 */

export interface AccountQuotas {
  /** Dedicated cores of the whole account. */
  dedicatedCores: number;
  /** Dedicated cores per VM family (`standardDSv3Family`: 100); a family not named has `defaultFamilyCores`. */
  dedicatedCoresPerFamily: Record<string, number>;
  defaultFamilyCores: number;
  /** Spot (low-priority) cores of the whole account. */
  lowPriorityCores: number;
  pools: number;
  activeJobsAndSchedules: number;
}

export const DEFAULT_QUOTAS: AccountQuotas = {
  dedicatedCores: 500,
  dedicatedCoresPerFamily: {},
  defaultFamilyCores: 500,
  lowPriorityCores: 500,
  pools: 100,
  activeJobsAndSchedules: 300,
};

export interface Sku {
  name: string;
  family: string;
  vCPUs: number;
  memoryGB: number;
  gpus?: number;
}

/** VM sizes Batch offers in a region today (a representative table, names and families as `virtualMachineSkus` gives them). */
export const SKUS: Sku[] = [
  { name: "Standard_A1_v2", family: "standardAv2Family", vCPUs: 1, memoryGB: 2 },
  { name: "Standard_A2_v2", family: "standardAv2Family", vCPUs: 2, memoryGB: 4 },
  { name: "Standard_A4_v2", family: "standardAv2Family", vCPUs: 4, memoryGB: 8 },
  { name: "Standard_D2s_v3", family: "standardDSv3Family", vCPUs: 2, memoryGB: 8 },
  { name: "Standard_D4s_v3", family: "standardDSv3Family", vCPUs: 4, memoryGB: 16 },
  { name: "Standard_D8s_v3", family: "standardDSv3Family", vCPUs: 8, memoryGB: 32 },
  { name: "Standard_D16s_v3", family: "standardDSv3Family", vCPUs: 16, memoryGB: 64 },
  { name: "Standard_D2_v3", family: "standardDv3Family", vCPUs: 2, memoryGB: 8 },
  { name: "Standard_D4_v3", family: "standardDv3Family", vCPUs: 4, memoryGB: 16 },
  { name: "Standard_D2s_v5", family: "standardDSv5Family", vCPUs: 2, memoryGB: 8 },
  { name: "Standard_D4s_v5", family: "standardDSv5Family", vCPUs: 4, memoryGB: 16 },
  { name: "Standard_D8s_v5", family: "standardDSv5Family", vCPUs: 8, memoryGB: 32 },
  { name: "Standard_D16s_v5", family: "standardDSv5Family", vCPUs: 16, memoryGB: 64 },
  { name: "Standard_D2ds_v5", family: "standardDDSv5Family", vCPUs: 2, memoryGB: 8 },
  { name: "Standard_E2s_v3", family: "standardESv3Family", vCPUs: 2, memoryGB: 16 },
  { name: "Standard_E4s_v3", family: "standardESv3Family", vCPUs: 4, memoryGB: 32 },
  { name: "Standard_F2s_v2", family: "standardFSv2Family", vCPUs: 2, memoryGB: 4 },
  { name: "Standard_F4s_v2", family: "standardFSv2Family", vCPUs: 4, memoryGB: 8 },
  { name: "Standard_F8s_v2", family: "standardFSv2Family", vCPUs: 8, memoryGB: 16 },
  { name: "Standard_NC6s_v3", family: "standardNCSv3Family", vCPUs: 6, memoryGB: 112, gpus: 1 },
  { name: "Standard_NC24s_v3", family: "standardNCSv3Family", vCPUs: 24, memoryGB: 448, gpus: 4 },
  { name: "Standard_NC4as_T4_v3", family: "standardNCASv3_T4Family", vCPUs: 4, memoryGB: 28, gpus: 1 },
  { name: "Standard_HB120rs_v3", family: "standardHBrsv3Family", vCPUs: 120, memoryGB: 448 },
];

/** The SKU of a VM size (Batch reads sizes case-insensitively); undefined for a size the region does not offer. */
export function skuOf(vmSize: string): Sku | undefined {
  const name = vmSize.toLowerCase();
  return SKUS.find((s) => s.name.toLowerCase() === name);
}

/** The account's quotas: the defaults, with what the service was given over them. */
export function quotasOf(given: Partial<AccountQuotas> | undefined): AccountQuotas {
  return {
    ...DEFAULT_QUOTAS,
    ...(given ?? {}),
    dedicatedCoresPerFamily: { ...DEFAULT_QUOTAS.dedicatedCoresPerFamily, ...(given?.dedicatedCoresPerFamily ?? {}) },
  };
}

export function familyQuota(quotas: AccountQuotas, family: string): number {
  const named = Object.entries(quotas.dedicatedCoresPerFamily).find(([f]) => f.toLowerCase() === family.toLowerCase());
  return named ? named[1] : quotas.defaultFamilyCores;
}

/** Cores in use: dedicated per family and in all, Spot in all. */
export interface CoreUse {
  dedicated: number;
  perFamily: Map<string, number>;
  lowPriority: number;
}

/** What the pools hold, in cores (`pools`: each pool's VM size and its dedicated and Spot node counts). */
export function coresInUse(pools: { vmSize: string; dedicated: number; lowPriority: number }[]): CoreUse {
  const use: CoreUse = { dedicated: 0, perFamily: new Map(), lowPriority: 0 };
  for (const p of pools) {
    const sku = skuOf(p.vmSize);
    if (!sku) continue;
    use.dedicated += p.dedicated * sku.vCPUs;
    use.perFamily.set(sku.family, (use.perFamily.get(sku.family) ?? 0) + p.dedicated * sku.vCPUs);
    use.lowPriority += p.lowPriority * sku.vCPUs;
  }
  return use;
}

/**
 * How many of the nodes asked for the quotas leave room for, given what other pools hold: each
 * dedicated node needs its cores in its family and in the account; each Spot node in the account's
 * Spot cores. The resize errors say which quota stopped it, with Batch's codes.
 */
export function allocatable(
  quotas: AccountQuotas,
  others: CoreUse,
  vmSize: string,
  wanted: { dedicated: number; lowPriority: number },
): { dedicated: number; lowPriority: number; errors: { code: string; message: string; values?: { name: string; value: string }[] }[] } {
  const sku = skuOf(vmSize);
  if (!sku) return { dedicated: 0, lowPriority: 0, errors: [] };
  const familyRoom = familyQuota(quotas, sku.family) - (others.perFamily.get(sku.family) ?? 0);
  const dedicatedRoom = Math.min(familyRoom, quotas.dedicatedCores - others.dedicated);
  const dedicated = Math.max(0, Math.min(wanted.dedicated, Math.floor(dedicatedRoom / sku.vCPUs)));
  const lowPriority = Math.max(0, Math.min(wanted.lowPriority, Math.floor((quotas.lowPriorityCores - others.lowPriority) / sku.vCPUs)));
  const errors: { code: string; message: string; values?: { name: string; value: string }[] }[] = [];
  if (dedicated < wanted.dedicated) {
    const byFamily = familyRoom < quotas.dedicatedCores - others.dedicated;
    errors.push({
      code: "AccountCoreQuotaReached",
      message: byFamily
        ? `The specified account has reached VM core quota for family ${sku.family}: ${wanted.dedicated} dedicated ${sku.name} nodes need ${wanted.dedicated * sku.vCPUs} cores, ${Math.max(0, familyRoom)} of the family's ${familyQuota(quotas, sku.family)} are free.`
        : `The specified account has reached VM core quota: ${wanted.dedicated} dedicated ${sku.name} nodes need ${wanted.dedicated * sku.vCPUs} cores, ${Math.max(0, quotas.dedicatedCores - others.dedicated)} of the account's ${quotas.dedicatedCores} are free.`,
      values: [
        { name: "VMFamily", value: sku.family },
        { name: "CoresRequested", value: String(wanted.dedicated * sku.vCPUs) },
        { name: "CoresAllocated", value: String(dedicated * sku.vCPUs) },
      ],
    });
  }
  if (lowPriority < wanted.lowPriority) {
    errors.push({
      code: "AccountLowPriorityCoreQuotaReached",
      message: `The specified account has reached low priority core quota: ${wanted.lowPriority} Spot ${sku.name} nodes need ${wanted.lowPriority * sku.vCPUs} cores, ${Math.max(0, quotas.lowPriorityCores - others.lowPriority)} of the account's ${quotas.lowPriorityCores} are free.`,
      values: [
        { name: "CoresRequested", value: String(wanted.lowPriority * sku.vCPUs) },
        { name: "CoresAllocated", value: String(lowPriority * sku.vCPUs) },
      ],
    });
  }
  return { dedicated, lowPriority, errors };
}
