/**
 * A stand-in for the Azure Functions host and its Node.js worker, which cannot run here (Core Tools
 * downloads its host from outside): the worker's built-in `@azure/functions-core` module (offered
 * to `require` the way the worker offers it, by wrapping `Module.prototype.require`), collecting
 * what the app registers; and invocations made the way the worker makes them: the registered
 * function's metadata and an RPC invocation request (trigger data and trigger metadata as
 * `RpcTypedData`, the retry context) handed to the app's own programming model
 * (`@azure/functions`' `InvocationModel`), which builds the real `InvocationContext` and arguments.
 */
import { randomUUID } from "node:crypto";
import Module from "node:module";

export interface RpcTypedData {
  string?: string;
  json?: string;
  bytes?: Uint8Array;
  int?: number;
}

interface RpcBindingInfo {
  type: string;
  direction: "in" | "out";
  [option: string]: unknown;
}

interface FunctionMetadata {
  name: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

type Callback = (...args: unknown[]) => unknown;

interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: unknown): {
    getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
    invokeFunction(context: unknown, inputs: unknown[], handler: Callback): Promise<unknown>;
    getResponse(context: unknown, result: unknown): Promise<unknown>;
  };
}

export interface LogLine {
  level: string;
  category: string;
  message: string;
}

export interface Registered {
  metadata: FunctionMetadata;
  callback: Callback;
}

class Disposable {
  constructor(private readonly fn: () => void) {}
  dispose() {
    this.fn();
  }
}

const functions = new Map<string, Registered>();
let programmingModel: ProgrammingModel | undefined;
const systemLog: LogLine[] = [];

const coreApi = {
  version: "3.10.1",
  hostVersion: "4.1037.0",
  registerFunction(metadata: FunctionMetadata, callback: Callback) {
    if (functions.has(metadata.name.toLowerCase())) throw new Error(`a function named "${metadata.name}" is registered already`);
    functions.set(metadata.name.toLowerCase(), { metadata, callback });
    return new Disposable(() => functions.delete(metadata.name.toLowerCase()));
  },
  setProgrammingModel(model: ProgrammingModel) {
    programmingModel = model;
  },
  getProgrammingModel() {
    return programmingModel;
  },
  registerHook() {
    return new Disposable(() => undefined);
  },
  log(level: string, category: string, message: string) {
    systemLog.push({ level, category, message });
  },
  Disposable,
};

let installed = false;

/** Makes `require("@azure/functions-core")` answer with the stand-in, as the worker does at start. */
export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg, args: [string]) {
      return args[0] === "@azure/functions-core" ? coreApi : Reflect.apply(target, thisArg, args);
    },
  });
}

/**
 * Loads the app as a new worker does (an ES module: `import()` of package.json's main) and lists
 * what it registered. What an earlier load registered is forgotten, as with a new worker process.
 */
export async function loadApp(entry: string): Promise<Map<string, Registered>> {
  installFunctionsCore();
  functions.clear();
  programmingModel = undefined;
  await import(entry);
  return functions;
}

export function registered(name: string): Registered {
  const f = functions.get(name.toLowerCase());
  if (!f) throw new Error(`no function "${name}" was registered (registered: ${[...functions.keys()].join(", ") || "none"})`);
  return f;
}

export interface Invocation {
  /** The trigger's data, as the host sends it. */
  data: RpcTypedData;
  /** Trigger metadata, as the host sends it (PascalCase keys; the programming model camel-cases them). */
  triggerMetadata?: Record<string, RpcTypedData>;
  retryContext?: { retryCount: number; maxRetryCount: number };
}

export interface InvocationResult {
  ok: boolean;
  error?: Error;
  logs: LogLine[];
  response?: unknown;
}

/** One invocation of a registered function, through the app's programming model. */
export async function invoke(name: string, invocation: Invocation): Promise<InvocationResult> {
  const f = registered(name);
  if (!programmingModel) throw new Error("the app set no programming model (@azure/functions v4 sets it on its first registration)");
  const trigger = Object.entries(f.metadata.bindings).find(([, b]) => /trigger$/i.test(b.type));
  if (!trigger) throw new Error(`function ${name} has no trigger binding`);
  const logs: LogLine[] = [];
  const coreCtx = {
    invocationId: randomUUID(),
    request: {
      invocationId: "",
      functionId: f.metadata.name,
      inputData: [{ name: trigger[0], data: invocation.data }],
      triggerMetadata: {
        ...invocation.triggerMetadata,
        sys: { json: JSON.stringify({ MethodName: f.metadata.name, UtcNow: new Date().toISOString(), RandGuid: randomUUID() }) },
      },
      retryContext: invocation.retryContext,
    },
    metadata: f.metadata,
    state: undefined,
    log: (level: string, category: string, message: string) => logs.push({ level, category, message }),
  };
  coreCtx.request.invocationId = coreCtx.invocationId;
  const model = programmingModel.getInvocationModel(coreCtx);
  const { context, inputs } = await model.getArguments();
  try {
    const result = await model.invokeFunction(context, inputs, f.callback);
    return { ok: true, logs, response: await model.getResponse(context, result) };
  } catch (error) {
    return { ok: false, error: error as Error, logs };
  }
}

/** A string value as the host sends it in trigger metadata. */
export const str = (value: string): RpcTypedData => ({ string: value });
/** An object value as the host sends it in trigger metadata. */
export const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) });
