import {
  ExecutorUnavailableError,
  chooseExecutor,
  startLocalBatch
} from "./chunk-B2WVACNQ.js";
import "./chunk-B4GSRAAR.js";
export {
  ExecutorUnavailableError,
  chooseExecutor,
  startLocalBatch
};
//# sourceMappingURL=start-JSXCNFSB.js.map
