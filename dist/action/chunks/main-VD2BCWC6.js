import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  run,
  specEnvironment,
  workloadForIds
} from "./chunk-U4FP7WSL.js";
import "./chunk-JAYGDCR5.js";
import "./chunk-E4BUDYYF.js";
import "./chunk-YIQOAPSC.js";
import "./chunk-KRI5SLHR.js";
export {
  run,
  specEnvironment,
  workloadForIds
};
//# sourceMappingURL=main-VD2BCWC6.js.map
