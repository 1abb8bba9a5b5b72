/** Spec builders for tests: a small valid base, deep-merged with what a test is about. */
import { loadSpecObject, type LoadOptions, type Workload } from "../../shared/workload/load.js";

export const TEST_ENV = { REG_PASSWORD: "s3cret-registry-password", SAS: "sv=2024-01-01&sig=abcDEF123%3D" };

export function baseSpec(): Record<string, any> {
  return {
    pool: {
      id: "pool-1",
      vmSize: "Standard_D2s_v3",
      image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2404" },
      nodes: { dedicated: 1 },
      container: { type: "dockerCompatible" },
    },
    job: { id: "job-1" },
    tasks: { defaults: { image: "app:1.0" }, list: [{ id: "t1", command: "/app/run" }] },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Deep merge where `undefined` in the patch deletes the key. */
export function merge(base: Record<string, any>, patch: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else if (isObject(v) && isObject(out[k])) out[k] = merge(out[k], v);
    else out[k] = v;
  }
  return out;
}

export function load(patch: Record<string, any> = {}, options: LoadOptions = {}): Workload {
  return loadSpecObject(merge(baseSpec(), patch), { env: TEST_ENV, ...options });
}
