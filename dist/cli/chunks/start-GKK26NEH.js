import {
  ExecutorUnavailableError,
  chooseExecutor,
  startLocalBatch
} from "./chunk-ICZXM5SX.js";
import "./chunk-RTUQQMIU.js";
export {
  ExecutorUnavailableError,
  chooseExecutor,
  startLocalBatch
};
//# sourceMappingURL=start-GKK26NEH.js.map
