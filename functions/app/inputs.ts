/**
 * Which blobs an event may hand to a task. Whoever can upload a blob or send a message shapes the
 * event, so its inputs are allow-listed before the app signs anything or a node downloads it:
 * - https only (http only to a loopback host, for local development);
 * - on the app's own storage account (`AZBR_STORAGE`) or an account `AZBR_INPUT_ACCOUNTS` names;
 * - in a container `AZBR_INPUT_CONTAINERS` names (default: the blob trigger's container), and
 *   never the host's own containers (`azure-webjobs-*`), the spec's, the dead-letter store's or a
 *   container the spec writes outputs to (an output would start a task whose output starts another).
 * A URL with a SAS of its own passes the same checks: a SAS does not make another container allowed.
 */
import { InvalidEventError, type InputBlob } from "azure-batch-run";
import { STORAGE_CONNECTION } from "./settings.js";

export interface InputPolicy {
  /** Account keys (`host`, or `host/account` for path-style endpoints) inputs may come from. */
  accounts: ReadonlySet<string>;
  /** Containers inputs may come from. */
  containers: ReadonlySet<string>;
  /** Containers never taken as inputs, with why. */
  forbidden: ReadonlyMap<string, string>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;

/** An account's key in a URL: its host, and for path-style URLs (Azurite, an IP) the first path segment too. */
export function accountOf(url: string): string {
  const u = new URL(url);
  const pathStyle = /^(\d+\.\d+\.\d+\.\d+|localhost|\[[0-9a-f:]+\])$/i.test(u.hostname);
  return pathStyle ? `${u.host}/${u.pathname.split("/")[1] ?? ""}` : u.host.toLowerCase();
}

/** Whether a container is one of the Functions host's own (`azure-webjobs-hosts`, `azure-webjobs-secrets`, ...). */
export const isHostContainer = (container: string) => container.toLowerCase().startsWith("azure-webjobs-");

/** Throws the field and reason when an input is not one the app may hand to a task. */
export function checkInput(input: Pick<InputBlob, "url" | "container">, field: string, policy: InputPolicy): void {
  const u = new URL(input.url);
  const where = `${u.origin}${u.pathname}`;
  if (u.protocol !== "https:" && !(u.protocol === "http:" && LOOPBACK.test(u.hostname))) {
    throw new InvalidEventError(field, `${where} is not https; inputs are read over https only (http only from this machine, for local development)`);
  }
  if (!policy.accounts.has(accountOf(input.url))) {
    throw new InvalidEventError(
      field,
      `${where} is not in the ${STORAGE_CONNECTION} account nor an account AZBR_INPUT_ACCOUNTS names; inputs come from those accounts only`,
    );
  }
  const container = input.container.toLowerCase();
  if (isHostContainer(container))
    throw new InvalidEventError(field, `${where} is in ${input.container}, a container of the Functions host; it is never an input`);
  const why = policy.forbidden.get(container);
  if (why) throw new InvalidEventError(field, `${where} is in ${input.container}, ${why}; it is never an input`);
  if (!policy.containers.has(container)) {
    throw new InvalidEventError(
      field,
      `${where} is in container ${input.container}, which is not an input container (AZBR_INPUT_CONTAINERS: ${[...policy.containers].join(", ") || "none"})`,
    );
  }
}
