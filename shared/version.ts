/** The package's version, for the User-Agent and for wrappers that report what they run. */
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
