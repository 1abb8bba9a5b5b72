/**
 * Before a pool is created: does the account take its image? One `GET /supportedimages` filtered
 * by the node agent answers it: the image must be listed with that node agent, not past its
 * `batchSupportEndOfLife`, and a `dockerCompatible` pool's image must have the `DockerCompatible`
 * capability. A failed check is the spec's fault (a `UsageError`, nothing created); an unverified
 * image or an end of life within 180 days is a warning.
 */
import { describeImage, findSupportedImage, pastEndOfLife, RETIREMENT_WARNING_DAYS, retirementsOf, type ImageInformation } from "../batch/images.js";
import type { PoolAddParameter } from "../batch/types.js";
import type { BatchClient } from "../client/batchClient.js";
import { UsageError } from "../errors.js";
import type { ProgressReporter } from "./reporter.js";

const DAY_MS = 86_400_000;

export interface ImageCheckOptions {
  signal?: AbortSignal;
  /** The time end-of-life dates are judged at (ms since the epoch; default now). */
  now?: number;
}

/** The images the account supports with a node agent, as the service lists them. */
export async function supportedImages(client: BatchClient, nodeAgent: string, signal?: AbortSignal): Promise<ImageInformation[]> {
  const images: ImageInformation[] = [];
  const filter = `nodeAgentSKUId eq '${nodeAgent.replace(/'/g, "''")}'`;
  for await (const image of client.list<ImageInformation>("/supportedimages", { query: { $filter: filter }, signal })) images.push(image);
  return images;
}

function replacementFor(image: { publisher?: string; offer?: string; sku?: string }, nodeAgent: string): string {
  const known = retirementsOf(image, nodeAgent)[0];
  return known ? `; use ${known.replacement} (${known.source})` : "";
}

/** Throws a `UsageError` when the account would not take the pool's image; warns of what is near its end. */
export async function checkPoolImage(client: BatchClient, pool: PoolAddParameter, reporter: ProgressReporter, options: ImageCheckOptions = {}): Promise<void> {
  const vmc = pool.virtualMachineConfiguration;
  if (!vmc) return;
  const now = options.now ?? Date.now();
  const agent = vmc.nodeAgentSKUId;
  const listed = await supportedImages(client, agent, options.signal);
  const ref = vmc.imageReference;
  if (ref.virtualMachineImageId) {
    // A gallery image is the account's own: only its node agent can be checked.
    if (!listed.some((i) => !pastEndOfLife(i, now))) {
      throw new UsageError(
        `pool.nodeAgentSku: the account supports no image with node agent "${agent}" (GET /supportedimages)${replacementFor({}, agent) || "; choose the node agent of a current image"}`,
      );
    }
    return;
  }
  const what = describeImage(ref);
  const info = findSupportedImage(listed, ref);
  if (!info) {
    const offered = listed.slice(0, 6).map((i) => describeImage(i.imageReference));
    throw new UsageError(
      `pool.image: ${what} is not among the images the account supports with node agent "${agent}" (GET /supportedimages)` +
        (offered.length
          ? `; with that node agent it lists ${offered.join(", ")}${listed.length > offered.length ? ", ..." : ""}`
          : "; it lists no image with that node agent") +
        replacementFor(ref, agent),
    );
  }
  if (pastEndOfLife(info, now)) {
    throw new UsageError(
      `pool.image: ${what} reached the end of its Azure Batch support on ${info.batchSupportEndOfLife!.slice(0, 10)} (batchSupportEndOfLife): no new pool can use it${replacementFor(ref, agent)}`,
    );
  }
  const container = vmc.containerConfiguration;
  if (container?.type === "dockerCompatible" && !(info.capabilities ?? []).includes("DockerCompatible")) {
    throw new UsageError(
      `pool.container: ${what} does not list the DockerCompatible capability (GET /supportedimages), so its nodes have no container runtime Batch can use; use microsoft-dsvm / ubuntu-hpc / 2404 (batch.node.ubuntu 24.04) for container pools`,
    );
  }
  if (info.verificationType === "unverified") {
    reporter.warn(`pool.image: ${what} is unverified with node agent "${agent}": Batch expects it to work but has not verified every feature`);
  }
  if (info.batchSupportEndOfLife) {
    const daysLeft = Math.ceil((Date.parse(info.batchSupportEndOfLife) - now) / DAY_MS);
    if (daysLeft <= RETIREMENT_WARNING_DAYS) {
      reporter.warn(
        `pool.image: ${what} reaches the end of its Azure Batch support on ${info.batchSupportEndOfLife.slice(0, 10)} (in ${daysLeft} day${daysLeft === 1 ? "" : "s"})${replacementFor(ref, agent).replace(/^; use/, "; move to")}`,
      );
    }
  }
}
