import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { renderSchema, SCHEMA_PATH } from "../scripts/generate-schema.js";

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
