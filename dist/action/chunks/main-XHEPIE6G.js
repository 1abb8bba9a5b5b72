import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  run,
  specEnvironment,
  workloadForIds
} from "./chunk-2LXJ6T4D.js";
import "./chunk-ZOGIVXDL.js";
import "./chunk-MF6BRBYW.js";
import "./chunk-O2VW6WKX.js";
import "./chunk-KRI5SLHR.js";
export {
  run,
  specEnvironment,
  workloadForIds
};
//# sourceMappingURL=main-XHEPIE6G.js.map
