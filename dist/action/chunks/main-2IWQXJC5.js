import { createRequire as __azbrCreateRequire } from "node:module"; const require = __azbrCreateRequire(import.meta.url);
import {
  run,
  specEnvironment,
  workloadForIds
} from "./chunk-GDG4RK2O.js";
import "./chunk-ZOGIVXDL.js";
import "./chunk-7LGQDZFC.js";
import "./chunk-O2VW6WKX.js";
import "./chunk-KRI5SLHR.js";
export {
  run,
  specEnvironment,
  workloadForIds
};
//# sourceMappingURL=main-2IWQXJC5.js.map
