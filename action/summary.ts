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
export function portalLinks(
  accountUrl: URL,
  workload: Pick<Workload, "spec">,
  result: Pick<RunResult, "poolId" | "created">,
  tenant?: string,
): { account: string; pool: string; job: string } | undefined {
  const portal = PORTALS.find(([suffix]) => accountUrl.hostname.toLowerCase().endsWith(suffix))?.[1];
  if (!portal) return undefined;
  const a = workload.spec.account;
  const accountId =
    a?.subscription && a.resourceGroup && a.name
      ? `/subscriptions/${a.subscription}/resourceGroups/${encodeURIComponent(a.resourceGroup)}/providers/Microsoft.Batch/batchAccounts/${a.name}`
      : result.created.poolArmPath?.replace(/\/pools\/[^/]+$/, "");
  if (!accountId) return undefined;
  const base = `${portal}/#@${tenant ?? ""}/resource`;
  return {
    account: `${base}${accountId}/overview`,
    pool: `${base}${accountId}/pools/${encodeURIComponent(result.poolId)}`,
    job: `${base}${accountId}/overview`,
  };
}

const link = (href: string, text: string) => `<a href="${href.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}">${text}</a>`;

/** Inline code in the summary's HTML (Markdown does not render inside its list items). */
const code = (text: string) => `<code>${text.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</code>`;

/** Every way a step can end, as its summary and its one error annotation say. */
export type Outcome = "succeeded" | "tasks failed" | "invalid input" | "build failed" | "auth" | "service" | "cancelled";

/** GitHub takes a step summary of at most 1 MiB; this one stays well under. */
const MAX_SUMMARY_BYTES = 900 * 1024;
const STDERR_LINES = 3;

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** The account as the summary names it: its host on Azure, never a loopback address and port. */
function accountLine(accountUrl: URL): string {
  const azure = PORTALS.some(([suffix]) => accountUrl.hostname.toLowerCase().endsWith(suffix));
  return azure ? accountUrl.hostname : "the local Batch service (on the runner)";
}

export async function writeSummary(
  result: RunResult,
  workload: Workload,
  accountUrl: URL,
  built?: { name: string; digestRef: string; rebuilt: boolean },
  tenant?: string,
  warnings: string[] = [],
  options: { wait?: boolean; redact?: (text: string) => string } = {},
): Promise<void> {
  const redact = options.redact ?? ((t: string) => t);
  const failed = result.outcomes.filter((o) => o.result === "failure").length;
  const links = portalLinks(accountUrl, workload, result, tenant);
  const jobId = redact(result.jobId);
  const poolId = redact(result.poolId);
  const summary = core.summary.addHeading(`Azure Batch: job ${escape(jobId)}`, 2);
  const counts =
    options.wait === false
      ? `${result.submitted ?? 0} tasks submitted, not followed (wait: false)${result.addFailures.length ? `, ${result.addFailures.length} not added` : ""}: the job runs on; follow it with ${code(`azure-batch-run status ${jobId}`)}`
      : `${result.outcomes.length - failed} succeeded, ${failed} failed${result.addFailures.length ? `, ${result.addFailures.length} not added` : ""}${result.blocked?.length ? `, ${result.blocked.length} blocked` : ""}`;
  summary.addList([
    `outcome: <b>${options.wait === false ? "submitted" : result.succeeded ? "succeeded" : "tasks failed"}</b>`,
    ...(built ? [`image: ${code(built.name)} (${built.rebuilt ? "built" : "already in the registry"}), run as ${code(built.digestRef)}`] : []),
    `pool: ${code(poolId)}${result.created.pool ? " (created by this run)" : ""}${links ? ` (${link(links.pool, "portal")})` : ""}`,
    `job: ${code(jobId)}${result.created.job ? " (created by this run)" : ""}${links ? ` (${link(links.job, "portal: the account's Jobs")})` : ""}`,
    `account: ${accountLine(accountUrl)}${links ? ` (${link(links.account, "portal")})` : ""}`,
    counts,
    ...(result.requeues || result.preemptedNodes?.length
      ? [
          `requeued: ${result.requeues ?? 0} (their node went away), ${result.preemptedNodes?.length ?? 0} Spot node${result.preemptedNodes?.length === 1 ? "" : "s"} preempted; requeued tasks ran again and count by their last run`,
        ]
      : []),
  ]);
  // Failed tasks first, marked, with their exit code and the last lines of their stderr.
  const rows = [...result.outcomes]
    .sort((a, b) => (a.result === b.result ? a.id.localeCompare(b.id, undefined, { numeric: true }) : a.result === "failure" ? -1 : 1))
    .slice(0, MAX_ROWS);
  if (rows.length > 0) {
    const tail = (o: (typeof rows)[number]) =>
      escape(redact((o.stderrTail ?? o.stdoutTail ?? "").split("\n").filter(Boolean).slice(-STDERR_LINES).join("\n")).slice(-600)).replace(/\n/g, "<br>");
    summary.addTable([
      [
        { data: "task", header: true },
        { data: "result", header: true },
        { data: "exit code", header: true },
        { data: "duration", header: true },
        { data: "node", header: true },
        { data: "retries", header: true },
        { data: "last lines of stderr", header: true },
      ],
      ...rows.map((o) => [
        escape(o.id),
        o.result === "success" ? "succeeded" : `❌ failed${o.failure?.code ? ` (${escape(o.failure.code)})` : ""}`,
        String(o.exitCode ?? ""),
        o.durationMs === undefined ? "" : `${(o.durationMs / 1000).toFixed(1)} s`,
        escape(o.nodeId ?? ""),
        String(o.retryCount),
        o.result === "failure" ? tail(o) : "",
      ]),
    ]);
    if (result.outcomes.length > MAX_ROWS)
      summary.addRaw(`…and ${result.outcomes.length - MAX_ROWS} more tasks (all of them in the ${code("result")} output's file).`, true);
  }
  if (result.addFailures.length)
    summary
      .addHeading("Not added", 3)
      .addList(result.addFailures.slice(0, 50).map((f) => `${code(f.taskId)}: ${escape(f.code)}: ${escape(redact(f.message))}`));
  const outputs = new Set<string>();
  for (const t of workload.tasks) for (const o of t.outputs ?? []) outputs.add(o.container.replace(/\?.*$/, ""));
  if (outputs.size) summary.addRaw(`Output files went to: ${[...outputs].map(code).join(", ")}`, true);
  if (warnings.length) summary.addHeading("Warnings", 3).addList(warnings.slice(0, 20).map(escape));
  if (Buffer.byteLength(summary.stringify()) > MAX_SUMMARY_BYTES) {
    summary.emptyBuffer();
    summary
      .addHeading(`Azure Batch: job ${escape(jobId)}`, 2)
      .addRaw(`${counts}. The task table was too large for a step summary: every task is in the ${code("result")} output's file.`, true);
  }
  await summary.write();
}

/** The summary of a step that ended before (or without) a run's result: the outcome, the reason, and what is known. */
export async function writeEndSummary(end: {
  outcome: Outcome;
  reason: string;
  jobId?: string;
  poolId?: string;
  accountUrl?: URL;
  created?: RunResult["created"];
}): Promise<void> {
  const summary = core.summary.addHeading(end.jobId ? `Azure Batch: job ${escape(end.jobId)}` : "Azure Batch", 2);
  summary.addList([
    `outcome: <b>${end.outcome}</b>`,
    `reason: ${escape(end.reason).slice(0, 4000)}`,
    ...(end.poolId ? [`pool: ${code(end.poolId)}${end.created?.pool ? " (created by this run)" : ""}`] : []),
    ...(end.jobId ? [`job: ${code(end.jobId)}${end.created?.job ? " (created by this run)" : ""}`] : []),
    ...(end.accountUrl ? [`account: ${accountLine(end.accountUrl)}`] : []),
  ]);
  await summary.write();
}
