import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  run,
  specEnvironment,
  workloadForIds
} from "./chunk-CNP2WN7L.js";
import "./chunk-ZOGIVXDL.js";
import "./chunk-S34A2CWV.js";
import "./chunk-O2VW6WKX.js";
import "./chunk-KRI5SLHR.js";
export {
  run,
  specEnvironment,
  workloadForIds
};
//# sourceMappingURL=main-GDGTAFZC.js.map
