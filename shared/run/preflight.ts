/**
 * Know before you spend: does the spec fit the account? What the pool needs — cores of its VM
 * family and of the account, Spot cores, one more pool, one more active job — against what the
 * account has and what its pools and jobs already hold; the VM size offered in the account's region;
 * the image supported. Quotas and VM sizes come from Azure Resource Manager (Microsoft Entra ID:
 * the account's `BatchAccount` resource and `Location_ListSupportedVirtualMachineSkus`); the rest from
 * the data plane. What could not be checked is said, never passed over.
 */
import { describeImage } from "../batch/images.js";
import type { CloudPool, PoolAddParameter } from "../batch/types.js";
import type { ArmClient } from "../client/armClient.js";
import type { BatchClient } from "../client/batchClient.js";
import { UsageError } from "../errors.js";
import { ARM_API_VERSION } from "../translate/armPool.js";
import { translatePool } from "../translate/pool.js";
import type { Workload } from "../workload/types.js";
import { ACCOUNT_ID, matchesEndpoint } from "./armPool.js";
import { checkPoolImage } from "./checkImage.js";
import { silentReporter, type ProgressReporter } from "./reporter.js";

/** One thing checked: `fits` false is a shortfall, undefined a check that could not be made. */
export interface PreflightCheck {
  name: "vmSize" | "familyCores" | "dedicatedCores" | "spotCores" | "pools" | "activeJobs" | "image";
  fits: boolean | undefined;
  /** One line: what is needed against what there is, and for a shortfall what to do. */
  text: string;
}

export interface PreflightReport {
  /** The pool the spec asks for, in one line. */
  summary: string;
  checks: PreflightCheck[];
  /** False when anything the spec needs does not fit. */
  fits: boolean;
  /** The report as lines, one per check: `ok`, `SHORT` or `not checked`. */
  lines: string[];
  /** What fits but is worth saying (an unverified image, one near its end of life). */
  warnings: string[];
}

export interface PreflightOptions {
  signal?: AbortSignal;
  /** The account's subscription (default the spec's `account.subscription`), for Azure Resource Manager. */
  subscription?: string;
  /** The time image end-of-life dates are judged at (default now). */
  now?: number;
}

interface ArmAccount {
  id?: string;
  location?: string;
  properties?: {
    accountEndpoint?: string;
    dedicatedCoreQuota?: number | null;
    lowPriorityCoreQuota?: number | null;
    dedicatedCoreQuotaPerVMFamily?: { name?: string; coreQuota?: number }[] | null;
    dedicatedCoreQuotaPerVMFamilyEnforced?: boolean;
    poolQuota?: number;
    activeJobAndJobScheduleQuota?: number;
  };
}

interface ArmSku {
  name?: string;
  familyName?: string;
  capabilities?: { name?: string; value?: string }[];
}

/** What the account has: its quotas and the VM sizes of its region, when ARM could be asked. */
interface AccountFacts {
  account?: ArmAccount;
  skus?: Map<string, { name: string; family: string; vCPUs: number }>;
  /** Why ARM was not asked, when it was not. */
  missing?: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The account resource and its region's VM sizes, through ARM; or why they could not be had. */
async function accountFacts(client: BatchClient, workload: Workload, options: PreflightOptions): Promise<AccountFacts> {
  const arm: ArmClient | undefined = client.arm;
  if (!arm) return { missing: "quotas and VM sizes need Microsoft Entra ID (Azure Resource Manager); this client has a Shared Key only" };
  const subscription = options.subscription ?? workload.spec.account?.subscription;
  if (!subscription) return { missing: "quotas and VM sizes need the account's subscription: set account.subscription in the spec" };
  let account: ArmAccount | undefined;
  for await (const a of arm.list<ArmAccount>(`/subscriptions/${encodeURIComponent(subscription)}/providers/Microsoft.Batch/batchAccounts`, {
    query: { "api-version": ARM_API_VERSION },
    signal: options.signal,
  })) {
    if (ACCOUNT_ID.test(a.id ?? "") && matchesEndpoint(a.properties?.accountEndpoint, client.accountUrl)) {
      account = a;
      break;
    }
  }
  if (!account?.location) return { missing: `no Batch account in subscription ${subscription} has the endpoint ${client.accountUrl.host}` };
  const skus = new Map<string, { name: string; family: string; vCPUs: number }>();
  for await (const s of arm.list<ArmSku>(
    `/subscriptions/${encodeURIComponent(subscription)}/providers/Microsoft.Batch/locations/${encodeURIComponent(account.location)}/virtualMachineSkus`,
    { query: { "api-version": ARM_API_VERSION }, signal: options.signal },
  )) {
    const vCPUs = Number(s.capabilities?.find((c) => c.name === "vCPUs")?.value);
    if (s.name && s.familyName && vCPUs > 0) skus.set(s.name.toLowerCase(), { name: s.name, family: s.familyName, vCPUs });
  }
  return { account, skus };
}

/** Nodes a pool holds or is on its way to: the larger of its current and target counts. */
const held = (p: CloudPool) => ({
  dedicated: Math.max(p.currentDedicatedNodes ?? 0, p.targetDedicatedNodes ?? 0),
  spot: Math.max(p.currentLowPriorityNodes ?? 0, p.targetLowPriorityNodes ?? 0),
});

/** One line for a quota: need against what is used of how much; a shortfall says by how much and what to do. */
function quotaCheck(name: PreflightCheck["name"], what: string, need: number, used: number, quota: number | undefined, todo: string): PreflightCheck {
  if (quota === undefined) return { name, fits: undefined, text: `${what}: need ${need}, ${used} in use; the quota could not be read` };
  const free = Math.max(0, quota - used);
  if (need <= free) return { name, fits: true, text: `${what}: need ${need}, ${used} in use of ${quota}` };
  return { name, fits: false, text: `${what}: need ${need}, ${used} in use of ${quota}: short by ${need - free}; ${todo}` };
}

// eslint-disable-next-line max-lines-per-function -- the checks in the order the report prints them, each a few lines over facts read once
export async function preflight(client: BatchClient, workload: Workload, options: PreflightOptions = {}): Promise<PreflightReport> {
  const { signal } = options;
  const wanted: PoolAddParameter = translatePool(workload);
  const nodes = { dedicated: wanted.targetDedicatedNodes ?? 0, spot: wanted.targetLowPriorityNodes ?? 0 };
  const facts = await accountFacts(client, workload, options);
  const pools: CloudPool[] = [];
  for await (const p of client.list<CloudPool>("/pools", {
    query: { $select: "id,vmSize,currentDedicatedNodes,currentLowPriorityNodes,targetDedicatedNodes,targetLowPriorityNodes" },
    signal,
  }))
    pools.push(p);
  const existing = pools.find((p) => p.id.toLowerCase() === wanted.id.toLowerCase());
  const others = pools.filter((p) => p !== existing);
  const checks: PreflightCheck[] = [];
  const sku = facts.skus?.get(wanted.vmSize.toLowerCase());
  const summary =
    `pool ${wanted.id}: ${plural(nodes.dedicated, "dedicated node")} and ${plural(nodes.spot, "Spot node")} of ${wanted.vmSize}` +
    (sku ? ` (${sku.family}, ${plural(sku.vCPUs, "vCPU")} each)` : "") +
    (existing ? `; the pool exists and is reused: it needs no new cores or pool` : "");
  const region = facts.account?.location;
  const warnings: string[] = [];

  if (facts.skus && !sku) {
    const sizes = [...facts.skus.values()].map((s) => s.name).slice(0, 8);
    checks.push({
      name: "vmSize",
      fits: false,
      text: `VM size ${wanted.vmSize}: not offered by Batch in ${region}; use one it offers (${sizes.join(", ")}${facts.skus.size > sizes.length ? ", ..." : ""})`,
    });
  } else if (sku) checks.push({ name: "vmSize", fits: true, text: `VM size ${sku.name}: offered in ${region}` });

  const props = facts.account?.properties;
  if (sku && props && !existing) {
    const cores = (p: CloudPool, kind: "dedicated" | "spot", family?: string) => {
      const s = facts.skus!.get((p.vmSize ?? "").toLowerCase());
      return s && (!family || s.family === family) ? held(p)[kind] * s.vCPUs : 0;
    };
    const familyUsed = others.reduce((n, p) => n + cores(p, "dedicated", sku.family), 0);
    const dedicatedUsed = others.reduce((n, p) => n + cores(p, "dedicated"), 0);
    const spotUsed = others.reduce((n, p) => n + cores(p, "spot"), 0);
    const need = nodes.dedicated * sku.vCPUs;
    if (nodes.dedicated > 0 && props.dedicatedCoreQuotaPerVMFamilyEnforced !== false) {
      const quota = props.dedicatedCoreQuotaPerVMFamily?.find((f) => f.name?.toLowerCase() === sku.family.toLowerCase())?.coreQuota ?? 0;
      checks.push(
        quotaCheck(
          "familyCores",
          `dedicated cores of ${sku.family}`,
          need,
          familyUsed,
          quota,
          `request a quota increase for ${sku.family} on the account, or use a VM size of a family with room`,
        ),
      );
    }
    if (nodes.dedicated > 0)
      checks.push(
        quotaCheck(
          "dedicatedCores",
          "dedicated cores of the account",
          need,
          dedicatedUsed,
          props.dedicatedCoreQuota ?? undefined,
          "request a dedicated core quota increase for the account, or ask for fewer nodes",
        ),
      );
    if (nodes.spot > 0)
      checks.push(
        quotaCheck(
          "spotCores",
          "Spot cores of the account",
          nodes.spot * sku.vCPUs,
          spotUsed,
          props.lowPriorityCoreQuota ?? undefined,
          "request a Spot (low-priority) core quota increase for the account, or use dedicated nodes",
        ),
      );
  }
  if (!existing) {
    checks.push(
      props
        ? quotaCheck("pools", "pools", 1, pools.length, props.poolQuota, "delete pools no longer used, or request a pool quota increase")
        : { name: "pools", fits: undefined, text: `pools: need 1, ${pools.length} in the account; the pool quota could not be read` },
    );
  }

  const jobExists = await client.send("GET", `/jobs/${encodeURIComponent(workload.job.id)}`, { query: { $select: "id,state" }, accept: [404], signal });
  if (jobExists.status === 404 || workload.job.schedule) {
    let active = 0;
    for await (const _ of client.list("/jobs", {
      query: { $filter: "state eq 'active' or state eq 'disabled' or state eq 'terminating'", $select: "id" },
      signal,
    }))
      active++;
    for await (const _ of client.list("/jobschedules", { query: { $filter: "state eq 'active' or state eq 'disabled'", $select: "id" }, signal })) active++;
    checks.push(
      props
        ? quotaCheck(
            "activeJobs",
            "active jobs and job schedules",
            1,
            active,
            props.activeJobAndJobScheduleQuota,
            "terminate or delete jobs that are done (a job left active holds quota), or request an increase",
          )
        : { name: "activeJobs", fits: undefined, text: `active jobs and job schedules: need 1, ${active} in the account; the quota could not be read` },
    );
  }

  if (!existing && wanted.virtualMachineConfiguration) {
    const vmc = wanted.virtualMachineConfiguration;
    const what = `image ${vmc.imageReference.virtualMachineImageId ?? describeImage(vmc.imageReference)} with node agent ${vmc.nodeAgentSKUId}`;
    const reporter: ProgressReporter = { ...silentReporter, warn: (m: string) => warnings.push(m) };
    try {
      await checkPoolImage(client, wanted, reporter, { signal, now: options.now });
      checks.push({ name: "image", fits: true, text: `${what}: supported${warnings.length ? ` (${warnings.join("; ")})` : ""}` });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      checks.push({ name: "image", fits: false, text: `${what}: ${error.message.replace(/^pool\.\w+: /, "")}` });
    }
  }

  const lines = checks.map((c) => `${c.fits === true ? "ok" : c.fits === false ? "SHORT" : "not checked"}: ${c.text}`);
  if (facts.missing) lines.push(`not checked: ${facts.missing}`);
  return { summary, checks, fits: !checks.some((c) => c.fits === false), lines, warnings };
}

/** The preflight as a gate: throws a `UsageError` listing every shortfall, so that nothing is created for a spec that cannot fit. */
export async function assertFits(
  client: BatchClient,
  workload: Workload,
  reporter: ProgressReporter,
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const report = await preflight(client, workload, options);
  for (const line of report.lines.filter((l) => l.startsWith("not checked"))) reporter.info(`preflight: ${line}`);
  for (const warning of report.warnings) reporter.warn(warning);
  if (!report.fits) {
    const short = report.lines.filter((l) => l.startsWith("SHORT"));
    throw new UsageError(`the spec does not fit the account (preflight; skip it with preflight: false):\n  ${short.join("\n  ")}`);
  }
  return report;
}
