import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { QUEUE_SCHEMA_PATH, renderQueueSchema, renderSchema, SCHEMA_PATH } from "../../../scripts/generate-schema.js";

describe("the checked-in JSON Schema", () => {
  test("is current with the zod schema (run `npm run schema` after changing the spec)", () => {
    expect(readFileSync(SCHEMA_PATH, "utf8")).toBe(renderSchema());
  });

  test("describes the spec's top level and the container fields editors need", () => {
    const schema = JSON.parse(renderSchema());
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["account", "vars", "cleanup", "pool", "job", "tasks"]));
    expect(schema.required).toEqual(["pool", "job"]);
    expect(schema.properties.pool.properties.container.properties.type.enum).toEqual(["dockerCompatible", "criCompatible"]);
    expect(schema.properties.pool.properties.container.required).toEqual(["type"]);
  });
});

describe("the queue message's JSON Schema", () => {
  test("is current (run `npm run schema`) and says what a message may hold", () => {
    expect(readFileSync(QUEUE_SCHEMA_PATH, "utf8")).toBe(renderQueueSchema());
    const schema = JSON.parse(renderQueueSchema());
    expect(Object.keys(schema.properties)).toEqual(["id", "vars", "inputs"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.id.pattern).toBe("^[A-Za-z0-9_-]{1,64}$");
  });
});
