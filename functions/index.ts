/**
 * The Function app (Azure Functions, Node.js v4 programming model): every trigger registers
 * itself in code, and all of them take one submit path (app/handle.ts -> the core's submitTasks).
 */
import "./blob.js";
import "./eventGrid.js";
import "./queue.js";
import "./timer.js";
