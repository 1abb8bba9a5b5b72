import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  Lease,
  SELF,
  defaultRuntimeDir,
  ownerAlive,
  processStartTime,
  sweepLeases
} from "./chunk-AIQ4D56C.js";
import "./chunk-KRI5SLHR.js";
export {
  Lease,
  SELF,
  defaultRuntimeDir,
  ownerAlive,
  processStartTime,
  sweepLeases
};
//# sourceMappingURL=leftovers-BJRFQ3NM.js.map
