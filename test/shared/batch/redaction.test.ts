/** Redaction by source: which environment values a reader of task output hides. */
import { describe, expect, test } from "vitest";
import { isSecretEnv, REDACTION_METADATA, SECRET_ENV } from "../../../shared/batch/redaction.js";

const env = [
  { name: "QUALITY", value: "draft" },
  { name: "DB", value: "from-a-secret" },
  { name: "API_TOKEN", value: "named-secret" },
  { name: SECRET_ENV, value: "DB" },
];
const hidden = (job: { metadata?: { name: string; value: string }[] }) =>
  [...env, { name: "JOB_SHARED", value: "x" }].filter(isSecretEnv({ environmentSettings: env }, job)).map((e) => e.name);

describe("isSecretEnv", () => {
  test("a job marked by source: the listed names (task and job) and secret-like names are hidden, the rest shows", () => {
    expect(hidden({ metadata: [{ name: REDACTION_METADATA, value: "by-source:JOB_SHARED" }] })).toEqual(["DB", "API_TOKEN", "JOB_SHARED"]);
    expect(hidden({ metadata: [{ name: REDACTION_METADATA, value: "by-source:" }] })).toEqual(["DB", "API_TOKEN"]);
  });

  test("a job without the mark (older, or made by another tool): every value is hidden", () => {
    expect(hidden({})).toEqual(["QUALITY", "DB", "API_TOKEN", "JOB_SHARED"]);
    expect(hidden({ metadata: [{ name: REDACTION_METADATA, value: "something else" }] })).toEqual(["QUALITY", "DB", "API_TOKEN", "JOB_SHARED"]);
  });
});
