/**
 * The workload: a spec checked and resolved, as every later stage takes it (the translator, the
 * run, the plan). Its own module, below the loader and the translator, so that both point down to it.
 */
import type { ApiVersion } from "../batch/apiVersion.js";
import type { SpecIssue } from "./errors.js";
import type { TaskSet } from "./expand.js";
import type { PoolFacts } from "./rules.js";
import type { BlobListingSource } from "./blobItems.js";
import type { JobSpec, PoolSpec, WorkloadSpec } from "./schema.js";

/** A spec that passed every check, ready to translate. */
export interface Workload {
  spec: WorkloadSpec;
  /** The data plane's api-version for this workload's calls: the caller's, the spec's `account.apiVersion`, or 2025-06-01. */
  apiVersion: ApiVersion;
  pool: PoolSpec & { nodeAgentSku: string };
  facts: PoolFacts;
  job: JobSpec;
  /**
   * The tasks, checked, as a stream: walking it renders one task at a time, so a spec of 100,000
   * tasks is never held in memory at once (`length` and `ids` are known without walking).
   */
  tasks: TaskSet;
  /**
   * Values that must never be printed: registry passwords, and the values of environment variables
   * with secret-like names (`*TOKEN*`, `*KEY*`, `*SECRET*`, ...) used in templates. SAS query strings
   * of URLs are redacted anyway.
   */
  secrets: string[];
  /** The environment variables whose values are secrets in this spec, and whether each was set. */
  secretEnv: { name: string; set: boolean }[];
  /** What is valid but worth saying: an image or node agent that Azure Batch retires soon. */
  warnings: SpecIssue[];
  /** The containers `forEach: { blobs }` entries listed (or, in a plan, would list), and what came of it. */
  blobs?: (BlobListingSource & { listed: boolean; count: number; note?: string })[];
  /** `job.id` as the spec writes it, before its templates are filled (`render-{{ vars.run }}`). */
  jobIdTemplate?: string;
}
