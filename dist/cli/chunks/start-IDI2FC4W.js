import {
  ExecutorUnavailableError,
  chooseExecutor,
  startLocalBatch
} from "./chunk-FH7KXYKK.js";
import "./chunk-B4GSRAAR.js";
export {
  ExecutorUnavailableError,
  chooseExecutor,
  startLocalBatch
};
//# sourceMappingURL=start-IDI2FC4W.js.map
