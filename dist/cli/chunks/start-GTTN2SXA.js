import {
  ExecutorUnavailableError,
  chooseExecutor,
  startLocalBatch
} from "./chunk-UFSISLMO.js";
import "./chunk-UUUUYK54.js";
export {
  ExecutorUnavailableError,
  chooseExecutor,
  startLocalBatch
};
//# sourceMappingURL=start-GTTN2SXA.js.map
