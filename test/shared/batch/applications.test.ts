/** Application package facts: the variable a Linux node sets per package, names, and the resource id a pool gives. */
import { describe, expect, test } from "vitest";
import {
  APPLICATION_ID,
  APPLICATION_VERSION,
  appPackageEnvName,
  applicationResourceId,
  parseApplicationResourceId,
} from "../../../shared/batch/applications.js";

describe("application packages", () => {
  test("Linux variables: periods, hyphens and number signs become underscores; the id keeps its case", () => {
    expect(appPackageEnvName("blender", "2.7")).toBe("AZ_BATCH_APP_PACKAGE_blender_2_7");
    expect(appPackageEnvName("Litware-Tools", "1.1001.2b")).toBe("AZ_BATCH_APP_PACKAGE_Litware_Tools_1_1001_2b");
    // A reference without a version: the application's default version.
    expect(appPackageEnvName("blender")).toBe("AZ_BATCH_APP_PACKAGE_blender");
  });

  test("names as the management definition allows them", () => {
    for (const ok of ["a", "my_app-2", "x".repeat(64)]) expect(APPLICATION_ID.test(ok)).toBe(true);
    for (const bad of ["", "has space", "dot.ted", "x".repeat(65)]) expect(APPLICATION_ID.test(bad)).toBe(false);
    for (const ok of ["1.0", "2024.06.01-rc_1", "v"]) expect(APPLICATION_VERSION.test(ok)).toBe(true);
    for (const bad of ["", ".1", "1 0", "a/b"]) expect(APPLICATION_VERSION.test(bad)).toBe(false);
  });

  test("a pool names an application by its resource id, read back the same", () => {
    const id = applicationResourceId({ subscription: "sub", resourceGroup: "rg", name: "acct" }, "tool");
    expect(id).toBe("/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Batch/batchAccounts/acct/applications/tool");
    expect(parseApplicationResourceId(id)).toEqual({ subscription: "sub", resourceGroup: "rg", name: "acct", applicationId: "tool" });
    expect(parseApplicationResourceId("tool")).toBeUndefined();
  });
});
