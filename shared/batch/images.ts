/**
 * Which VM images and node agents Azure Batch still takes, and until when.
 *
 * Two tables, each row with its public source:
 * - `RETIREMENTS`: node agents and Marketplace images that Batch has retired or has announced it
 *   will retire. `validate` refuses a retired one (with the date and the replacement) and warns
 *   about one that retires within `RETIREMENT_WARNING_DAYS`.
 * - `SUPPORTED_IMAGES`: what `GET /supportedimages` answers, in the REST definition's
 *   `ImageInformation` shape: the local Batch service serves it and refuses pools outside it, as
 *   Batch does; the core checks a real account's own answer before it creates a pool.
 *
 * This is the one file of the project that names retired images and node agents (with its tests).
 */

/** What a spec or a pool says of its image. */
export interface ImageChoice {
  publisher?: string;
  offer?: string;
  sku?: string;
  /** A Compute Gallery image: only its node agent can be checked. */
  virtualMachineImageId?: string;
}

export interface Retirement {
  /** A node agent (exact, case-insensitive), or Marketplace images (publisher and offer exact, sku a pattern). */
  nodeAgent?: string;
  image?: { publisher: string; offer: string; sku: RegExp };
  /** The day from which Batch no longer creates pools with it (UTC, YYYY-MM-DD). */
  date: string;
  replacement: string;
  /** The public announcement. */
  source: string;
}

const UBUNTU_2404 = "microsoft-dsvm / ubuntu-hpc / 2404 with node agent batch.node.ubuntu 24.04 (container pools), or canonical / ubuntu-24_04-lts / server";

/** Node agents and images Batch has retired or will retire. Dates are the last day of support announced. */
export const RETIREMENTS: readonly Retirement[] = [
  { nodeAgent: "batch.node.ubuntu 14.04", date: "2019-08-01", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/61" },
  { nodeAgent: "batch.node.ubuntu 16.04", date: "2021-05-21", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/106" },
  { nodeAgent: "batch.node.ubuntu 18.04", date: "2023-05-30", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/152" },
  { nodeAgent: "batch.node.ubuntu 20.04", date: "2025-04-23", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/174" },
  { nodeAgent: "batch.node.ubuntu 22.04", date: "2027-06-30", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/200" },
  ...["batch.node.centos 7", "batch.node.centos 8"].map((nodeAgent) => ({
    nodeAgent,
    date: "2024-12-31",
    replacement: `an AlmaLinux or Rocky Linux image with batch.node.el 9, or ${UBUNTU_2404}`,
    source: "https://github.com/Azure/Batch/issues/180",
  })),
  ...["batch.node.debian 8", "batch.node.debian 9", "batch.node.debian 10"].map((nodeAgent) => ({
    nodeAgent,
    date: "2024-12-31",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/180",
  })),
  // The Ubuntu 20.04 container images of microsoft-azure-batch, and the other 20.04 Marketplace images.
  {
    image: { publisher: "microsoft-azure-batch", offer: "ubuntu-server-container", sku: /^20-04-lts$/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174",
  },
  {
    image: { publisher: "microsoft-azure-batch", offer: "ubuntu-server-container-rdma", sku: /^20-04-lts$/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174",
  },
  {
    image: { publisher: "canonical", offer: "0001-com-ubuntu-server-focal", sku: /^20_04-lts/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174",
  },
  {
    image: { publisher: "microsoft-dsvm", offer: "ubuntu-2004", sku: /^2004/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174",
  },
  {
    image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: /^2004/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174",
  },
  {
    image: { publisher: "microsoft-azure-batch", offer: "centos-container", sku: /./ },
    date: "2024-12-31",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/180",
  },
  {
    image: { publisher: "microsoft-azure-batch", offer: "centos-container-rdma", sku: /./ },
    date: "2024-12-31",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/180",
  },
  {
    image: { publisher: "microsoftwindowsserver", offer: "windowsserver", sku: /^2012-/i },
    date: "2024-12-05",
    replacement: "microsoftwindowsserver / windowsserver / 2022-datacenter-core-smalldisk",
    source: "https://github.com/Azure/Batch/issues/179",
  },
  {
    image: { publisher: "microsoftwindowsserver", offer: "windowsserver", sku: /^2016-/i },
    date: "2027-01-12",
    replacement: "microsoftwindowsserver / windowsserver / 2022-datacenter-core-smalldisk",
    source: "https://github.com/Azure/Batch/issues/197",
  },
];

/** How many days ahead a retirement is worth a warning. */
export const RETIREMENT_WARNING_DAYS = 180;

const DAY_MS = 86_400_000;

/** The end of a retirement's last day (Batch stops accepting pools after it). */
export function retirementTime(r: Pick<Retirement, "date">): number {
  return Date.parse(`${r.date}T23:59:59.999Z`);
}

export function describeImage(image: ImageChoice): string {
  return image.virtualMachineImageId ?? [image.publisher, image.offer, image.sku].join(" / ");
}

/** The retirements that apply to an image and node agent, the image's own first. */
export function retirementsOf(image: ImageChoice, nodeAgent: string | undefined): Retirement[] {
  const lower = (s?: string) => (s ?? "").toLowerCase();
  const found = RETIREMENTS.filter(
    (r) => r.image && lower(image.publisher) === r.image.publisher && lower(image.offer) === r.image.offer && r.image.sku.test(lower(image.sku)),
  );
  for (const r of RETIREMENTS) if (r.nodeAgent && lower(nodeAgent) === r.nodeAgent) found.push(r);
  return found;
}

export interface RetirementFinding {
  /** `retired`: past its date, refused; `retiring`: within `RETIREMENT_WARNING_DAYS`. */
  status: "retired" | "retiring";
  field: "image" | "nodeAgentSku";
  what: string;
  retirement: Retirement;
  /** Whole days left (retiring only). */
  daysLeft?: number;
  message: string;
}

/** What the retirement table says of a pool's image and node agent at `now`. */
export function checkRetirement(image: ImageChoice, nodeAgent: string | undefined, now: number = Date.now()): RetirementFinding[] {
  const findings: RetirementFinding[] = [];
  for (const r of retirementsOf(image, nodeAgent)) {
    const field = r.image ? "image" : "nodeAgentSku";
    const what = r.image ? describeImage(image) : `node agent ${r.nodeAgent}`;
    const end = retirementTime(r);
    if (now > end) {
      findings.push({
        status: "retired",
        field,
        what,
        retirement: r,
        message: `${what} was retired by Azure Batch on ${r.date}: no new pool can use it; use ${r.replacement} (${r.source})`,
      });
    } else if (end - now <= RETIREMENT_WARNING_DAYS * DAY_MS) {
      const daysLeft = Math.ceil((end - now) / DAY_MS);
      findings.push({
        status: "retiring",
        field,
        what,
        retirement: r,
        daysLeft,
        message: `${what} retires from Azure Batch on ${r.date} (in ${daysLeft} day${daysLeft === 1 ? "" : "s"}); move to ${r.replacement} (${r.source})`,
      });
    }
  }
  return findings;
}

/** One row of `GET /supportedimages` (`ImageInformation` in the REST definition). */
export interface ImageInformation {
  nodeAgentSKUId: string;
  imageReference: { publisher: string; offer: string; sku: string; version: string };
  osType: "linux" | "windows";
  capabilities?: string[];
  batchSupportEndOfLife?: string;
  verificationType: "verified" | "unverified";
}

const image = (publisher: string, offer: string, sku: string, nodeAgentSKUId: string, extra: Partial<ImageInformation> = {}): ImageInformation => ({
  nodeAgentSKUId,
  imageReference: { publisher, offer, sku, version: "latest" },
  osType: nodeAgentSKUId.startsWith("batch.node.windows") ? "windows" : "linux",
  verificationType: "verified",
  ...extra,
});
const eol = (date: string) => `${date}T00:00:00.000Z`;
const DOCKER = ["DockerCompatible"];
const GPU_DOCKER = ["DockerCompatible", "NvidiaTeslaDriverInstalled", "SupportsRDMAOnVmSku"];

/**
 * A realistic `GET /supportedimages` answer for a region today: the container images of the
 * Ubuntu HPC family (DockerCompatible), Canonical's plain images (listed without DockerCompatible,
 * Azure/Batch#178), AlmaLinux, Windows Server, and entries at or past their end of life, with
 * `batchSupportEndOfLife` set as the service sets it.
 */
export const SUPPORTED_IMAGES: readonly ImageInformation[] = [
  image("microsoft-dsvm", "ubuntu-hpc", "2404", "batch.node.ubuntu 24.04", { capabilities: GPU_DOCKER }),
  image("microsoft-dsvm", "ubuntu-hpc", "2404-rocm", "batch.node.ubuntu 24.04", { capabilities: DOCKER }),
  image("microsoft-dsvm", "ubuntu-hpc", "2204", "batch.node.ubuntu 22.04", { capabilities: GPU_DOCKER, batchSupportEndOfLife: eol("2027-06-30") }),
  image("canonical", "ubuntu-24_04-lts", "server", "batch.node.ubuntu 24.04"),
  image("canonical", "ubuntu-24_04-lts", "server-gen1", "batch.node.ubuntu 24.04"),
  image("canonical", "0001-com-ubuntu-server-jammy", "22_04-lts", "batch.node.ubuntu 22.04", { batchSupportEndOfLife: eol("2027-06-30") }),
  image("canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "batch.node.ubuntu 22.04", { batchSupportEndOfLife: eol("2027-06-30") }),
  image("almalinux", "almalinux-x86_64", "9-gen2", "batch.node.el 9"),
  image("almalinux", "almalinux-x86_64", "8-gen2", "batch.node.el 8"),
  image("resf", "rockylinux-x86_64", "9-base", "batch.node.el 9", { verificationType: "unverified" }),
  image("microsoftwindowsserver", "windowsserver", "2022-datacenter-core-smalldisk", "batch.node.windows amd64", { capabilities: DOCKER }),
  image("microsoftwindowsserver", "windowsserver", "2022-datacenter-smalldisk", "batch.node.windows amd64"),
  image("microsoftwindowsserver", "windowsserver", "2019-datacenter-core-smalldisk", "batch.node.windows amd64", { capabilities: DOCKER }),
  image("microsoftwindowsserver", "windowsserver", "2016-datacenter-smalldisk", "batch.node.windows amd64", { batchSupportEndOfLife: eol("2027-01-12") }),
  // Past its end of life: still listed with the date, and no longer taken for a new pool.
  image("microsoft-azure-batch", "ubuntu-server-container", "20-04-lts", "batch.node.ubuntu 20.04", {
    capabilities: DOCKER,
    batchSupportEndOfLife: eol("2025-04-23"),
  }),
];

/** The entry of a table for a Marketplace image (case-insensitive), if any. */
export function findSupportedImage(table: readonly ImageInformation[], image: ImageChoice): ImageInformation | undefined {
  const lower = (s?: string) => (s ?? "").toLowerCase();
  return table.find(
    (i) =>
      lower(i.imageReference.publisher) === lower(image.publisher) &&
      lower(i.imageReference.offer) === lower(image.offer) &&
      lower(i.imageReference.sku) === lower(image.sku),
  );
}

/** Past the end of life the service reports (Batch no longer creates pools with the image). */
export function pastEndOfLife(info: ImageInformation, now: number): boolean {
  return info.batchSupportEndOfLife !== undefined && Date.parse(info.batchSupportEndOfLife) <= now;
}
