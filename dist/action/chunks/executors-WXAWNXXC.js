import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  dockerExecutor,
  dockerReachable,
  endHandle,
  processExecutor
} from "./chunk-6QUY3HMS.js";
import "./chunk-AIQ4D56C.js";
import "./chunk-KRI5SLHR.js";
export {
  dockerExecutor,
  dockerReachable,
  endHandle,
  processExecutor
};
//# sourceMappingURL=executors-WXAWNXXC.js.map
