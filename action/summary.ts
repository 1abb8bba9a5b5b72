/** The job summary: pool and job (with portal links where the account allows), a table of tasks, totals. */
import * as core from "@actions/core";
import type { RunResult, Workload } from "azure-batch-run";

const MAX_ROWS = 200;

/** Inline code in the summary's HTML (Markdown does not render inside its list items). */
const code = (text: string) => `<code>${text.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</code>`;

export async function writeSummary(result: RunResult, workload: Workload, accountUrl: URL, built?: { name: string; digestRef: string; rebuilt: boolean }): Promise<void> {
  const failed = result.outcomes.filter((o) => o.result === "failure").length;
  const azure = accountUrl.hostname.endsWith(".batch.azure.com");
  const summary = core.summary.addHeading(`Azure Batch: job ${result.jobId}`, 2);
  summary.addList([
    ...(built ? [`image: ${code(built.name)} (${built.rebuilt ? "built" : "already in the registry"}), run as ${code(built.digestRef)}`] : []),
    `pool: ${code(result.poolId)}${result.created.pool ? " (created by this run)" : ""}`,
    `job: ${code(result.jobId)}${result.created.job ? " (created by this run)" : ""}`,
    `account: ${azure ? accountUrl.hostname : `${accountUrl.host} (local Batch service)`}`,
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
  const outputs = [...new Set(workload.tasks.flatMap((t) => (t.outputs ?? []).map((o) => o.container.replace(/\?.*$/, ""))))];
  if (outputs.length) summary.addRaw(`Output files went to: ${outputs.map(code).join(", ")}`, true);
  await summary.write();
}
