import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  run,
  specEnvironment,
  workloadForIds
} from "./chunk-B546WUO4.js";
import "./chunk-JAYGDCR5.js";
import "./chunk-YAUQKAWM.js";
import "./chunk-YIQOAPSC.js";
import "./chunk-KRI5SLHR.js";
export {
  run,
  specEnvironment,
  workloadForIds
};
//# sourceMappingURL=main-LT54VMTH.js.map
