/** The job summary: pool and job (with portal links where the account allows), a table of tasks, totals. */
import * as core from "@actions/core";
import type { RunResult, Workload } from "azure-batch-run";

const MAX_ROWS = 200;

/** The portal of the account URL's cloud; none for an account URL of no Azure cloud (the local service). */
const PORTALS: [suffix: string, portal: string][] = [
  [".batch.azure.com", "https://portal.azure.com"],
  [".batch.usgovcloudapi.net", "https://portal.azure.us"],
  [".batch.chinacloudapi.cn", "https://portal.azure.cn"],
];

/**
 * Portal links, where the account URL names an Azure cloud and the account's resource id is known:
 * from the spec's `account` (subscription, resourceGroup, name) or from the pool this run created
 * through Azure Resource Manager. The pool is an ARM resource (its own blade); a job is not, so
 * its link opens the account, whose Jobs blade lists it.
 */
export function portalLinks(accountUrl: URL, workload: Pick<Workload, "spec">, result: Pick<RunResult, "poolId" | "created">, tenant?: string): { account: string; pool: string; job: string } | undefined {
  const portal = PORTALS.find(([suffix]) => accountUrl.hostname.toLowerCase().endsWith(suffix))?.[1];
  if (!portal) return undefined;
  const a = workload.spec.account;
  const accountId =
    a?.subscription && a.resourceGroup && a.name
      ? `/subscriptions/${a.subscription}/resourceGroups/${encodeURIComponent(a.resourceGroup)}/providers/Microsoft.Batch/batchAccounts/${a.name}`
      : result.created.poolArmPath?.replace(/\/pools\/[^/]+$/, "");
  if (!accountId) return undefined;
  const base = `${portal}/#@${tenant ?? ""}/resource`;
  return { account: `${base}${accountId}/overview`, pool: `${base}${accountId}/pools/${encodeURIComponent(result.poolId)}`, job: `${base}${accountId}/overview` };
}

const link = (href: string, text: string) => `<a href="${href.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}">${text}</a>`;

/** Inline code in the summary's HTML (Markdown does not render inside its list items). */
const code = (text: string) => `<code>${text.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</code>`;

export async function writeSummary(result: RunResult, workload: Workload, accountUrl: URL, built?: { name: string; digestRef: string; rebuilt: boolean }, tenant?: string, warnings: string[] = []): Promise<void> {
  const failed = result.outcomes.filter((o) => o.result === "failure").length;
  const links = portalLinks(accountUrl, workload, result, tenant);
  const azure = PORTALS.some(([suffix]) => accountUrl.hostname.toLowerCase().endsWith(suffix));
  const summary = core.summary.addHeading(`Azure Batch: job ${result.jobId}`, 2);
  summary.addList([
    ...(built ? [`image: ${code(built.name)} (${built.rebuilt ? "built" : "already in the registry"}), run as ${code(built.digestRef)}`] : []),
    `pool: ${code(result.poolId)}${result.created.pool ? " (created by this run)" : ""}${links ? ` (${link(links.pool, "portal")})` : ""}`,
    `job: ${code(result.jobId)}${result.created.job ? " (created by this run)" : ""}${links ? ` (${link(links.job, "portal: the account's Jobs")})` : ""}`,
    `account: ${azure ? accountUrl.hostname : `${accountUrl.host} (local Batch service)`}${links ? ` (${link(links.account, "portal")})` : ""}`,
    `${result.outcomes.length - failed} succeeded, ${failed} failed${result.addFailures.length ? `, ${result.addFailures.length} not added` : ""}${result.blocked?.length ? `, ${result.blocked.length} blocked` : ""}`,
  ]);
  const rows = [...result.outcomes].sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true })).slice(0, MAX_ROWS);
  if (rows.length > 0) {
    summary.addTable([
      [{ data: "task", header: true }, { data: "result", header: true }, { data: "exit code", header: true }, { data: "duration", header: true }, { data: "node", header: true }, { data: "retries", header: true }],
      ...rows.map((o) => [o.id, o.result === "success" ? "succeeded" : `failed${o.failure?.code ? ` (${o.failure.code})` : ""}`, String(o.exitCode ?? ""), o.durationMs === undefined ? "" : `${(o.durationMs / 1000).toFixed(1)} s`, o.nodeId ?? "", String(o.retryCount)]),
    ]);
    if (result.outcomes.length > MAX_ROWS) summary.addRaw(`…and ${result.outcomes.length - MAX_ROWS} more tasks (all of them in the ${code("result")} output's file).`, true);
  }
  const outputs = new Set<string>();
  for (const t of workload.tasks) for (const o of t.outputs ?? []) outputs.add(o.container.replace(/\?.*$/, ""));
  if (outputs.size) summary.addRaw(`Output files went to: ${[...outputs].map(code).join(", ")}`, true);
  if (warnings.length) summary.addHeading("Warnings", 3).addList(warnings.slice(0, 20).map((w) => w.replace(/&/g, "&amp;").replace(/</g, "&lt;")));
  await summary.write();
}
