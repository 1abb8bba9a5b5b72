import {
  ExecutorUnavailableError,
  chooseExecutor,
  startLocalBatch
} from "./chunk-NMB3QQQ3.js";
import "./chunk-J55GQYOZ.js";
export {
  ExecutorUnavailableError,
  chooseExecutor,
  startLocalBatch
};
//# sourceMappingURL=start-SKWBPIXT.js.map
