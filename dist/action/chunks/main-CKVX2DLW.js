import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  run,
  specEnvironment,
  workloadForIds
} from "./chunk-B7YKJX2S.js";
import "./chunk-ZOGIVXDL.js";
import "./chunk-YE5ZN46H.js";
import "./chunk-O2VW6WKX.js";
import "./chunk-KRI5SLHR.js";
export {
  run,
  specEnvironment,
  workloadForIds
};
//# sourceMappingURL=main-CKVX2DLW.js.map
