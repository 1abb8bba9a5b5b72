/**
 * The local Batch service on its own, for as long as the process lives:
 *   npx tsx local-batch/serve.ts --data DIR [--port N] [--key BASE64] [--executor auto|docker|process]
 * Prints one JSON line with accountUrl, accountName and accountKey on stdout. Started again on the
 * same data folder (with the same key), it carries on where it stopped.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { chooseExecutor, type ExecutorChoice } from "./start.js";
import { LocalBatchService } from "./service.js";

const { values } = parseArgs({ options: { data: { type: "string" }, port: { type: "string" }, key: { type: "string" }, executor: { type: "string" } } });
if (!values.data) {
  console.error("usage: serve.ts --data DIR [--port N] [--key BASE64] [--executor auto|docker|process]");
  process.exit(2);
}
const accountName = "local";
const accountKey = values.key ?? randomBytes(32).toString("base64");
const executor = await chooseExecutor((values.executor ?? "auto") as ExecutorChoice, values.data, (m) => console.error(`warning: ${m}`));
const service = new LocalBatchService({ accountName, accountKey, dataDir: values.data, executor, log: (m) => console.error(m) });
const accountUrl = await service.listen(Number(values.port ?? 0));
console.log(JSON.stringify({ accountUrl, accountName, accountKey, executor: executor.kind }));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void service.close().then(() => process.exit(0));
  });
}
