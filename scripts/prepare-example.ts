// `npm start` runs the README example on the local Batch service. Where a Docker engine answers,
// the example's image is built here first (FROM scratch + busybox-static); otherwise the service
// runs the tasks as host processes and this script has nothing to do.
import { dockerReachable } from "../local-batch/runtime/executors.js";
import { BUSYBOX, buildBusyboxImage } from "../local-batch/images/busyboxImage.js";

export const EXAMPLE_IMAGE = "azure-batch-run/example:1.0";

if (await dockerReachable()) {
  if (!BUSYBOX) {
    console.error("prepare-example: Docker answers but busybox-static is not installed; install it (apt-get install busybox-static) or use --executor process");
    process.exit(2);
  }
  await buildBusyboxImage(EXAMPLE_IMAGE, { workdir: "/app" });
  console.error(`prepare-example: built ${EXAMPLE_IMAGE}`);
}
