import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  dockerExecutor,
  dockerReachable,
  endHandle,
  processExecutor
} from "./chunk-AWVR3KAP.js";
import "./chunk-5UJUJPVL.js";
import "./chunk-KRI5SLHR.js";
export {
  dockerExecutor,
  dockerReachable,
  endHandle,
  processExecutor
};
//# sourceMappingURL=executors-HNPHEILH.js.map
