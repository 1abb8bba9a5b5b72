import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  run,
  specEnvironment,
  workloadForIds
} from "./chunk-XLCYIBR2.js";
import "./chunk-JAYGDCR5.js";
import "./chunk-SEKQ5CO7.js";
import "./chunk-YIQOAPSC.js";
import "./chunk-KRI5SLHR.js";
export {
  run,
  specEnvironment,
  workloadForIds
};
//# sourceMappingURL=main-FVCVBSVD.js.map
