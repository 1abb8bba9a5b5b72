/** Microsoft's `oav` LiveValidator over ../shared/azure-batch-spec: the independent oracle for bodies. */
import oav from "oav";
import { MGMT_SPEC_DIR, MGMT_SPEC_FILE, SPEC_DIR, SPEC_FILES } from "./requirements.js";

type Validator = InstanceType<typeof oav.LiveValidator>;
let validator: Promise<Validator> | undefined;

function getValidator(): Promise<Validator> {
  validator ??= (async () => {
    const v = new oav.LiveValidator(
      { directory: SPEC_DIR, swaggerPathsPattern: SPEC_FILES, git: { shouldClone: false } },
      () => {}, // oav logs every path it loads; keep test output readable
    );
    await v.initialize();
    return v;
  })();
  return validator;
}

export interface ValidationOutcome {
  operationId?: string;
  /** The api-version of the definition the call was matched against. */
  apiVersion?: string;
  errors: { code: string; message: string; path: string }[];
}

const HOST = "https://account.region.batch.azure.com";

/** Validates one request (and optionally a response) against the REST definition. */
export async function validateCall(call: {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  response?: { status: number; body?: unknown; headers?: Record<string, string> };
}): Promise<{ request: ValidationOutcome; response: ValidationOutcome }> {
  const v = await getValidator();
  const query = new URLSearchParams(call.query ?? { "api-version": "2025-06-01" }).toString();
  const r = await v.validateLiveRequestResponse({
    liveRequest: {
      url: `${HOST}${call.path}?${query}`,
      method: call.method.toLowerCase(),
      headers: { "content-type": "application/json; odata=minimalmetadata", ...(call.headers ?? {}) },
      body: call.body as Record<string, unknown>,
    },
    liveResponse: {
      statusCode: String(call.response?.status ?? 200),
      headers: { "content-type": "application/json", ...(call.response?.headers ?? {}) },
      body: call.response?.body as Record<string, unknown>,
    },
  });
  const map = (res: typeof r.requestValidationResult): ValidationOutcome => ({
    operationId: res.operationInfo?.operationId,
    apiVersion: res.operationInfo?.apiVersion,
    errors: [
      ...res.errors.map((e) => ({ code: String(e.code), message: e.message, path: (e.jsonPathsInPayload ?? []).join(",") })),
      ...(res.runtimeException ? [{ code: String(res.runtimeException.code), message: res.runtimeException.message, path: "" }] : []),
    ],
  });
  return { request: map(r.requestValidationResult), response: map(r.responseValidationResult) };
}

let mgmtValidator: Promise<Validator> | undefined;

function getMgmtValidator(): Promise<Validator> {
  mgmtValidator ??= (async () => {
    const v = new oav.LiveValidator(
      { directory: MGMT_SPEC_DIR, swaggerPathsPattern: [MGMT_SPEC_FILE], git: { shouldClone: false }, loadValidatorInBackground: false },
      () => {},
    );
    await v.initialize();
    return v;
  })();
  return mgmtValidator;
}

/**
 * Validates an Azure Resource Manager call against the management-plane definition. An unmatched
 * call comes back as `unknownOperationId` with no errors: that is reported as an error here.
 */
export async function validateArmCall(call: {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  response?: { status: number; body?: unknown; headers?: Record<string, string> };
}): Promise<{ request: ValidationOutcome; response: ValidationOutcome }> {
  const v = await getMgmtValidator();
  const query = new URLSearchParams(call.query ?? { "api-version": "2024-07-01" }).toString();
  const r = await v.validateLiveRequestResponse({
    liveRequest: {
      url: `https://management.azure.com${call.path}?${query}`,
      method: call.method.toLowerCase(),
      headers: { "content-type": "application/json" },
      body: call.body as Record<string, unknown>,
    },
    liveResponse: {
      statusCode: String(call.response?.status ?? 200),
      headers: { "content-type": "application/json", ...(call.response?.headers ?? {}) },
      body: call.response?.body as Record<string, unknown>,
    },
  });
  const map = (res: typeof r.requestValidationResult): ValidationOutcome => {
    const errors = [
      ...res.errors.map((e) => ({ code: String(e.code), message: e.message, path: (e.jsonPathsInPayload ?? []).join(",") })),
      ...(res.runtimeException ? [{ code: String(res.runtimeException.code), message: res.runtimeException.message, path: "" }] : []),
    ];
    const operationId = res.operationInfo?.operationId;
    if (!operationId || operationId === "unknownOperationId")
      errors.push({ code: "UNKNOWN_OPERATION", message: `no operation matches ${call.method} ${call.path}`, path: "" });
    return { operationId, errors };
  };
  return { request: map(r.requestValidationResult), response: map(r.responseValidationResult) };
}

/** An exchange a local service recorded (its `onExchange`). */
export interface RecordedExchange {
  method: string;
  url: string;
  requestBody?: unknown;
  status: number;
  responseBody?: unknown;
}

/**
 * Every exchange of a local service valid against its definition: the ARM side's (`/arm/...`)
 * against the management plane's, the rest against the data plane's. The package store's blob
 * requests (`/storage/...`) are Azure Storage's, not Batch's, and are left out.
 */
export async function exchangesInvalid(exchanges: RecordedExchange[]): Promise<{ call: string; errors: ValidationOutcome["errors"] }[]> {
  const out: { call: string; errors: ValidationOutcome["errors"] }[] = [];
  for (const e of exchanges) {
    const u = new URL(e.url);
    if (u.pathname.startsWith("/storage/")) continue;
    const arm = u.pathname.startsWith("/arm/");
    const call = {
      method: e.method,
      path: arm ? u.pathname.slice(4) : u.pathname,
      query: Object.fromEntries(u.searchParams),
      body: e.requestBody,
      response: { status: e.status, body: e.responseBody },
    };
    const { request, response } = arm ? await validateArmCall(call) : await validateCall(call);
    // Batch's error bodies carry "odata.metadata", which the definition's BatchError does not list: that one property is let through.
    const errors = [...request.errors, ...response.errors].filter((x) => !(e.status >= 400 && x.path === "$.odata.metadata"));
    if (errors.length) out.push({ call: `${e.method} ${u.pathname}`, errors });
  }
  return out;
}
