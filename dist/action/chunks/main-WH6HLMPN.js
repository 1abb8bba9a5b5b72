import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  run,
  specEnvironment,
  workloadForIds
} from "./chunk-JQZQG2EN.js";
import "./chunk-ZOGIVXDL.js";
import "./chunk-RTL6JMP3.js";
import "./chunk-O2VW6WKX.js";
import "./chunk-KRI5SLHR.js";
export {
  run,
  specEnvironment,
  workloadForIds
};
//# sourceMappingURL=main-WH6HLMPN.js.map
