/**
 * What a local Batch service is started with: where it keeps its state, what runs the tasks, its
 * keys, its bounds, and the hooks tests and recorders use. Read by every part; changed by none.
 */
import type { AccountQuotas } from "./account.js";
import type { AuthConfig } from "./auth.js";
import type { FaultOptions } from "./faults.js";
import type { Executor } from "./runtime/executors.js";
import type { IdentityStorage } from "./runtime/storageLogins.js";

export type { IdentityStorage } from "./runtime/storageLogins.js";

export interface LocalBatchOptions extends AuthConfig {
  dataDir: string;
  executor: Executor;
  /** The account's quotas (cores per VM family, Spot cores, pools, active jobs); generous by default. */
  account?: Partial<AccountQuotas>;
  /** The account's region, as its ARM side gives it (default "local"). */
  location?: string;
  /** Upper bound on simulated nodes per pool (each runs real work on this machine). */
  maxNodesPerPool?: number;
  /** Open connections at once (default 256); more are refused until some close. */
  maxConnections?: number;
  /** The resource group the local account is in, for its ARM side (default "local"). */
  armResourceGroup?: string;
  /**
   * The local stand-in for a node's managed identity with AcrPull: which registry logins each
   * identity gets. `address` is where the registry really listens, when `server` (say
   * myacr.azurecr.io) does not resolve here: images of that server are pulled from it and tagged.
   */
  identityRegistries?: IdentityRegistry[];
  /**
   * The local stand-in for a node's managed identity with a Storage role: which storage account an
   * identity reaches, with its key (a SAS is signed for each resource or output file that names it).
   */
  identityStorage?: IdentityStorage[];
  /** How long a peer may take to send its headers (default 10 s) and its whole request (30 s). */
  timeouts?: { headersMs?: number; requestMs?: number };
  faults?: FaultOptions;
  /**
   * Where services record what they start, so that one started after a killed one removes its
   * leftovers (default: AZBR_LOCAL_RUNTIME_DIR, or azure-batch-run-local-<uid> in the temporary folder).
   */
  runtimeDir?: string;
  /** The data folder was made for this service alone (`run --local`): removed if the service is killed and a later one sweeps. */
  ownsDataDir?: boolean;
  /**
   * Tests: job schedules' recurrences run this many times faster (default 1). The service still
   * refuses a recurrence under a minute, as Batch does; a test that wants several jobs in seconds
   * speeds the clock instead.
   */
  scheduleTimeScale?: number;
  /** Called with every request and response (for recorders). */
  onExchange?: (exchange: Exchange) => void;
  log?: (message: string) => void;
}

export interface IdentityRegistry {
  identity: string;
  server: string;
  address?: string;
  username: string;
  password: string;
}

export interface Exchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: unknown;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody?: unknown;
}
