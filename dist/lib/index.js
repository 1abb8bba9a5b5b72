// shared/workload/load.ts
import { parseDocument } from "yaml";

// shared/batch/duration.ts
var DURATION_PATTERN = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
function parseDuration(value) {
  const m = DURATION_PATTERN.exec(value);
  if (!m) return void 0;
  const [, w, d, h, min, sec] = m;
  return (((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 6e4 + Number(sec ?? 0) * 1e3;
}

// shared/batch/limits.ts
var MINUTE = 6e4;
var MAX_TASKS_PER_REQUEST = 100;
var MAX_REQUEST_BYTES = 1e6;
var SERVICE_MAX_BODY_BYTES = 1024 * 1024;
var MAX_DURATION_MS = 922337203685477;
var BATCH_LIMITS = {
  /** `resizeTimeout`: "The minimum value is 5 minutes." */
  minResizeTimeoutMs: 5 * MINUTE,
  /** `autoScaleEvaluationInterval`: at least 5 minutes and at most 168 hours. */
  minAutoScaleIntervalMs: 5 * MINUTE,
  maxAutoScaleIntervalMs: 168 * 60 * MINUTE,
  /** A job release task's `maxWallClockTime`: "The maximum value is 15 minutes." */
  maxReleaseWallClockMs: 15 * MINUTE,
  /** A job schedule's `recurrenceInterval` and `startWindow`: "The minimum value is 1 minute." */
  minRecurrenceMs: MINUTE,
  minStartWindowMs: MINUTE,
  /** `taskSlotsPerNode`: "The maximum value is the smaller of 4 times the number of cores of the vmSize of the pool or 256." */
  maxTaskSlotsPerNode: 256,
  taskSlotsPerCore: 4,
  /**
   * One environment variable (`NAME=value` and its terminating NUL) or one command line: Linux
   * refuses a longer single string to exec (MAX_ARG_STRLEN, 32 pages of 4 KiB) with E2BIG, so the
   * task could never start although the request is well under 1 MB.
   */
  maxProcessStringBytes: 131072
};
var DEFAULT_PREPARATION_TASK_ID = "jobpreparation";
var DEFAULT_RELEASE_TASK_ID = "jobrelease";
var VM_SIZE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
var INVISIBLE_CHARACTERS = /[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
function invisibleCharacter(text) {
  const m = INVISIBLE_CHARACTERS.exec(text);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at position ${m.index}` : void 0;
}
function durationProblem(value, bounds) {
  const ms = parseDuration(value);
  if (ms === void 0) return void 0;
  if (bounds.minMs !== void 0 && ms < bounds.minMs) return `${value} is under Batch's minimum of ${bounds.min}`;
  if (bounds.maxMs !== void 0 && ms > bounds.maxMs) return `${value} is over Batch's maximum of ${bounds.max}`;
  return void 0;
}
function vCpusOfVmSize(vmSize) {
  const m = /^standard_([a-z]+?)(\d+)(?:-(\d+))?([a-z]*)((?:_[a-z0-9]+)*)$/i.exec(vmSize);
  if (!m) return void 0;
  const family = m[1].toUpperCase();
  const version = Number(/_v(\d+)$/i.exec(m[5] ?? "")?.[1] ?? 1);
  const named = version >= 3 || /^(B|H|HB|HC|HX|L|M|N[A-Z]*)$/.test(family) || version === 2 && (family === "F" || family === "A");
  if (!named) return void 0;
  return Number(m[3] ?? m[2]);
}
var DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
var DOMAIN = new RegExp(`^${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]{1,5})?$`);
var PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
var TAG = /^[\w][\w.-]{0,127}$/;
var DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
function imageNameProblem(image2) {
  if (image2.length > 255 + 1 + 128 + 1 + 135) return "is too long for an image reference";
  let rest = image2;
  const at = rest.indexOf("@");
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) return "has a digest that is not algorithm:hex (e.g. @sha256:<64 hex digits>)";
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) {
    if (!TAG.test(rest.slice(colon + 1))) return "has a tag that is not 1 to 128 letters, digits, _ . or - (starting with a letter, digit or _)";
    rest = rest.slice(0, colon);
  }
  if (rest.length === 0) return "has no repository name";
  if (rest.length > 255) return "has a repository name over 255 characters";
  const parts = rest.split("/");
  const first = parts[0];
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase())) {
    if (!DOMAIN.test(first)) return `has a registry "${first}" that is not a host name with an optional port`;
    parts.shift();
  }
  for (const part of parts) {
    if (PATH_COMPONENT.test(part)) continue;
    if (PATH_COMPONENT.test(part.toLowerCase())) return `must be lowercase in its repository path ("${part}"); e.g. ${image2.replace(part, part.toLowerCase())}`;
    return `has a repository path component "${part}" that is not lowercase letters and digits separated by . _ __ or -`;
  }
  return void 0;
}
function filePathProblem(path) {
  if (/^([/\\]|[A-Za-z]:)/.test(path)) return `"${path}" is absolute; a resource file's path is relative to the task's working directory`;
  if (path.split(/[/\\]/).includes("..")) return `"${path}" has a ".." segment; a resource file cannot be placed outside the task's working directory`;
  return void 0;
}

// shared/batch/blobNames.ts
import { createHash } from "node:crypto";
var hash = (text, length = 16) => createHash("sha256").update(text).digest("hex").slice(0, length);
var safe = (text, max) => text.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, max);
var MAX_BLOB_NAME = 1024;
var MAX_FILE_NAME_BYTES = 128;
function safeFileName(last) {
  const name = last.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_") || "input";
  if (name.length <= MAX_FILE_NAME_BYTES) return name;
  const ext = /\.[A-Za-z0-9_-]{1,16}$/.exec(name)?.[0] ?? "";
  return `${name.slice(0, MAX_FILE_NAME_BYTES - ext.length - 17)}-${hash(last)}${ext}`;
}
function blobTaskId(blob) {
  const account = new URL(blob.url);
  const key = `${account.host}/${blob.url.slice(account.origin.length).split("/")[1]}/${blob.container}/${blob.name}
${blob.etag ?? ""}`;
  const prefix = safe(blob.name.split("/").pop() ?? "", 40);
  return `${prefix || "blob"}-${hash(key)}`;
}

// shared/workload/blobItems.ts
var BlobListing = class {
  constructor(source, query, containerName, listed = true, note) {
    this.source = source;
    this.query = query;
    this.containerName = containerName;
    this.listed = listed;
    this.note = note;
  }
  source;
  query;
  containerName;
  listed;
  note;
  /** `name`, `etag` and task id, UTF-8, blob after blob; `ends[3k]` ends blob k's name, `ends[3k + 1]` its ETag, `ends[3k + 2]` its task id. */
  bytes = Buffer.alloc(64 * 1024);
  used = 0;
  ends = new Uint32Array(1024);
  count = 0;
  /** The longest name, for the loader's size estimate of `{{ item }}`. */
  longest = 0;
  add(name, etag) {
    const tag2 = etag.replace(/^W\//, "").replace(/^"|"$/g, "");
    const taskId = blobTaskId({ url: this.urlOf(name), container: this.containerName, name, etag: tag2 });
    const need = Buffer.byteLength(name) + Buffer.byteLength(tag2) + taskId.length;
    if (this.used + need > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(this.bytes.length * 2, this.used + need));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    if (3 * this.count + 3 > this.ends.length) {
      const grown = new Uint32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.used += this.bytes.write(name, this.used);
    this.ends[3 * this.count] = this.used;
    this.used += this.bytes.write(tag2, this.used);
    this.ends[3 * this.count + 1] = this.used;
    this.used += this.bytes.write(taskId, this.used, "latin1");
    this.ends[3 * this.count + 2] = this.used;
    this.count++;
    this.longest = Math.max(this.longest, name.length);
  }
  get length() {
    return this.count;
  }
  /** What one `{{ item }}` can add to a task, as JSON, at most. */
  get largestItemBytes() {
    return 3 * this.longest * 2 + this.source.container.length + 400;
  }
  urlOf(name) {
    return `${this.source.container}/${name.split("/").map(encodeURIComponent).join("/")}`;
  }
  item(k) {
    const start = k === 0 ? 0 : this.ends[3 * k - 1];
    const name = this.bytes.toString("utf8", start, this.ends[3 * k]);
    const etag = this.bytes.toString("utf8", this.ends[3 * k], this.ends[3 * k + 1]);
    const taskId = this.bytes.toString("latin1", this.ends[3 * k + 1], this.ends[3 * k + 2]);
    return { name, url: this.urlOf(name), fileName: safeFileName(name.slice(name.lastIndexOf("/") + 1) || name), etag, taskId };
  }
};
var LISTINGS = /* @__PURE__ */ new WeakMap();
function attachListing(forEach, listing) {
  LISTINGS.set(forEach, listing);
}
function listingOf(forEach) {
  return LISTINGS.get(forEach);
}
function describeSource(source) {
  const parts = [
    source.prefix !== void 0 ? `prefix "${source.prefix}"` : "",
    source.pattern !== void 0 ? `pattern "${source.pattern}"` : "",
    source.limit !== void 0 ? `limit ${source.limit}` : ""
  ].filter(Boolean);
  return `${source.container}${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

// shared/workload/budget.ts
var LIMITS = {
  /** Bytes of spec text. */
  documentBytes: 4 * 1024 * 1024,
  /** Levels of nested mappings and lists; a real spec needs about ten. */
  depth: 32,
  /** Values (mapping entries, list items, scalars) in the parsed document. */
  nodes: 1e6,
  /** YAML alias resolutions (`*name`), as the yaml package counts them. */
  aliases: 100,
  /** Tasks one spec expands to. */
  tasks: 1e5,
  /** Estimated bytes of all expanded tasks, as JSON. */
  expandedBytes: 128 * 1024 * 1024,
  /** Bytes one rendered template string may grow to (a whole Batch request is at most 1 MB). */
  renderedStringBytes: 1024 * 1024
};
var mb = (bytes2) => `${(bytes2 / 1024 / 1024).toFixed(1)} MB`;
function flowDepth(text) {
  let depth = 0;
  let max = 0;
  let quote;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = void 0;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "[" || c === "{") max = Math.max(max, ++depth);
    else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
  return max;
}
function checkText(text, fileName, issues) {
  const bytes2 = Buffer.byteLength(text);
  if (bytes2 > LIMITS.documentBytes)
    issues.add("", `${fileName} is ${mb(bytes2)}; a spec is at most ${mb(LIMITS.documentBytes)} (generate long lists with forEach)`);
  else if (flowDepth(text) > LIMITS.depth) issues.add("", `${fileName} nests lists and mappings more than ${LIMITS.depth} levels deep`);
}
var CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
function checkData(data, issues) {
  let nodes = 0;
  const stack = [{ value: data, path: "", depth: 0 }];
  const at = (base, key) => typeof key === "number" ? `${base}[${key}]` : base ? `${base}.${key}` : key;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop();
    if (++nodes > LIMITS.nodes) {
      issues.add("", `the spec holds more than ${LIMITS.nodes} values; generate long lists with forEach`);
      return;
    }
    if (typeof value === "string") {
      const m = CONTROL.exec(value);
      if (m)
        issues.add(
          path,
          `contains the control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at position ${m.index}; Batch ids, command lines and values cannot carry it`
        );
      const hidden = /(^|\.)displayName$|(^|\.)metadata\./.test(path) ? void 0 : invisibleCharacter(value);
      if (hidden)
        issues.add(path, `contains the invisible character ${hidden} (a bidirectional or zero-width character): what runs would not be what one reads`);
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= LIMITS.depth) {
      issues.add(path, `nests more than ${LIMITS.depth} levels deep`);
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: at(path, i), depth: depth + 1 }));
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key === "__proto__") {
        issues.add(path, 'unknown field "__proto__"');
        continue;
      }
      if (CONTROL.test(key)) {
        issues.add(path, `has a field name with a control character (${JSON.stringify(key)})`);
        continue;
      }
      stack.push({ value: value[key], path: at(path, key), depth: depth + 1 });
    }
  }
}
function forEachCount(forEach) {
  if ("range" in forEach) {
    const [first, last, step = 1] = forEach.range;
    if (step === 0 || Math.sign(last - first) * Math.sign(step) < 0) return void 0;
    return Math.floor((last - first) / step) + 1;
  }
  if ("items" in forEach) return forEach.items.length;
  if ("blobs" in forEach) return listingOf(forEach)?.length ?? 0;
  const lists = Object.values("zip" in forEach ? forEach.zip : forEach.product);
  if (lists.length === 0) return void 0;
  if ("zip" in forEach) return lists[0].length;
  return lists.reduce((n, l) => n * l.length, 1);
}
function largestItemBytes(forEach) {
  if ("range" in forEach) return 12;
  if ("blobs" in forEach) return listingOf(forEach)?.largestItemBytes ?? 0;
  const lists = "items" in forEach ? [forEach.items] : Object.values("zip" in forEach ? forEach.zip : forEach.product);
  let max = 0;
  for (const list of lists) for (const v of list) max = Math.max(max, Buffer.byteLength(JSON.stringify(v) ?? ""));
  return "items" in forEach ? max : max * lists.length;
}
function checkExpansion(entries, defaults, issues) {
  const defaultsBytes = defaults ? Buffer.byteLength(JSON.stringify(defaults)) : 0;
  let tasks = 0;
  let bytes2 = 0;
  let ok = true;
  entries.forEach((entry, i) => {
    const count = entry.forEach ? forEachCount(entry.forEach) : 1;
    if (count === void 0) return;
    const template = JSON.stringify(entry);
    const itemRefs = entry.forEach ? (template.match(/\{\{\s*item\b/g) ?? []).length : 0;
    const perTask = Buffer.byteLength(template) + defaultsBytes + itemRefs * (entry.forEach ? largestItemBytes(entry.forEach) : 0);
    tasks += count;
    bytes2 += count * perTask;
    if (count > LIMITS.tasks) {
      issues.add(`tasks.list[${i}].forEach`, `makes ${count} tasks; at most ${LIMITS.tasks} per spec`);
      ok = false;
    } else if (perTask > LIMITS.renderedStringBytes) {
      issues.add(`tasks.list[${i}]`, `each task would be about ${Math.ceil(perTask / 1024)} KB; a Batch request, and so one task, is at most 1 MB`);
      ok = false;
    } else if (count * perTask > LIMITS.expandedBytes) {
      issues.add(
        `tasks.list[${i}]`,
        `expands to ${count} tasks of about ${Math.ceil(perTask / 1024)} KB each (${mb(count * perTask)}); at most ${mb(LIMITS.expandedBytes)} in all: shorten the command, environment or defaults, or split the work`
      );
      ok = false;
    }
  });
  if (ok && tasks > LIMITS.tasks) {
    issues.add("tasks.list", `makes ${tasks} tasks; at most ${LIMITS.tasks} per spec`);
    ok = false;
  } else if (ok && bytes2 > LIMITS.expandedBytes) {
    issues.add("tasks.list", `expands to about ${mb(bytes2)} of tasks; at most ${mb(LIMITS.expandedBytes)} in all`);
    ok = false;
  }
  return ok;
}

// shared/workload/errors.ts
var SpecError = class extends Error {
  name = "SpecError";
  issues;
  constructor(issues) {
    super(issues.map((i) => i.path ? `${i.path}: ${i.message}` : i.message).join("\n"));
    this.issues = issues;
  }
};
function formatPath(path) {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
var MAX_LISTED_ISSUES = 100;
var IssueCollector = class {
  issues = [];
  /** Issues found beyond the ones listed. */
  more = 0;
  add(path, message) {
    if (this.issues.length < MAX_LISTED_ISSUES) this.issues.push({ path, message });
    else this.more++;
  }
  throwIfAny() {
    if (this.issues.length === 0) return;
    const more = this.more ? [{ path: "", message: `... and ${this.more} more problem${this.more === 1 ? "" : "s"} (the first ${MAX_LISTED_ISSUES} are listed)` }] : [];
    throw new SpecError([...this.issues, ...more]);
  }
};

// shared/batch/images.ts
var UBUNTU_2404 = "microsoft-dsvm / ubuntu-hpc / 2404 with node agent batch.node.ubuntu 24.04 (container pools), or canonical / ubuntu-24_04-lts / server";
var RETIREMENTS = [
  { nodeAgent: "batch.node.ubuntu 14.04", date: "2019-08-01", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/61" },
  { nodeAgent: "batch.node.ubuntu 16.04", date: "2021-05-21", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/106" },
  { nodeAgent: "batch.node.ubuntu 18.04", date: "2023-05-30", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/152" },
  { nodeAgent: "batch.node.ubuntu 20.04", date: "2025-04-23", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/174" },
  { nodeAgent: "batch.node.ubuntu 22.04", date: "2027-06-30", replacement: UBUNTU_2404, source: "https://github.com/Azure/Batch/issues/200" },
  ...["batch.node.centos 7", "batch.node.centos 8"].map((nodeAgent) => ({
    nodeAgent,
    date: "2024-12-31",
    replacement: `an AlmaLinux or Rocky Linux image with batch.node.el 9, or ${UBUNTU_2404}`,
    source: "https://github.com/Azure/Batch/issues/180"
  })),
  ...["batch.node.debian 8", "batch.node.debian 9", "batch.node.debian 10"].map((nodeAgent) => ({
    nodeAgent,
    date: "2024-12-31",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/180"
  })),
  // The Ubuntu 20.04 container images of microsoft-azure-batch, and the other 20.04 Marketplace images.
  {
    image: { publisher: "microsoft-azure-batch", offer: "ubuntu-server-container", sku: /^20-04-lts$/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174"
  },
  {
    image: { publisher: "microsoft-azure-batch", offer: "ubuntu-server-container-rdma", sku: /^20-04-lts$/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174"
  },
  {
    image: { publisher: "canonical", offer: "0001-com-ubuntu-server-focal", sku: /^20_04-lts/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174"
  },
  {
    image: { publisher: "microsoft-dsvm", offer: "ubuntu-2004", sku: /^2004/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174"
  },
  {
    image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: /^2004/ },
    date: "2025-04-23",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/174"
  },
  {
    image: { publisher: "microsoft-azure-batch", offer: "centos-container", sku: /./ },
    date: "2024-12-31",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/180"
  },
  {
    image: { publisher: "microsoft-azure-batch", offer: "centos-container-rdma", sku: /./ },
    date: "2024-12-31",
    replacement: UBUNTU_2404,
    source: "https://github.com/Azure/Batch/issues/180"
  },
  {
    image: { publisher: "microsoftwindowsserver", offer: "windowsserver", sku: /^2012-/i },
    date: "2024-12-05",
    replacement: "microsoftwindowsserver / windowsserver / 2022-datacenter-core-smalldisk",
    source: "https://github.com/Azure/Batch/issues/179"
  },
  {
    image: { publisher: "microsoftwindowsserver", offer: "windowsserver", sku: /^2016-/i },
    date: "2027-01-12",
    replacement: "microsoftwindowsserver / windowsserver / 2022-datacenter-core-smalldisk",
    source: "https://github.com/Azure/Batch/issues/197"
  }
];
var RETIREMENT_WARNING_DAYS = 180;
var DAY_MS = 864e5;
function retirementTime(r) {
  return Date.parse(`${r.date}T23:59:59.999Z`);
}
function describeImage(image2) {
  return image2.virtualMachineImageId ?? [image2.publisher, image2.offer, image2.sku].join(" / ");
}
function retirementsOf(image2, nodeAgent) {
  const lower = (s) => (s ?? "").toLowerCase();
  const found = RETIREMENTS.filter(
    (r) => r.image && lower(image2.publisher) === r.image.publisher && lower(image2.offer) === r.image.offer && r.image.sku.test(lower(image2.sku))
  );
  for (const r of RETIREMENTS) if (r.nodeAgent && lower(nodeAgent) === r.nodeAgent) found.push(r);
  return found;
}
function checkRetirement(image2, nodeAgent, now = Date.now()) {
  const findings = [];
  for (const r of retirementsOf(image2, nodeAgent)) {
    const field = r.image ? "image" : "nodeAgentSku";
    const what = r.image ? describeImage(image2) : `node agent ${r.nodeAgent}`;
    const end = retirementTime(r);
    if (now > end) {
      findings.push({
        status: "retired",
        field,
        what,
        retirement: r,
        message: `${what} was retired by Azure Batch on ${r.date}: no new pool can use it; use ${r.replacement} (${r.source})`
      });
    } else if (end - now <= RETIREMENT_WARNING_DAYS * DAY_MS) {
      const daysLeft = Math.ceil((end - now) / DAY_MS);
      findings.push({
        status: "retiring",
        field,
        what,
        retirement: r,
        daysLeft,
        message: `${what} retires from Azure Batch on ${r.date} (in ${daysLeft} day${daysLeft === 1 ? "" : "s"}); move to ${r.replacement} (${r.source})`
      });
    }
  }
  return findings;
}
var image = (publisher, offer, sku, nodeAgentSKUId, extra = {}) => ({
  nodeAgentSKUId,
  imageReference: { publisher, offer, sku, version: "latest" },
  osType: nodeAgentSKUId.startsWith("batch.node.windows") ? "windows" : "linux",
  verificationType: "verified",
  ...extra
});
var eol = (date) => `${date}T00:00:00.000Z`;
var DOCKER = ["DockerCompatible"];
var GPU_DOCKER = ["DockerCompatible", "NvidiaTeslaDriverInstalled", "SupportsRDMAOnVmSku"];
var SUPPORTED_IMAGES = [
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
    batchSupportEndOfLife: eol("2025-04-23")
  })
];
function findSupportedImage(table, image2) {
  const lower = (s) => (s ?? "").toLowerCase();
  return table.find(
    (i) => lower(i.imageReference.publisher) === lower(image2.publisher) && lower(i.imageReference.offer) === lower(image2.offer) && lower(i.imageReference.sku) === lower(image2.sku)
  );
}
function pastEndOfLife(info, now) {
  return info.batchSupportEndOfLife !== void 0 && Date.parse(info.batchSupportEndOfLife) <= now;
}

// shared/workload/template.ts
var EXPRESSION = /\{\{\s*([^{}]*?)\s*\}\}/g;
var PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
var TemplateError = class extends Error {
  name = "TemplateError";
};
function lookup(scope, expression, envHint = "set it in the environment", parts = expression.split(".")) {
  const root = parts[0];
  if (!Object.hasOwn(scope, root)) {
    const known = Object.keys(scope).sort().join(", ") || "none";
    throw new TemplateError(`unknown variable "${expression}" in {{ ${expression} }}: known roots here are ${known}`);
  }
  let value = scope[root];
  for (let i = 1; i < parts.length; i++) {
    const key = parts[i];
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) {
      const where = parts.slice(0, i).join(".");
      const keys = value !== null && typeof value === "object" ? Object.keys(value).sort() : [];
      const hint = root === "env" ? `the environment given to the spec has no ${key}: ${envHint}` : keys.length ? `known: ${keys.slice(0, 12).join(", ")}` : `${where} has no fields`;
      throw new TemplateError(`unknown variable "${expression}" in {{ ${expression} }} (${hint})`);
    }
    value = value[key];
  }
  if (value === void 0 || value === null) {
    throw new TemplateError(`variable "${expression}" has no value`);
  }
  if (typeof value === "object") {
    throw new TemplateError(`variable "${expression}" is an object; name one of its fields: ${Object.keys(value).join(", ")}`);
  }
  return value;
}
function renderString(template, scope, options = {}, path = []) {
  if (!template.includes("{{")) return template;
  const compiled = compile(template);
  const resolve = (e, whole = false) => {
    if (!e.valid) {
      throw new TemplateError(`"${e.raw}" is not a variable reference: use {{ vars.name }}, {{ env.NAME }}, {{ item }} or {{ task.id }}`);
    }
    if (options.deferRoots?.has(e.root)) return e.raw;
    if (e.root === "env" && options.onMissingEnv) {
      const name = e.expression.slice(4);
      const env = scope.env;
      if (!name.includes(".") && (env === void 0 || !Object.hasOwn(env, name))) {
        const instead = options.onMissingEnv(name, path, whole);
        if (instead !== void 0) return instead;
      }
    }
    const value = lookup(scope, e.expression, options.envHint, e.parts);
    if (e.root === "env" && options.onEnvUsed) options.onEnvUsed(e.expression.slice(4), String(value), path);
    return value;
  };
  if (compiled.whole) return resolve(compiled.whole, true);
  let length = template.length;
  let out = "";
  for (const piece of compiled.pieces) {
    if (typeof piece === "string") {
      out += piece;
      continue;
    }
    const value = String(resolve(piece));
    length += value.length - piece.raw.length;
    if (length > LIMITS.renderedStringBytes)
      throw new TemplateError(`renders to more than ${LIMITS.renderedStringBytes / 1024 / 1024} MB; a Batch request is at most 1 MB`);
    out += value;
  }
  return out;
}
var compiledTemplates = /* @__PURE__ */ new Map();
var MAX_COMPILED = 1e4;
function compile(template) {
  const known = compiledTemplates.get(template);
  if (known) return known;
  const expression = (raw, text) => {
    const parts = text.split(".");
    return { raw, expression: text, valid: PATH.test(text), root: parts[0], parts };
  };
  const whole = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(template);
  const compiled = { pieces: [] };
  if (whole) compiled.whole = expression(template, whole[1]);
  else {
    let last = 0;
    for (const m of template.matchAll(EXPRESSION)) {
      if (m.index > last) compiled.pieces.push(template.slice(last, m.index));
      compiled.pieces.push(expression(m[0], m[1]));
      last = m.index + m[0].length;
    }
    if (last < template.length) compiled.pieces.push(template.slice(last));
  }
  if (compiledTemplates.size >= MAX_COMPILED) compiledTemplates.clear();
  compiledTemplates.set(template, compiled);
  return compiled;
}
function renderDeep(value, scope, options, path, onError) {
  return renderAt(value, scope, options, [...path], onError);
}
function renderAt(value, scope, options, path, onError) {
  if (typeof value === "string") {
    if (!value.includes("{{")) return value;
    try {
      return renderString(value, scope, options, path);
    } catch (error) {
      if (error instanceof TemplateError) {
        onError([...path], error.message);
        return value;
      }
      throw error;
    }
  }
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      out[i] = renderAt(value[i], scope, options, path, onError);
      path.pop();
    }
    return out;
  }
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const k of Object.keys(value)) {
      path.push(k);
      out[k] = renderAt(value[k], scope, options, path, onError);
      path.pop();
    }
    return out;
  }
  return value;
}
function holdsTemplate(value) {
  if (typeof value === "string") return value.includes("{{");
  if (Array.isArray(value)) return value.some(holdsTemplate);
  if (value !== null && typeof value === "object") return Object.values(value).some(holdsTemplate);
  return false;
}

// shared/batch/glob.ts
function escape(c) {
  return c.replace(/[.+^${}()|[\]\\*?/]/g, "\\$&");
}
function bracket(pattern, start) {
  let i = start;
  let negate = false;
  if (pattern[i] === "!") {
    negate = true;
    i++;
  }
  let body = "";
  for (let first = true; i < pattern.length; i++, first = false) {
    const c = pattern[i];
    if (c === "]" && !first) return { source: `[${negate ? "^/" : ""}${body}]`, end: i + 1 };
    if (c === "-" && !first && pattern[i + 1] !== "]") body += "-";
    else body += c.replace(/[\\\]^[-]/g, "\\$&");
  }
  return void 0;
}
function globToRegExp(pattern, options = {}) {
  let re = "";
  let segmentStart = true;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const noDot = segmentStart ? "(?!\\.)" : "";
    segmentStart = false;
    if (c === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        re += "(?:(?!\\.)[^/]*/)*";
        segmentStart = true;
      } else re += "(?:(?!\\.)[^/]*/)*(?!\\.)[^/]*";
    } else if (c === "*") re += `${noDot}[^/]*`;
    else if (c === "?") re += `${noDot}[^/]`;
    else if (c === "[") {
      const b = bracket(pattern, i + 1);
      if (b) {
        re += noDot + b.source;
        i = b.end - 1;
      } else re += "\\[";
    } else {
      re += escape(c);
      if (c === "/") segmentStart = true;
    }
  }
  return new RegExp(`^${re}$`, options.ignoreCase ? "i" : "");
}
function hasWildcard(pattern) {
  return /[*?]|\[[^\]]+\]/.test(pattern);
}

// shared/workload/expand.ts
var MAX_TASKS = LIMITS.tasks;
function checkForEach(forEach, path, issues) {
  if ("range" in forEach) {
    const [first, last, step = 1] = forEach.range;
    if (step === 0 || Math.sign(last - first) * Math.sign(step) < 0) {
      issues.add(`${path}.range`, `[${forEach.range.join(", ")}] never reaches its end; the step must move from first towards last`);
      return false;
    }
  } else if (!("items" in forEach) && !("blobs" in forEach)) {
    const lists = "zip" in forEach ? forEach.zip : forEach.product;
    const names = Object.keys(lists);
    if (names.length === 0) {
      issues.add(path, "needs at least one named list");
      return false;
    }
    if ("zip" in forEach) {
      const lengths = names.map((n) => lists[n].length);
      if (new Set(lengths).size > 1) {
        issues.add(`${path}.zip`, `lists must have the same length to zip; got ${names.map((n, i) => `${n}: ${lengths[i]}`).join(", ")}`);
        return false;
      }
    }
  }
  const count = forEachCount(forEach);
  if (count > MAX_TASKS) {
    issues.add(`${path}.${Object.keys(forEach)[0]}`, `makes ${count} tasks; at most ${MAX_TASKS} per spec`);
    return false;
  }
  return true;
}
function forEachItem(forEach, k) {
  if ("range" in forEach) {
    const range = forEach.range;
    return range[0] + k * (range[2] ?? 1);
  }
  if ("items" in forEach) return forEach.items[k];
  if ("blobs" in forEach) return listingOf(forEach).item(k);
  if ("zip" in forEach) return Object.fromEntries(Object.entries(forEach.zip).map(([n, list]) => [n, list[k]]));
  const entries = Object.entries(forEach.product);
  const item = {};
  for (let i = entries.length - 1; i >= 0; i--) {
    const [name, list] = entries[i];
    item[name] = list[k % list.length];
    k = Math.floor(k / list.length);
  }
  return Object.fromEntries(entries.map(([n]) => [n, item[n]]));
}
function mergeWithDefaults(defaults, entry) {
  const { forEach: _forEach, ...own } = entry;
  const merged = { ...defaults ?? {}, ...own };
  if (defaults?.env || own.env) merged.env = { ...defaults?.env ?? {}, ...own.env ?? {} };
  return merged;
}
function isIntegerId(id) {
  return /^[0-9]{1,10}$/.test(id) && Number(id) <= 2147483647;
}
function lowerBound(sorted, value) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = lo + hi >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function sortIntegers(ids, positions) {
  const value = (p) => Number(ids[p]);
  let sorted = true;
  for (let i = 1; i < positions.length && sorted; i++) sorted = value(positions[i - 1]) <= value(positions[i]);
  if (!sorted) positions.sort((a, b) => value(a) - value(b));
  return { values: Int32Array.from(positions, value), positions: Int32Array.from(positions) };
}
var Expansion = class _Expansion {
  constructor(entries, scope, index) {
    this.entries = entries;
    this.scope = scope;
    this.index = index;
  }
  entries;
  scope;
  index;
  static create(entries, defaults, scope, issues) {
    const prepared = [];
    let total = 0;
    let ok = true;
    entries.forEach((entry, index2) => {
      const path = `tasks.list[${index2}]`;
      if (entry.forEach && !checkForEach(entry.forEach, `${path}.forEach`, issues)) {
        ok = false;
        return;
      }
      const count = entry.forEach ? forEachCount(entry.forEach) : 1;
      const merged = mergeWithDefaults(defaults, entry);
      delete merged.id;
      const { dependsOn, ...fields } = merged;
      const fixed = {};
      const templated = {};
      for (const [key, value] of Object.entries(fields)) (holdsTemplate(value) ? templated : fixed)[key] = value;
      prepared.push({ entry, path, start: total, count, fixed, templated, dependsOn, dependsOnTemplated: holdsTemplate(dependsOn) });
      total += count;
    });
    if (!ok) return void 0;
    if (total > MAX_TASKS) {
      issues.add("tasks.list", `the spec makes more than ${MAX_TASKS} tasks`);
      return void 0;
    }
    const ids = new Array(total);
    const byLowerId = /* @__PURE__ */ new Map();
    const integerPositions = [];
    for (const p of prepared) {
      for (let k = 0; k < p.count; k++) {
        const position = p.start + k;
        const item = p.entry.forEach ? forEachItem(p.entry.forEach, k) : void 0;
        const report = (path, message) => issues.add(`${sourceOf(p, k, item)}.${formatPath(path)}`, message);
        const id = String(renderDeep(p.entry.id, p.entry.forEach ? Object.assign({}, scope, { item }) : scope, {}, ["id"], report));
        ids[position] = id;
        const lower = id.toLowerCase();
        if (!byLowerId.has(lower)) byLowerId.set(lower, position);
        if (isIntegerId(id)) integerPositions.push(position);
      }
    }
    const index = { ids, byLowerId, integers: sortIntegers(ids, integerPositions) };
    return new _Expansion(prepared, scope, index);
  }
  get length() {
    return this.index.ids.length;
  }
  /** Where task `position` comes from, for messages. */
  sourceOf(position) {
    const p = this.entryAt(position);
    const k = position - p.start;
    return sourceOf(p, k, p.entry.forEach ? forEachItem(p.entry.forEach, k) : void 0);
  }
  /** The tasks from `from` on, rendered one at a time; problems go to `issues`. */
  *tasks(issues, from = 0) {
    if (this.entries.length === 0) return;
    let e = this.entries.indexOf(this.entryAt(from));
    for (let position = from; position < this.length; position++) {
      while (position >= this.entries[e].start + this.entries[e].count) e++;
      yield this.render(this.entries[e], position, issues);
    }
  }
  entryAt(position) {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo < hi) {
      const mid = lo + hi + 1 >> 1;
      if (this.entries[mid].start <= position) lo = mid;
      else hi = mid - 1;
    }
    return this.entries[lo];
  }
  render(p, position, issues) {
    const k = position - p.start;
    const item = p.entry.forEach ? forEachItem(p.entry.forEach, k) : void 0;
    const where = sourceOf(p, k, item);
    const report = (path, message) => issues.add(`${where}${path.length ? "." : ""}${formatPath(path)}`, message);
    const itemScope = p.entry.forEach ? Object.assign({}, this.scope, { item }) : this.scope;
    const id = this.index.ids[position];
    const rendered = renderDeep(p.templated, Object.assign({}, itemScope, { task: { id } }), {}, [], report);
    const task = Object.assign({}, p.fixed, rendered, { id, source: where });
    const blobs = p.entry.forEach && "blobs" in p.entry.forEach ? p.entry.forEach.blobs : void 0;
    if (blobs) {
      const b = item;
      const query = listingOf(p.entry.forEach).query;
      task.resources = [...task.resources ?? [], { url: `${b.url}${query}`, path: b.fileName, ...blobs.identity ? { identity: blobs.identity } : {} }];
    }
    if (p.dependsOn) {
      const deps = p.dependsOnTemplated ? renderDeep(p.dependsOn, itemScope, {}, ["dependsOn"], report) : p.dependsOn;
      task.dependsOn = this.resolveDependencies(id, deps, `${where}.dependsOn`, issues);
    }
    return task;
  }
  resolveDependencies(id, deps, path, issues) {
    const { ids, byLowerId } = this.index;
    const taskIds = /* @__PURE__ */ new Set();
    const taskIdRanges = [];
    deps.forEach((dep, i) => {
      if (typeof dep !== "string") {
        const [start, end] = dep.range;
        const at = `${path}[${i}].range`;
        if (start > end) return issues.add(at, `start ${start} is after end ${end}`);
        if (isIntegerId(id) && Number(id) >= start && Number(id) <= end) {
          return issues.add(at, `[${start}, ${end}] holds this task's own id ${id}: a task cannot depend on itself`);
        }
        taskIdRanges.push({ start, end });
        return;
      }
      if (hasWildcard(dep)) {
        const re = globToRegExp(dep, { ignoreCase: true });
        let matched = false;
        for (const other of ids) {
          if (other !== id && re.test(other)) {
            taskIds.add(other);
            matched = true;
          }
        }
        if (!matched) issues.add(`${path}[${i}]`, `"${dep}" matches no other task id in this spec`);
        return;
      }
      const known = byLowerId.get(dep.toLowerCase());
      if (known === void 0) issues.add(`${path}[${i}]`, `"${dep}" is not the id of a task in this spec`);
      else if (ids[known].toLowerCase() === id.toLowerCase()) issues.add(`${path}[${i}]`, "a task cannot depend on itself");
      else taskIds.add(ids[known]);
    });
    return { taskIds: [...taskIds], taskIdRanges };
  }
};
function sourceOf(p, k, item) {
  if (!p.entry.forEach) return p.path;
  if ("blobs" in p.entry.forEach) return `${p.path} (blob ${k}: ${JSON.stringify(item.name)})`;
  return `${p.path} (item ${k}: ${JSON.stringify(item)})`;
}
var ThrowingCollector = class extends IssueCollector {
  add(path, message) {
    throw new Error(`the workload's tasks changed after it was loaded: ${path}: ${message}`);
  }
};
var TaskSet = class _TaskSet {
  /** @internal */
  constructor(expansion, usesDependencies) {
    this.expansion = expansion;
    this.usesDependencies = usesDependencies;
  }
  expansion;
  usesDependencies;
  static empty = new _TaskSet(void 0, false);
  /** How many tasks. */
  get length() {
    return this.expansion?.length ?? 0;
  }
  /** Every task id, in order. */
  get ids() {
    return this.expansion?.index.ids ?? [];
  }
  [Symbol.iterator]() {
    return this.expansion ? this.expansion.tasks(new ThrowingCollector()) : [][Symbol.iterator]();
  }
  /** Task `index` (negative counts from the end), rendered on its own. */
  at(index) {
    const i = index < 0 ? this.length + index : index;
    if (!this.expansion || i < 0 || i >= this.length) return void 0;
    return this.expansion.tasks(new ThrowingCollector(), i).next().value;
  }
  /** Every task in one array: for small sets (a test, a summary); a large one is better walked. */
  toArray() {
    return [...this];
  }
};

// shared/redact.ts
var SAS_URL = /(https?:\/\/[^\s"'?#]+)\?[^\s"'#]*\bsig=[^\s"'#]*/gi;
var BEARER = /\b(Bearer|SharedKey)\s+[A-Za-z0-9._~+/=:-]+/g;
var REDACTED = "<redacted>";
var Redactor = class _Redactor {
  secrets = /* @__PURE__ */ new Set();
  ordered;
  constructor(secrets = []) {
    for (const s of secrets) this.add(s);
  }
  /** Registers a value to hide. Very short values are ignored: hiding "a" would garble every line. */
  add(secret) {
    if (!secret || secret.length < 4) return;
    this.secrets.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.secrets.add(encoded);
    this.ordered = void 0;
  }
  /** A redactor that hides these values as well as this one's. */
  with(secrets) {
    return new _Redactor([...this.secrets, ...secrets]);
  }
  text(input) {
    let out = input.replace(SAS_URL, "$1?<SAS redacted>").replace(BEARER, `$1 ${REDACTED}`);
    this.ordered ??= [...this.secrets].sort((a, b) => b.length - a.length);
    for (const s of this.ordered) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }
  /** Redacts every string inside a JSON-like value (for printed bodies). */
  value(input) {
    if (typeof input === "string") return this.text(input);
    if (Array.isArray(input)) return input.map((v) => this.value(v));
    if (input !== null && typeof input === "object") {
      return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, k === "password" && typeof v === "string" ? REDACTED : this.value(v)]));
    }
    return input;
  }
  /**
   * Redacts an error in place and returns it: its message and stack, the string fields the core's
   * errors carry (the service's message, its `values`, issues), and its causes. The error keeps
   * its class, so `instanceof` and `classifyError` still work on it.
   */
  error(error, seen = /* @__PURE__ */ new Set()) {
    if (error === null || typeof error !== "object" || seen.has(error)) return error;
    seen.add(error);
    const e = error;
    for (const key of ["message", "stack", "serviceMessage"]) {
      if (typeof e[key] === "string") this.assign(e, key, this.text(e[key]));
    }
    for (const key of ["values", "issues"]) {
      if (Array.isArray(e[key])) this.assign(e, key, this.value(e[key]));
    }
    if (e.cause !== void 0) this.error(e.cause, seen);
    if (Array.isArray(e.errors)) for (const inner of e.errors) this.error(inner, seen);
    return error;
  }
  assign(target, key, value) {
    try {
      Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: Object.prototype.propertyIsEnumerable.call(target, key) });
    } catch {
    }
  }
};

// shared/workload/serviceLimits.ts
var bytes = (s) => Buffer.byteLength(s);
var kib = (n) => `${n.toLocaleString("en-US")} bytes`;
function checkEnvironment(env, path, issues) {
  if (!env) return;
  for (const [name, value] of Object.entries(env)) {
    const size2 = bytes(name) + 1 + bytes(String(value)) + 1;
    if (size2 > BATCH_LIMITS.maxProcessStringBytes) {
      issues.add(
        `${path}.${name}`,
        `is ${kib(size2)} as NAME=value; a process takes at most ${kib(BATCH_LIMITS.maxProcessStringBytes)} per environment variable, so the task would fail to start (E2BIG): pass large values in a resource file`
      );
    }
  }
}
function checkCommandLine(command, path, issues) {
  if (command === void 0) return;
  const size2 = bytes(command) + 1;
  if (size2 > BATCH_LIMITS.maxProcessStringBytes) {
    issues.add(
      path,
      `is ${kib(size2)}; a process takes at most ${kib(BATCH_LIMITS.maxProcessStringBytes)} as one argument, so the task would fail to start (E2BIG): put the script in a resource file`
    );
  }
  const hidden = invisibleCharacter(command);
  if (hidden) issues.add(path, `contains the invisible character ${hidden} (a bidirectional or zero-width character): what runs would not be what one reads`);
}
function checkImageName(image2, path, issues) {
  if (image2 === void 0 || image2 === "" || image2.includes(REDACTED)) return;
  const hidden = invisibleCharacter(image2);
  if (hidden) return issues.add(path, `contains the invisible character ${hidden}; an image name is plain ASCII`);
  const problem = imageNameProblem(image2);
  if (problem) issues.add(path, `"${image2}" is not a valid image reference: it ${problem}`);
}
function checkResourceFiles(resources, path, issues) {
  resources?.forEach((r, i) => {
    const at = `${path}[${i}]`;
    if (r.path !== void 0) {
      const problem = filePathProblem(r.path);
      if (problem) issues.add(`${at}.path`, problem);
    }
    if (r.url !== void 0 && r.prefix !== void 0) {
      issues.add(
        `${at}.prefix`,
        "applies to `container` only (blobPrefix selects blobs of a container); with `url` give the blob's own URL, or use `container` and `prefix`"
      );
    }
  });
}
function checkOutputFiles(outputs, path, issues) {
  outputs?.forEach((o, i) => {
    if (o.identity !== void 0 || o.container.includes(REDACTED)) return;
    let signed = false;
    try {
      signed = new URL(o.container).searchParams.has("sig");
    } catch {
      return;
    }
    if (!signed) {
      issues.add(
        `${path}[${i}].container`,
        "has neither a SAS (a `sig` in its query) nor an `identity`: Batch could not write the output; append a SAS with write and create permissions, or give a pool identity with `identity`"
      );
    }
  });
}
function checkNodeAgent(pool, derived, issues) {
  if (pool.nodeAgentSku === void 0 || derived === void 0 || pool.nodeAgentSku.toLowerCase() === derived.toLowerCase()) return;
  const os = (sku) => sku.toLowerCase().startsWith("batch.node.windows") ? "Windows" : "Linux";
  const why = os(pool.nodeAgentSku) !== os(derived) ? `a ${os(pool.nodeAgentSku)} node agent on a ${os(derived)} image` : "another node agent than its image's";
  issues.add("pool.nodeAgentSku", `"${pool.nodeAgentSku}" is ${why}: this image runs "${derived}"; set that, or remove nodeAgentSku to derive it`);
}
function checkPoolLimits(pool, derivedNodeAgent, issues) {
  checkNodeAgent(pool, derivedNodeAgent, issues);
  const hidden = invisibleCharacter(pool.vmSize);
  if (hidden) issues.add("pool.vmSize", `contains the invisible character ${hidden}`);
  if (pool.resizeTimeout !== void 0) {
    const problem = durationProblem(pool.resizeTimeout, { minMs: BATCH_LIMITS.minResizeTimeoutMs, min: "PT5M" });
    if (problem) issues.add("pool.resizeTimeout", problem);
  }
  if (pool.autoscale) {
    if (pool.autoscale.formula.trim() === "") issues.add("pool.autoscale.formula", 'is blank; give a formula such as "$TargetDedicatedNodes = 2;"');
    if (pool.autoscale.interval !== void 0) {
      const problem = durationProblem(pool.autoscale.interval, {
        minMs: BATCH_LIMITS.minAutoScaleIntervalMs,
        min: "PT5M",
        maxMs: BATCH_LIMITS.maxAutoScaleIntervalMs,
        max: "PT168H"
      });
      if (problem) issues.add("pool.autoscale.interval", problem);
    }
  }
  const cores = vCpusOfVmSize(pool.vmSize);
  if (pool.taskSlotsPerNode !== void 0 && cores !== void 0 && pool.taskSlotsPerNode > cores * BATCH_LIMITS.taskSlotsPerCore) {
    issues.add(
      "pool.taskSlotsPerNode",
      `${pool.taskSlotsPerNode} is more than Batch allows on ${pool.vmSize}: at most ${BATCH_LIMITS.taskSlotsPerCore} per vCPU (${cores} vCPUs: ${Math.min(cores * BATCH_LIMITS.taskSlotsPerCore, BATCH_LIMITS.maxTaskSlotsPerNode)})`
    );
  }
  pool.container?.prefetch?.forEach((image2, i) => checkImageName(image2, `pool.container.prefetch[${i}]`, issues));
  if (pool.startTask) {
    checkImageName(pool.startTask.image, "pool.startTask.image", issues);
    checkCommandLine(pool.startTask.command, "pool.startTask.command", issues);
    checkEnvironment(pool.startTask.env, "pool.startTask.env", issues);
    checkResourceFiles(pool.startTask.resources, "pool.startTask.resources", issues);
  }
}
function checkJobLimits(job, taskIds, issues) {
  if (job.maxParallelTasks === 0) issues.add("job.maxParallelTasks", "is 0; give -1 (no limit) or at least 1");
  checkEnvironment(job.env, "job.env", issues);
  const release = job.release;
  if (release?.maxWallClock !== void 0) {
    const problem = durationProblem(release.maxWallClock, { maxMs: BATCH_LIMITS.maxReleaseWallClockMs, max: "PT15M" });
    if (problem) issues.add("job.release.maxWallClock", `${problem} for a job release task`);
  }
  const schedule = job.schedule;
  if (schedule?.recurrence !== void 0) {
    const problem = durationProblem(schedule.recurrence, { minMs: BATCH_LIMITS.minRecurrenceMs, min: "PT1M" });
    if (problem) issues.add("job.schedule.recurrence", problem);
  }
  if (schedule?.startWindow !== void 0) {
    const problem = durationProblem(schedule.startWindow, { minMs: BATCH_LIMITS.minStartWindowMs, min: "PT1M" });
    if (problem) issues.add("job.schedule.startWindow", problem);
  }
  const lower = new Set(taskIds.map((id) => id.toLowerCase()));
  for (const [field, task, fallback] of [
    ["preparation", job.preparation, DEFAULT_PREPARATION_TASK_ID],
    ["release", job.release, DEFAULT_RELEASE_TASK_ID]
  ]) {
    if (!task) continue;
    const id = task.id ?? fallback;
    if (lower.has(id.toLowerCase())) {
      issues.add(
        task.id !== void 0 ? `job.${field}.id` : `job.${field}`,
        `"${id}"${task.id === void 0 ? " (the id Batch gives it)" : ""} is also a task id; no other task of the job may have the ${field} task's id (ids ignore case): rename the task${task.id === void 0 ? `, or give job.${field}.id` : ""}`
      );
    }
    checkImageName(task.image, `job.${field}.image`, issues);
    checkCommandLine(task.command, `job.${field}.command`, issues);
    checkEnvironment(task.env, `job.${field}.env`, issues);
    checkResourceFiles(task.resources, `job.${field}.resources`, issues);
  }
  if (job.manager) {
    checkImageName(job.manager.image, "job.manager.image", issues);
    checkCommandLine(job.manager.command, "job.manager.command", issues);
    checkEnvironment(job.manager.env, "job.manager.env", issues);
    checkResourceFiles(job.manager.resources, "job.manager.resources", issues);
    checkOutputFiles(job.manager.outputs, "job.manager.outputs", issues);
  }
}

// shared/workload/rules.ts
var BATCH_ID = /^[A-Za-z0-9_-]{1,64}$/;
var MAX_DEPENDS_ON_CHARS = 64e3;
function checkId(value, path, issues) {
  if (BATCH_ID.test(value)) return;
  const why = value.length > 64 ? `is ${value.length} characters long` : `has characters outside [A-Za-z0-9_-]`;
  issues.add(path, `"${value}" ${why}; Batch ids are 1 to 64 letters, digits, hyphens and underscores`);
}
function isWindowsPool(nodeAgentSku) {
  return nodeAgentSku.toLowerCase().startsWith("batch.node.windows");
}
function isGpuVmSize(vmSize) {
  return /^standard_n/i.test(vmSize);
}
function isRdmaVmSize(vmSize) {
  return /^standard_(a8|a9|h\d+m?r(_.*)?|hb\d+.*|hc\d+.*|hx\d+.*|n[cd]\d+[a-z]*r[a-z]*(_.*)?)$/i.test(vmSize);
}
function deriveNodeAgentSku(image2) {
  if (image2.id || !image2.publisher || !image2.offer || !image2.sku) return void 0;
  const publisher = image2.publisher.toLowerCase();
  const offer = image2.offer.toLowerCase();
  const sku = image2.sku.toLowerCase();
  if (publisher === "microsoftwindowsserver" || publisher === "microsoft-azure-batch" && offer.includes("windows")) {
    return "batch.node.windows amd64";
  }
  const ubuntu = /(?:^|[^0-9])(18|20|22|24)[-_.]?04/.exec(`${offer} ${sku}`);
  if (ubuntu && (offer.includes("ubuntu") || publisher === "canonical")) return `batch.node.ubuntu ${ubuntu[1]}.04`;
  if (offer.includes("almalinux") || offer.includes("rockylinux")) {
    const major = /^(8|9)/.exec(sku);
    if (major) return `batch.node.el ${major[1]}`;
  }
  return void 0;
}
function checkContainerTask(task, path, pool, issues) {
  const inContainer = task.image !== void 0;
  if (!inContainer) {
    for (const field of ["runOptions", "workingDirectory", "mounts"]) {
      if (task[field] !== void 0) issues.add(`${path}.${field}`, "applies to container tasks only; set `image` as well");
    }
    if (task.command === void 0 || task.command.trim() === "") {
      issues.add(`${path}.command`, 'is required for a task that does not run in a container (only a container task may use "" to run the image ENTRYPOINT)');
    }
    return;
  }
  if (!pool.container) {
    issues.add(`${path}.image`, "the pool has no container configuration; add `pool.container` (type, prefetch, registries)");
  }
  const elevation = task.user?.elevation ?? task.elevation;
  if (pool.windows && elevation === "nonadmin") {
    issues.add(task.user ? `${path}.user.elevation` : `${path}.elevation`, "container tasks on Windows pools run as admin; remove it or set admin");
  }
  if (task.command !== void 0 && /^\s*--entrypoint\b/.test(task.command)) {
    issues.add(`${path}.command`, "--entrypoint is a `docker create` option: put it in `runOptions`, and the arguments in `command`");
  }
  if (task.runOptions !== void 0 && /(^|\s)--runtime(\s+|=)nvidia\b/.test(task.runOptions)) {
    issues.add(
      `${path}.runOptions`,
      pool.gpu ? "--runtime nvidia is gone from Azure's HPC images (no NVIDIA container runtime is installed); remove it: on N-series sizes Batch adds --gpus itself" : "--runtime nvidia is gone from Azure's HPC images (no NVIDIA container runtime is installed); use --gpus all"
    );
  }
  if (task.runOptions !== void 0 && pool.gpu && /(^|\s)--gpus(\s|=|$)/.test(task.runOptions)) {
    issues.add(`${path}.runOptions`, "--gpus is refused on GPU pools: Batch adds it for N-series VM sizes; remove it");
  }
  if (task.mounts !== void 0) {
    const sources = task.mounts.map((m) => m.source);
    const duplicate = sources.find((s, i) => sources.indexOf(s) !== i);
    if (duplicate) issues.add(`${path}.mounts`, `mounts ${duplicate} twice; list each source once`);
    if (!sources.includes("Task") && task.workingDirectory !== "containerImageDefault") {
      issues.add(
        `${path}.workingDirectory`,
        "must be containerImageDefault when `mounts` does not include Task: the task working directory is not mounted into the container"
      );
    }
  }
}
var MAX_RANGE_EDGES = 1e6;
var TaskChecker = class {
  constructor(index, pool, issues, identities, sourceOf2) {
    this.index = index;
    this.pool = pool;
    this.issues = issues;
    this.identities = identities;
    this.known = identities ? new Set(identities.map((i) => i.toLowerCase())) : void 0;
    this.starts = new Int32Array(index.ids.length + 1);
    index.ids.forEach((id, position) => {
      checkId(id, `${sourceOf2(position)}.id`, issues);
      const first = index.byLowerId.get(id.toLowerCase());
      if (first !== position)
        issues.add(`${sourceOf2(position)}.id`, `"${id}" is also the id of ${sourceOf2(first)} ("${index.ids[first]}"); task ids are unique, ignoring case`);
    });
  }
  index;
  pool;
  issues;
  identities;
  known;
  /**
   * The dependency graph in compressed rows: task p waits for `targets[starts[p] .. starts[p + 1])`
   * (positions; 4 bytes an edge, however many tasks).
   */
  starts;
  targets = new Int32Array(1024);
  edgeCount = 0;
  checked = 0;
  rangeEdges = 0;
  usesDependencies = false;
  /** Task `position`'s own rules; tasks come in order, each once. */
  check(task, position) {
    if (position !== this.checked) throw new Error(`tasks checked out of order: ${position} after ${this.checked - 1}`);
    this.checked++;
    this.starts[position + 1] = this.edgeCount;
    const { issues, known, identities, pool } = this;
    if (task.registry) {
      if (task.image === void 0) issues.add(`${task.source}.registry`, "applies to container tasks only; set `image` as well");
      if (known && task.registry.identity && !known.has(task.registry.identity.toLowerCase())) {
        issues.add(`${task.source}.registry.identity`, `is not one of pool.identity; a task pulls with an identity its pool has: ${identities.join(", ")}`);
      }
    }
    const fileIdentities = [
      ...(task.resources ?? []).map((r, i) => [`resources[${i}]`, r.identity]),
      ...(task.outputs ?? []).map((o, i) => [`outputs[${i}]`, o.identity])
    ];
    for (const [field, identity] of fileIdentities) {
      if (identity === void 0 || !known) continue;
      if (!known.has(identity.toLowerCase()))
        issues.add(
          `${task.source}.${field}.identity`,
          `is not one of pool.identity; a task reads and writes blobs with an identity its pool has: ${identities.join(", ")}`
        );
    }
    checkContainerTask(task, task.source, pool, issues);
    checkImageName(task.image, `${task.source}.image`, issues);
    checkCommandLine(task.command, `${task.source}.command`, issues);
    checkEnvironment(task.env, `${task.source}.env`, issues);
    checkResourceFiles(task.resources, `${task.source}.resources`, issues);
    checkOutputFiles(task.outputs, `${task.source}.outputs`, issues);
    if (task.requiredSlots !== void 0 && task.requiredSlots > pool.taskSlotsPerNode) {
      issues.add(
        `${task.source}.requiredSlots`,
        `${task.requiredSlots} is more than pool.taskSlotsPerNode (${pool.taskSlotsPerNode}); the task could never be scheduled`
      );
    }
    const deps = task.dependsOn;
    if (!deps) return;
    this.usesDependencies = true;
    const depChars = deps.taskIds.reduce((n, id) => n + id.length, 0);
    if (depChars > MAX_DEPENDS_ON_CHARS) {
      issues.add(
        `${task.source}.dependsOn`,
        `lists ${depChars} characters of task ids; Batch takes at most ${MAX_DEPENDS_ON_CHARS}: use id ranges or fewer, broader stages`
      );
    }
    for (const d of deps.taskIds) this.addEdge(this.index.byLowerId.get(d.toLowerCase()));
    const { values, positions } = this.index.integers;
    for (const r of deps.taskIdRanges) {
      for (let i = lowerBound(values, r.start); i < values.length && values[i] <= r.end && this.rangeEdges < MAX_RANGE_EDGES; i++, this.rangeEdges++) {
        this.addEdge(positions[i]);
      }
    }
    this.starts[position + 1] = this.edgeCount;
  }
  addEdge(target) {
    if (this.edgeCount === this.targets.length) {
      const grown = new Int32Array(this.targets.length * 2);
      grown.set(this.targets);
      this.targets = grown;
    }
    this.targets[this.edgeCount++] = target;
  }
  /** After the last task: a cycle in `dependsOn` (a task waiting for itself through others) would wait forever. */
  finish() {
    const cycle = this.findCycle();
    if (cycle) this.issues.add("tasks.list", `dependsOn forms a cycle: ${cycle.map((p) => this.index.ids[p]).join(" -> ")}; those tasks would never start`);
  }
  findCycle() {
    const { starts, targets } = this;
    const n = this.index.ids.length;
    const state = new Uint8Array(n);
    for (let root = 0; root < n; root++) {
      if (state[root] || starts[root] === starts[root + 1]) continue;
      const path = [root];
      const cursor = [starts[root]];
      state[root] = 1;
      while (path.length > 0) {
        const at = path[path.length - 1];
        const edge = cursor[cursor.length - 1];
        if (edge >= starts[at + 1]) {
          state[at] = 2;
          path.pop();
          cursor.pop();
          continue;
        }
        cursor[cursor.length - 1]++;
        const next = targets[edge];
        if (state[next] === 1) return [...path.slice(path.indexOf(next)), next];
        if (!state[next]) {
          state[next] = 1;
          path.push(next);
          cursor.push(starts[next]);
        }
      }
    }
    return void 0;
  }
};
function checkPool(pool, nodeAgentSku, facts, issues) {
  checkId(pool.id, "pool.id", issues);
  const image2 = pool.image;
  const rdmaImage = [image2.offer, image2.sku, image2.id].some((v) => v?.toLowerCase().includes("rdma"));
  if (rdmaImage && !isRdmaVmSize(pool.vmSize)) {
    issues.add(
      "pool.vmSize",
      `${pool.vmSize} has no RDMA network, which the -rdma image needs; use an RDMA size such as Standard_HB120rs_v3 or Standard_NC24rs_v3, or an image without -rdma`
    );
  }
  if (pool.container?.prefetch) {
    const dup = pool.container.prefetch.find((n, i, all) => all.indexOf(n) !== i);
    if (dup) issues.add("pool.container.prefetch", `lists ${dup} twice`);
  }
  if (pool.startTask) {
    checkContainerTask(pool.startTask, "pool.startTask", facts, issues);
  }
  if (pool.identity) {
    const known = new Set(pool.identity.map((id) => id.toLowerCase()));
    if (known.size < pool.identity.length) issues.add("pool.identity", "lists an identity twice");
    pool.container?.registries?.forEach((r, i) => {
      if (r.identity && !known.has(r.identity.toLowerCase())) {
        issues.add(
          `pool.container.registries[${i}].identity`,
          `is not one of pool.identity; a pool pulls with an identity it has: ${pool.identity.join(", ")}`
        );
      }
    });
  }
  if (isWindowsPool(nodeAgentSku) && pool.container?.type === "criCompatible") {
    issues.add("pool.container.type", "criCompatible is for Linux pools; Windows pools use dockerCompatible");
  }
}
function checkArmCoordinates(account, pool, issues) {
  const arm = pool.identity !== void 0;
  if (arm && !account?.subscription) {
    issues.add(
      "account.subscription",
      "is required with pool.identity: only Azure Resource Manager can give a pool a managed identity, in the account's subscription"
    );
  }
  if (!arm && !account?.subscription) {
    for (const field of ["resourceGroup", "name"]) {
      if (account?.[field] !== void 0)
        issues.add(`account.${field}`, "goes with account.subscription (Azure Resource Manager): give the subscription too, or remove it");
    }
  }
  if (account?.subscription && account.resourceGroup === void 0 !== (account.name === void 0)) {
    issues.add(
      account.resourceGroup === void 0 ? "account.resourceGroup" : "account.name",
      "goes with the other: give account.resourceGroup and account.name together, or neither (the account is then found from its URL)"
    );
  }
}
function checkJob(job, taskIds, facts, issues, tasksPending = false) {
  checkId(job.id, job.schedule ? "job.id (the job schedule id)" : "job.id", issues);
  if (job.preparation) {
    if (job.preparation.id !== void 0) checkId(job.preparation.id, "job.preparation.id", issues);
    checkContainerTask(job.preparation, "job.preparation", facts, issues);
  }
  if (job.release) {
    if (job.release.id !== void 0) checkId(job.release.id, "job.release.id", issues);
    checkContainerTask(job.release, "job.release", facts, issues);
  }
  if (job.manager) {
    checkId(job.manager.id, "job.manager.id", issues);
    if (job.manager.requiredSlots !== void 0 && job.manager.requiredSlots > facts.taskSlotsPerNode) {
      issues.add(
        "job.manager.requiredSlots",
        `${job.manager.requiredSlots} is more than pool.taskSlotsPerNode (${facts.taskSlotsPerNode}); the job manager could never be scheduled`
      );
    }
    if (facts.container && job.manager.image === void 0) {
      issues.add("job.manager.image", "is required: on a container pool the job manager task runs in a container (set it, or tasks.defaults.image)");
    } else checkContainerTask(job.manager, "job.manager", facts, issues);
    if (taskIds.some((id) => id.toLowerCase() === job.manager.id.toLowerCase())) {
      issues.add("job.manager.id", `"${job.manager.id}" is also a task id; give the job manager another id`);
    }
  }
  if (job.release && !job.preparation) {
    issues.add("job.release", "needs job.preparation as well: Batch runs a release task only on nodes that ran the preparation task");
  }
  if (job.schedule) {
    if (!job.manager) {
      issues.add("job.schedule", "needs job.manager: each job the schedule creates starts empty, and its job manager task is what adds or runs the work");
    }
    if (taskIds.length > 0) {
      issues.add(
        "tasks.list",
        "cannot be used with job.schedule: tasks are added to one job, and a schedule creates a new job each recurrence; move the work into job.manager, or run on a timer from the Function app"
      );
    }
  } else if (taskIds.length === 0 && !job.manager && !tasksPending) {
    issues.add("tasks.list", "is empty: give at least one task, or a job.manager");
  }
}

// shared/workload/schema.ts
import { z } from "zod";

// shared/batch/apiVersion.ts
var API_VERSIONS = ["2025-06-01", "2024-07-01.20.0"];
var API_VERSION = "2025-06-01";
function isApiVersion(value) {
  return typeof value === "string" && API_VERSIONS.includes(value);
}
function timeoutParameter(version) {
  return version === "2024-07-01.20.0" ? "timeout" : "timeOut";
}
function readInt64(value) {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^-?\d{1,16}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : void 0;
  }
  return void 0;
}

// shared/batch/applications.ts
var APPLICATION_ID = /^[A-Za-z0-9_-]{1,64}$/;
var APPLICATION_VERSION = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;
var APPLICATION_ID_RULE = "1 to 64 letters, digits, _ and -";
var APPLICATION_VERSION_RULE = "1 to 64 letters, digits, _, - and ., not starting with a dot";
var MAX_POOL_PACKAGES = 10;
var PACKAGE_FORMAT = "zip";
function appPackageEnvName(applicationId, version) {
  const flat = (s) => s.replace(/[.#-]/g, "_");
  return `AZ_BATCH_APP_PACKAGE_${flat(applicationId)}${version === void 0 ? "" : `_${flat(version)}`}`;
}
function accountPath(account) {
  return `/subscriptions/${encodeURIComponent(account.subscription)}/resourceGroups/${encodeURIComponent(account.resourceGroup)}/providers/Microsoft.Batch/batchAccounts/${encodeURIComponent(account.name)}`;
}
function applicationResourceId(account, applicationId) {
  return `/subscriptions/${account.subscription}/resourceGroups/${account.resourceGroup}/providers/Microsoft.Batch/batchAccounts/${account.name}/applications/${applicationId}`;
}

// shared/workload/schema.ts
var Duration = z.string().regex(DURATION_PATTERN, { error: "must be an ISO 8601 duration such as PT30M, PT2H or P1D" }).refine((d) => (parseDuration(d) ?? 0) <= MAX_DURATION_MS, {
  error: "is longer than the longest duration Batch holds (P10675199DT2H48M5.4775807S, about 29,000 years); leave it out for no limit"
}).meta({ description: "ISO 8601 duration, e.g. PT30M", examples: ["PT30M", "PT2H", "P1D"] });
var EnvValue = z.union([z.string(), z.number(), z.boolean()]);
var EnvMap = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "environment variable names are letters, digits and _" }), EnvValue).meta({ description: "Environment variables for the task" });
var INT32_MAX = 2147483647;
var int32 = () => z.int().min(-INT32_MAX - 1).max(INT32_MAX, { error: `must be at most ${INT32_MAX} (the Batch REST API's int32)` });
var Elevation = z.enum(["nonadmin", "admin"]);
var User = z.strictObject({
  scope: z.enum(["task", "pool"]).optional().meta({ description: "Auto-user scope" }),
  elevation: Elevation.optional()
}).meta({ description: "Run as the task or pool auto-user, with this elevation" });
var MountSource = z.enum(["Shared", "Startup", "VfsMounts", "Task", "JobPrep", "Applications"]);
var Mount = z.strictObject({
  source: MountSource.meta({ description: "Batch node path mounted into the container" }),
  readOnly: z.boolean().optional()
}).meta({ description: "containerHostBatchBindMounts entry" });
var ResourceFile = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional().meta({ description: "httpUrl: one file (a SAS URL works)" }),
  container: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional().meta({ description: "storageContainerUrl: a blob container (with SAS)" }),
  prefix: z.string().optional().meta({ description: "blobPrefix, with `container`" }),
  path: z.string().optional().meta({ description: "filePath relative to the task working directory" }),
  mode: z.string().regex(/^[0-7]{3,4}$/, { error: "must be an octal file mode such as 0755" }).optional(),
  identity: z.string().optional().meta({ description: "identityReference: the resource id of a pool user-assigned identity that reads the blob or container (instead of a SAS)" })
}).refine((r) => r.url === void 0 !== (r.container === void 0), {
  error: "give exactly one of `url` (one file) or `container` (a blob container)"
});
var OutputFile = z.strictObject({
  pattern: z.string().min(1).meta({ description: "filePattern, e.g. out/**/*.png" }),
  container: z.url({ protocol: /^https?$/, error: "must be an http(s) blob container URL (with SAS, or use identity)" }),
  path: z.string().optional().meta({ description: "Blob path or virtual directory" }),
  identity: z.string().optional().meta({ description: "Resource id of a pool user-assigned identity used to upload" }),
  when: z.enum(["taskSuccess", "taskFailure", "taskCompletion"]).default("taskCompletion")
});
var ApplicationPackage = z.strictObject({
  id: z.string().regex(APPLICATION_ID, { error: `must be an application id: ${APPLICATION_ID_RULE}` }),
  version: z.string().regex(APPLICATION_VERSION, { error: `must be a package version: ${APPLICATION_VERSION_RULE}` }).optional().meta({ description: "The package version; absent = the application's default version" })
}).meta({ description: "An application package: installed on the node, its folder in $AZ_BATCH_APP_PACKAGE_<id>_<version> (or _<id> for the default)" });
var ApplicationPackages = z.array(ApplicationPackage).meta({
  description: "Application packages installed before the task runs; with mounts, give the `Applications` source to see them in a container"
});
var noPackages = (what) => z.never({
  error: `${what} cannot reference application packages (Batch takes them on the pool, on tasks and on the job manager); list them in pool.applicationPackages, whose folders every task on the node sees`
}).optional();
var ContainerFields = {
  image: z.string().min(1).optional().meta({ description: "Container image; the task runs in it (containerSettings.imageName)" }),
  runOptions: z.string().optional().meta({ description: "Extra `docker create` options (containerRunOptions), passed through" }),
  workingDirectory: z.enum(["taskWorkingDirectory", "containerImageDefault"]).optional().meta({ description: "Container working directory; Batch's default is taskWorkingDirectory" }),
  mounts: z.array(Mount).optional().meta({ description: "containerHostBatchBindMounts: absent = Batch default (whole node root), [] = nothing mounted" })
};
var Registry = z.strictObject({
  server: z.string().min(1).meta({ description: "registryServer, e.g. myacr.azurecr.io" }),
  username: z.string().optional(),
  password: z.string().optional().meta({ description: 'Reference it from the environment: "{{ env.REG_PASSWORD }}"' }),
  identity: z.string().optional().meta({ description: "Resource id of a user-assigned identity of the pool (identityReference)" })
}).refine((r) => !(r.identity && (r.username || r.password)), { error: "use either `identity` or `username`/`password`, not both" }).refine((r) => Boolean(r.username) === Boolean(r.password), { error: "`username` and `password` go together" });
var TaskFieldsShape = {
  command: z.string().optional().meta({ description: 'Command line; "" runs the image ENTRYPOINT' }),
  displayName: z.string().max(1024).optional(),
  ...ContainerFields,
  registry: Registry.optional().meta({
    description: "The task's own registry (containerSettings.registry), for an image from a registry the pool does not list"
  }),
  user: User.optional(),
  env: EnvMap.optional(),
  resources: z.array(ResourceFile).optional(),
  outputs: z.array(OutputFile).optional(),
  maxWallClock: Duration.optional(),
  retention: Duration.optional(),
  retries: int32().min(-1).optional().meta({ description: "maxTaskRetryCount; -1 = unlimited" }),
  requiredSlots: int32().min(1).optional(),
  applicationPackages: ApplicationPackages.optional()
};
var TaskDefaults = z.strictObject(TaskFieldsShape).meta({ description: "Fields every task gets unless it sets them" });
var BlobSource = z.strictObject({
  container: z.url({
    protocol: /^https?$/,
    error: "must be a blob container URL: https://<account>.blob.core.windows.net/<container>, with a SAS (?sv=...) or read with the caller's identity"
  }).meta({ description: `The container (with a SAS from the environment, e.g. "{{ env.INPUTS_URL }}", or without one: read with the caller's identity)` }),
  prefix: z.string().max(1024).optional().meta({ description: "Only blobs whose names start with this" }),
  pattern: z.string().min(1).max(1024).optional().meta({ description: "A glob over the blob name (* within a segment, ** across them), e.g. frames/**/*.exr" }),
  limit: int32().min(1).optional().meta({ description: "At most this many blobs (the first in name order)" }),
  identity: z.string().optional().meta({ description: "The resource id of a pool identity the task downloads its blob with (when the container URL has no SAS)" })
}).meta({
  description: "One task per blob: {{ item.name }}, {{ item.url }}, {{ item.fileName }} (safe in any path), {{ item.etag }}, {{ item.taskId }} (from name and ETag); the blob is the task's resource file at {{ item.fileName }}"
});
var ForEach = z.union(
  [
    z.strictObject({
      range: z.array(int32()).min(2).max(3).meta({ description: "[first, last] or [first, last, step], inclusive" })
    }),
    z.strictObject({ items: z.array(z.unknown()).min(1) }),
    z.strictObject({ zip: z.record(z.string(), z.array(z.unknown()).min(1)) }),
    z.strictObject({ product: z.record(z.string(), z.array(z.unknown()).min(1)) }),
    z.strictObject({ blobs: BlobSource })
  ],
  { error: "give exactly one of range: [first, last], items: [...], zip: {name: [...]}, product: {name: [...]} or blobs: {container: <url>}" }
).meta({ description: "Expand one entry into many tasks: range, items, zip, product or the blobs of a container; {{ item }} names the element" });
var DependsOn = z.array(
  z.union(
    [
      z.string().min(1).meta({ description: "A task id, or a pattern with * matched against the other tasks' ids" }),
      z.strictObject({ range: z.tuple([int32().min(0), int32().min(0)]) }).meta({ description: "taskIdRanges: integer task ids, inclusive" })
    ],
    { error: "each entry is a task id, a pattern with *, or { range: [first, last] }" }
  )
);
var TaskEntry = z.strictObject({
  id: z.string().min(1),
  ...TaskFieldsShape,
  forEach: ForEach.optional(),
  dependsOn: DependsOn.optional()
});
var Image = z.strictObject({
  publisher: z.string().optional(),
  offer: z.string().optional(),
  sku: z.string().optional(),
  version: z.string().optional(),
  id: z.string().optional().meta({ description: "virtualMachineImageId (Azure Compute Gallery image)" })
}).refine((i) => i.id ? !i.publisher && !i.offer && !i.sku : Boolean(i.publisher && i.offer && i.sku), {
  error: "give `publisher`, `offer` and `sku` (Marketplace image), or `id` (gallery image), not both"
});
var StartTask = z.strictObject({
  command: z.string().min(1),
  ...ContainerFields,
  elevation: Elevation.optional(),
  waitForSuccess: z.boolean().optional(),
  env: EnvMap.optional(),
  resources: z.array(ResourceFile).optional(),
  retries: int32().min(-1).optional(),
  applicationPackages: noPackages("the start task")
});
var PoolSpec = z.strictObject({
  id: z.string().min(1),
  displayName: z.string().max(1024).optional(),
  reuse: z.boolean().default(true).meta({ description: "Reuse an existing pool that matches; refuse one that differs" }),
  vmSize: z.string().regex(VM_SIZE_PATTERN, { error: "must be a VM size name such as Standard_D2s_v3: letters, digits, _ and -, no spaces" }),
  image: Image,
  osDisk: z.strictObject({ sizeGB: int32().min(1).max(4095).meta({ description: "virtualMachineConfiguration.osDisk.diskSizeGB" }) }).optional().meta({ description: "The nodes' OS disk. On ubuntu-hpc images Docker keeps its images there: size it for the images the tasks pull" }),
  nodeAgentSku: z.string().optional().meta({ description: "nodeAgentSKUId; derived from the image where unambiguous" }),
  nodes: z.strictObject({ dedicated: int32().min(0).default(0), spot: int32().min(0).default(0) }).optional(),
  autoscale: z.strictObject({ formula: z.string().min(1), interval: Duration.optional() }).optional(),
  resizeTimeout: Duration.optional(),
  taskSlotsPerNode: int32().min(1).max(256).optional(),
  interNodeCommunication: z.boolean().optional(),
  container: z.strictObject({
    type: z.enum(["dockerCompatible", "criCompatible"], {
      error: "is required: dockerCompatible (Docker) or criCompatible (containerd); newer Batch API versions require it"
    }),
    prefetch: z.array(z.string().min(1)).optional().meta({ description: "containerImageNames pulled when nodes start" }),
    registries: z.array(Registry).optional()
  }).optional(),
  startTask: StartTask.optional(),
  applicationPackages: z.array(ApplicationPackage).max(MAX_POOL_PACKAGES, { error: `at most ${MAX_POOL_PACKAGES} application packages on a pool` }).optional().meta({ description: "applicationPackageReferences: installed on every node as it joins the pool, before the start task" }),
  identity: z.array(
    z.string().regex(/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i, {
      error: "must be the resource id of a user-assigned managed identity (/subscriptions/.../providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME)"
    })
  ).min(1).optional().meta({ description: "User-assigned managed identities of the pool; the pool is then created through Azure Resource Manager" }),
  metadata: z.record(z.string(), z.string()).optional()
}).refine((p) => !(p.nodes && p.autoscale), { error: "give `nodes` or `autoscale`, not both" });
var JobTaskShape = {
  command: z.string(),
  ...ContainerFields,
  user: User.optional(),
  env: EnvMap.optional(),
  resources: z.array(ResourceFile).optional(),
  maxWallClock: Duration.optional(),
  retention: Duration.optional()
};
var PrepTask = z.strictObject({
  id: z.string().optional(),
  ...JobTaskShape,
  retries: int32().min(-1).optional(),
  waitForSuccess: z.boolean().optional(),
  rerunOnNodeRebootAfterSuccess: z.boolean().optional(),
  applicationPackages: noPackages("the job preparation task")
});
var ReleaseTask = z.strictObject({ id: z.string().optional(), ...JobTaskShape, applicationPackages: noPackages("the job release task") });
var ManagerTask = z.strictObject({
  id: z.string().default("manager"),
  displayName: z.string().max(1024).optional(),
  ...JobTaskShape,
  outputs: z.array(OutputFile).optional(),
  retries: int32().min(-1).optional(),
  requiredSlots: int32().min(1).optional(),
  killJobOnCompletion: z.boolean().optional(),
  runExclusive: z.boolean().optional(),
  allowLowPriorityNode: z.boolean().optional(),
  applicationPackages: ApplicationPackages.optional()
});
var JobSpec = z.strictObject({
  id: z.string().min(1),
  displayName: z.string().max(1024).optional(),
  priority: int32().min(-1e3).max(1e3).optional(),
  maxParallelTasks: int32().min(-1).optional(),
  maxWallClock: Duration.optional(),
  maxTaskRetries: int32().min(-1).optional(),
  onAllTasksComplete: z.enum(["noAction", "terminateJob"]).optional(),
  onTaskFailure: z.enum(["noAction", "performExitOptionsJobAction"]).optional(),
  env: EnvMap.optional().meta({ description: "commonEnvironmentSettings" }),
  preparation: PrepTask.optional(),
  release: ReleaseTask.optional(),
  manager: ManagerTask.optional(),
  schedule: z.strictObject({
    recurrence: Duration.optional(),
    startWindow: Duration.optional(),
    doNotRunUntil: z.iso.datetime({ offset: true }).optional(),
    doNotRunAfter: z.iso.datetime({ offset: true }).optional()
  }).optional().meta({ description: "Create a Batch job schedule (a new job each recurrence) instead of one job" }),
  metadata: z.record(z.string(), z.string()).optional()
});
var WorkloadSpec = z.strictObject({
  $schema: z.string().optional(),
  account: z.strictObject({
    url: z.url({ protocol: /^https?$/, error: "must be the account URL, e.g. https://myaccount.westeurope.batch.azure.com" }).optional(),
    apiVersion: z.enum(API_VERSIONS, { error: `must be one of ${API_VERSIONS.join(", ")}` }).optional().meta({ description: "The data plane's api-version: 2025-06-01 (default) or 2024-07-01.20.0 for accounts or tools that still need it" }),
    subscription: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: "must be an Azure subscription id (a GUID)" }).optional().meta({ description: "The account's subscription, for Azure Resource Manager: pools with pool.identity, and the preflight's quotas and VM sizes" }),
    resourceGroup: z.string().min(1).max(90).regex(/^[-\w._()]+$/, { error: "must be a resource group name" }).optional(),
    name: z.string().regex(/^[a-z0-9]{3,24}$/, { error: "must be the Batch account's name: 3 to 24 lowercase letters and digits" }).optional().meta({ description: "The account's name; with resourceGroup, found from the account URL when absent" })
  }).optional().meta({ description: "Batch account; AZURE_BATCH_ACCOUNT_URL or --account-url also set it" }),
  vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), EnvValue).optional().meta({ description: "Defaults for {{ vars.* }}; --var k=v overrides" }),
  notSecret: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional().meta({ description: "Environment variables whose values may be shown in plans and logs (registry passwords stay secret whatever this says)" }),
  cleanup: z.enum(["job", "pool", "none"]).optional().meta({ description: "After the run: delete the job, the job and the pool, or keep everything (default)" }),
  pool: PoolSpec,
  job: JobSpec,
  tasks: z.strictObject({
    defaults: TaskDefaults.optional(),
    list: z.array(TaskEntry)
  }).optional()
}).meta({ title: "azure-batch-run workload spec", description: "A container workload on Azure Batch: pool, job and tasks" });
function workloadJsonSchema() {
  return z.toJSONSchema(WorkloadSpec, { io: "input", target: "draft-2020-12" });
}

// shared/translate/common.ts
function compact(value) {
  const out = {};
  for (const key in value) if (value[key] !== void 0) out[key] = value[key];
  return out;
}
function environmentSettings(env) {
  if (!env || Object.keys(env).length === 0) return void 0;
  return Object.entries(env).map(([name, value]) => ({ name, value: String(value) }));
}
function containerSettings(task) {
  if (task.image === void 0) return void 0;
  return compact({
    imageName: task.image,
    containerRunOptions: task.runOptions,
    workingDirectory: task.workingDirectory,
    containerHostBatchBindMounts: task.mounts?.map((m) => compact({ source: m.source, isReadOnly: m.readOnly }))
  });
}
function userIdentity(task, facts) {
  const scope = task.user?.scope;
  const elevation = task.user?.elevation ?? task.elevation ?? (facts.windows && task.image !== void 0 ? "admin" : void 0);
  if (scope === void 0 && elevation === void 0) return void 0;
  return { autoUser: compact({ scope, elevationLevel: elevation }) };
}
function resourceFiles(resources) {
  return resources?.map(
    (r) => compact({
      httpUrl: r.url,
      storageContainerUrl: r.container,
      blobPrefix: r.prefix,
      filePath: r.path,
      fileMode: r.mode,
      identityReference: r.identity ? { resourceId: r.identity } : void 0
    })
  );
}
var UPLOAD_CONDITION = { taskSuccess: "tasksuccess", taskFailure: "taskfailure", taskCompletion: "taskcompletion" };
function outputFiles(outputs) {
  return outputs?.map((o) => ({
    filePattern: o.pattern,
    destination: {
      container: compact({ containerUrl: o.container, path: o.path, identityReference: o.identity ? { resourceId: o.identity } : void 0 })
    },
    uploadOptions: { uploadCondition: UPLOAD_CONDITION[o.when] }
  }));
}
function constraints(task) {
  if (task.maxWallClock === void 0 && task.retention === void 0 && task.retries === void 0) return void 0;
  return compact({ maxWallClockTime: task.maxWallClock, retentionTime: task.retention, maxTaskRetryCount: task.retries });
}
function containerRegistry(r) {
  return compact({
    registryServer: r.server,
    username: r.username,
    password: r.password,
    identityReference: r.identity ? { resourceId: r.identity } : void 0
  });
}
function applicationPackageReferences(packages, applicationId = (id) => id) {
  if (!packages?.length) return void 0;
  return packages.map((p) => compact({ applicationId: applicationId(p.id), version: p.version }));
}

// shared/translate/job.ts
function jobManagerTask(workload) {
  const m = workload.job.manager;
  if (!m) return void 0;
  return compact({
    id: m.id,
    displayName: m.displayName,
    commandLine: m.command,
    containerSettings: containerSettings(m),
    resourceFiles: resourceFiles(m.resources),
    outputFiles: outputFiles(m.outputs),
    environmentSettings: environmentSettings(m.env),
    constraints: constraints(m),
    requiredSlots: m.requiredSlots,
    killJobOnCompletion: m.killJobOnCompletion,
    userIdentity: userIdentity(m, workload.facts),
    runExclusive: m.runExclusive,
    applicationPackageReferences: applicationPackageReferences(m.applicationPackages),
    allowLowPriorityNode: m.allowLowPriorityNode
  });
}
function jobPreparationTask(workload) {
  const p = workload.job.preparation;
  if (!p) return void 0;
  return compact({
    id: p.id,
    commandLine: p.command,
    containerSettings: containerSettings(p),
    resourceFiles: resourceFiles(p.resources),
    environmentSettings: environmentSettings(p.env),
    constraints: constraints(p),
    waitForSuccess: p.waitForSuccess,
    userIdentity: userIdentity(p, workload.facts),
    rerunOnNodeRebootAfterSuccess: p.rerunOnNodeRebootAfterSuccess
  });
}
function jobReleaseTask(workload) {
  const r = workload.job.release;
  if (!r) return void 0;
  return compact({
    id: r.id,
    commandLine: r.command,
    containerSettings: containerSettings(r),
    resourceFiles: resourceFiles(r.resources),
    environmentSettings: environmentSettings(r.env),
    maxWallClockTime: r.maxWallClock,
    retentionTime: r.retention,
    userIdentity: userIdentity(r, workload.facts)
  });
}
var ON_ALL_TASKS_COMPLETE = { noAction: "noaction", terminateJob: "terminatejob" };
var ON_TASK_FAILURE = { noAction: "noaction", performExitOptionsJobAction: "performexitoptionsjobaction" };
function jobSpecification(workload) {
  const job = workload.job;
  const jobConstraints = compact({ maxWallClockTime: job.maxWallClock, maxTaskRetryCount: job.maxTaskRetries });
  return compact({
    displayName: job.displayName,
    priority: job.priority,
    maxParallelTasks: job.maxParallelTasks,
    usesTaskDependencies: workload.tasks.usesDependencies ? true : void 0,
    onAllTasksComplete: job.onAllTasksComplete ? ON_ALL_TASKS_COMPLETE[job.onAllTasksComplete] : void 0,
    onTaskFailure: job.onTaskFailure ? ON_TASK_FAILURE[job.onTaskFailure] : void 0,
    constraints: Object.keys(jobConstraints).length ? jobConstraints : void 0,
    jobManagerTask: jobManagerTask(workload),
    jobPreparationTask: jobPreparationTask(workload),
    jobReleaseTask: jobReleaseTask(workload),
    commonEnvironmentSettings: environmentSettings(job.env),
    poolInfo: { poolId: workload.pool.id },
    metadata: job.metadata ? Object.entries(job.metadata).map(([name, value]) => ({ name, value })) : void 0
  });
}
function translateJob(workload) {
  const spec = jobSpecification(workload);
  return { id: workload.job.id, ...spec };
}
function translateJobSchedule(workload) {
  const s = workload.job.schedule ?? {};
  const { displayName, metadata, ...jobSpec } = jobSpecification(workload);
  return compact({
    id: workload.job.id,
    displayName,
    schedule: compact({ doNotRunUntil: s.doNotRunUntil, doNotRunAfter: s.doNotRunAfter, startWindow: s.startWindow, recurrenceInterval: s.recurrence }),
    jobSpecification: jobSpec,
    metadata
  });
}

// shared/translate/pool.ts
function translateStartTask(workload) {
  const start = workload.pool.startTask;
  if (!start) return void 0;
  return compact({
    commandLine: start.command,
    containerSettings: containerSettings(start),
    resourceFiles: resourceFiles(start.resources),
    environmentSettings: environmentSettings(start.env),
    userIdentity: userIdentity({ ...start, user: start.elevation ? { scope: "pool", elevation: start.elevation } : void 0 }, workload.facts),
    maxTaskRetryCount: start.retries,
    // A node is only useful once its start task succeeded; Batch's own default is true as well.
    waitForSuccess: start.waitForSuccess ?? true
  });
}
function poolAccount(workload, found) {
  const a = workload.spec.account ?? {};
  return {
    subscription: found?.subscription ?? a.subscription ?? "{subscription}",
    resourceGroup: found?.resourceGroup ?? a.resourceGroup ?? "{resourceGroup}",
    name: found?.name ?? a.name ?? "{accountName}"
  };
}
function translatePool(workload, account) {
  const pool = workload.pool;
  const where = account ?? poolAccount(workload);
  const image2 = pool.image.id ? { virtualMachineImageId: pool.image.id } : compact({ publisher: pool.image.publisher, offer: pool.image.offer, sku: pool.image.sku, version: pool.image.version ?? "latest" });
  const container = pool.container ? compact({
    type: pool.container.type,
    containerImageNames: pool.container.prefetch,
    containerRegistries: pool.container.registries?.map(containerRegistry)
  }) : void 0;
  const scaling = pool.autoscale ? { enableAutoScale: true, autoScaleFormula: pool.autoscale.formula, autoScaleEvaluationInterval: pool.autoscale.interval } : { targetDedicatedNodes: pool.nodes?.dedicated ?? 1, targetLowPriorityNodes: pool.nodes?.spot ?? 0 };
  return compact({
    id: pool.id,
    displayName: pool.displayName,
    vmSize: pool.vmSize,
    virtualMachineConfiguration: compact({
      imageReference: image2,
      nodeAgentSKUId: pool.nodeAgentSku,
      containerConfiguration: container,
      // On ubuntu-hpc images Docker keeps its images on the OS disk.
      osDisk: pool.osDisk ? { diskSizeGB: pool.osDisk.sizeGB } : void 0
    }),
    resizeTimeout: pool.resizeTimeout,
    ...compact(scaling),
    enableInterNodeCommunication: pool.interNodeCommunication,
    startTask: translateStartTask(workload),
    // "When creating a pool, the package's application ID must be fully qualified."
    applicationPackageReferences: applicationPackageReferences(pool.applicationPackages, (id) => applicationResourceId(where, id)),
    taskSlotsPerNode: pool.taskSlotsPerNode,
    metadata: pool.metadata ? Object.entries(pool.metadata).map(([name, value]) => ({ name, value })) : void 0
  });
}

// shared/translate/task.ts
function translateTask(task, facts) {
  const deps = task.dependsOn;
  return compact({
    id: task.id,
    displayName: task.displayName,
    // An empty command line makes Batch run the image's ENTRYPOINT.
    commandLine: task.command ?? "",
    containerSettings: task.registry && task.image !== void 0 ? { ...containerSettings(task), registry: containerRegistry(task.registry) } : containerSettings(task),
    resourceFiles: resourceFiles(task.resources),
    outputFiles: outputFiles(task.outputs),
    environmentSettings: environmentSettings(task.env),
    constraints: constraints(task),
    requiredSlots: task.requiredSlots,
    userIdentity: userIdentity(task, facts),
    dependsOn: deps && (deps.taskIds.length || deps.taskIdRanges.length) ? compact({ taskIds: deps.taskIds.length ? deps.taskIds : void 0, taskIdRanges: deps.taskIdRanges.length ? deps.taskIdRanges : void 0 }) : void 0,
    applicationPackageReferences: applicationPackageReferences(task.applicationPackages)
  });
}

// shared/translate/limits.ts
var ENVELOPE_BYTES = Buffer.byteLength('{"value":[]}');
var INT32_MAX2 = 2147483647;
var isInt32 = (v) => Number.isInteger(v) && v >= -INT32_MAX2 - 1 && v <= INT32_MAX2;
function allInt32(v) {
  if (typeof v === "number") return isInt32(v);
  if (v === null || typeof v !== "object") return true;
  if (Array.isArray(v)) {
    for (const x of v) if (!allInt32(x)) return false;
    return true;
  }
  for (const k in v) if (!allInt32(v[k])) return false;
  return true;
}
function int32Issues(body, where) {
  const issues = [];
  if (allInt32(body)) return issues;
  const stack = [[body, ""]];
  while (stack.length > 0) {
    const [v, path] = stack.pop();
    if (typeof v === "number" && !isInt32(v)) {
      issues.push({ path: where, message: `its REST body holds ${v} at ${path}, which is not an int32 as the Batch REST API requires` });
    } else if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) stack.push([child, Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k]);
    }
  }
  return issues;
}
var size = (body) => Buffer.byteLength(JSON.stringify(body));
function tooLarge(path, what, bytes2) {
  return {
    path,
    message: `${what} is ${bytes2} bytes as a REST body; Batch takes at most ${MAX_REQUEST_BYTES} bytes per request: shorten its command line, environment or file lists`
  };
}
function checkBodySizes(workload) {
  const issues = [];
  const poolBody = translatePool(workload);
  const pool = size(poolBody);
  if (pool > MAX_REQUEST_BYTES) issues.push(tooLarge("pool", "the pool", pool));
  issues.push(...int32Issues(poolBody, "pool"));
  const jobBody = workload.job.schedule ? translateJobSchedule(workload) : translateJob(workload);
  const job = size(jobBody);
  if (job > MAX_REQUEST_BYTES) issues.push(tooLarge("job", workload.job.schedule ? "the job schedule" : "the job", job));
  issues.push(...int32Issues(jobBody, "job"));
  return issues;
}
function checkTaskBody(task, facts) {
  const body = translateTask(task, facts);
  const bytes2 = ENVELOPE_BYTES + size(body);
  const issues = int32Issues(body, task.source);
  if (bytes2 > MAX_REQUEST_BYTES) issues.unshift(tooLarge(task.source, `task ${task.id}`, bytes2));
  return issues;
}

// shared/batch/redaction.ts
var SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|SAS|CREDENTIAL|CONNECTION_?STRING/i;
var SECRET_ENV = "AZBR_SECRET_ENV";
var REDACTION_METADATA = "azure-batch-run.redaction";
function isSecretEnv(task, job) {
  const mark = job.metadata?.find((m) => m.name === REDACTION_METADATA)?.value;
  if (!mark?.startsWith("by-source:")) return (e) => e.name !== SECRET_ENV;
  const listed = /* @__PURE__ */ new Set([
    ...mark.slice("by-source:".length).split(","),
    ...task.environmentSettings?.find((e) => e.name === SECRET_ENV)?.value?.split(",") ?? []
  ]);
  return (e) => e.name !== void 0 && e.name !== SECRET_ENV && (listed.has(e.name) || SECRET_NAME.test(e.name));
}

// shared/workload/load.ts
function isSecretFlow(envName, path, notSecret) {
  const keys = path.filter((k) => typeof k === "string");
  const field = keys[keys.length - 1] ?? "";
  if (field === "password") return true;
  if (notSecret.has(envName)) return false;
  return SECRET_NAME.test(envName) || SECRET_NAME.test(field) || keys.includes("env") || field === "url" || field === "container";
}
var ENV_REFERENCE = /^\{\{\s*env\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/;
var TOO_DEEP = `nests lists and mappings more than ${LIMITS.depth} levels deep`;
function parseSpecText(text, fileName = "spec") {
  const issues = new IssueCollector();
  checkText(text, fileName, issues);
  issues.throwIfAny();
  let doc;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: "error" });
  } catch (error) {
    if (error instanceof RangeError) throw new SpecError([{ path: "", message: `${fileName} ${TOO_DEEP}` }]);
    throw error;
  }
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((e) => ({ path: "", message: /call stack/i.test(e.message) ? `${fileName} ${TOO_DEEP}` : `${fileName}: ${e.message.split("\n")[0]}` }))
    );
  }
  try {
    return doc.toJS({ maxAliasCount: LIMITS.aliases });
  } catch (error) {
    if (error instanceof ReferenceError && /excessive alias/i.test(error.message)) {
      throw new SpecError([
        { path: "", message: `${fileName} expands YAML aliases (*name) beyond ${LIMITS.aliases} uses; write the values out, or generate them with forEach` }
      ]);
    }
    if (error instanceof ReferenceError) throw new SpecError([{ path: "", message: `${fileName}: ${error.message}` }]);
    if (error instanceof RangeError) throw new SpecError([{ path: "", message: `${fileName} ${TOO_DEEP}` }]);
    throw error;
  }
}
function checkImageRetirement(pool, nodeAgentSku, now, issues) {
  const warnings = [];
  const image2 = { publisher: pool.image.publisher, offer: pool.image.offer, sku: pool.image.sku, virtualMachineImageId: pool.image.id };
  const findings = checkRetirement(image2, nodeAgentSku, now);
  for (const f of findings) {
    if (f.field === "nodeAgentSku" && findings.some((o) => o.field === "image" && o.status === f.status)) continue;
    const path = f.field === "image" || pool.nodeAgentSku === void 0 ? "pool.image" : "pool.nodeAgentSku";
    if (f.status === "retired") issues.add(path, f.message);
    else warnings.push({ path, message: f.message });
  }
  return warnings;
}
function unionAlternative(issue) {
  if (issue.code !== "invalid_union") return [issue];
  const fitting = issue.errors.filter(
    (alternative) => alternative.every((i) => i.code !== "unrecognized_keys" && !(i.code === "invalid_type" && i.path.length === 1 && i.message.includes("received undefined")))
  );
  if (fitting.length !== 1) return [issue];
  return fitting[0].map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
}
function coerceNumbers(input, issues) {
  let changed = false;
  const flat = [];
  const stack = [...issues];
  while (stack.length > 0) {
    const issue = stack.pop();
    if (issue.code === "invalid_union")
      for (const alternative of issue.errors) stack.push(...alternative.map((i) => ({ ...i, path: [...issue.path, ...i.path] })));
    else flat.push(issue);
  }
  for (const issue of flat) {
    if (issue.code !== "invalid_type" || issue.expected !== "number" && issue.expected !== "int" || issue.path.length === 0) continue;
    let holder = input;
    for (const key2 of issue.path.slice(0, -1))
      holder = holder !== null && typeof holder === "object" ? holder[key2] : void 0;
    const key = issue.path[issue.path.length - 1];
    if (holder === null || typeof holder !== "object") continue;
    const value = holder[key];
    if (typeof value === "string" && /^-?\d{1,15}(\.\d+)?$/.test(value.trim())) {
      holder[key] = Number(value.trim());
      changed = true;
    }
  }
  return changed;
}
function fieldsAt(schema, path) {
  let current = schema;
  const unwrap = (s) => {
    let out = s;
    for (; ; ) {
      const def2 = out._zod.def;
      if ((def2.type === "optional" || def2.type === "default" || def2.type === "nullable" || def2.type === "prefault") && def2.innerType) out = def2.innerType;
      else if (def2.type === "pipe" && def2.in) out = def2.in;
      else return out;
    }
  };
  for (const key of path) {
    if (!current) return void 0;
    const s = unwrap(current);
    const def2 = s._zod.def;
    if (def2.type === "object" && def2.shape && typeof key === "string") current = def2.shape[key];
    else if (def2.type === "array" && typeof key === "number") current = def2.element;
    else if (def2.type === "record") current = def2.valueType;
    else return void 0;
  }
  if (!current) return void 0;
  const def = unwrap(current)._zod.def;
  return def.type === "object" && def.shape ? Object.keys(def.shape).filter((k) => k !== "$schema") : void 0;
}
function zodIssueMessage(issue, input) {
  if (issue.code === "unrecognized_keys") {
    const valid = fieldsAt(WorkloadSpec, issue.path);
    const names = issue.keys.map((k) => `"${k}"`).join(", ");
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${names}${valid ? `; valid fields: ${valid.join(", ")}` : ""}`;
  }
  if (issue.code === "invalid_type") {
    let value = input;
    for (const key of issue.path) value = value === null || typeof value !== "object" ? void 0 : value[key];
    if (value === void 0) return "is required";
    const hint = typeof value === "string" && (issue.expected === "int" || issue.expected === "number") ? " (a --var value is text: give digits there, e.g. --var n=3)" : "";
    return `must be ${issue.expected === "int" ? "a whole number" : `a${/^[aeiou]/.test(issue.expected) ? "n" : ""} ${issue.expected}`}, got ${JSON.stringify(value)}${hint}`;
  }
  return issue.message;
}
function loadSpec(text, options = {}) {
  const raw = parseSpecText(text, options.fileName);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new SpecError([{ path: "", message: "the spec must be a mapping with pool, job and tasks" }]);
  }
  return loadSpecObject(raw, options);
}
function loadSpecObject(raw, options = {}) {
  const envSecrets = /* @__PURE__ */ new Set();
  try {
    return load(raw, options, envSecrets);
  } catch (error) {
    if (error instanceof SpecError) throw new Redactor(envSecrets).error(error);
    throw error;
  }
}
function blobSourcesOf(raw, options = {}) {
  const list = raw.tasks?.list;
  if (!Array.isArray(list)) return [];
  const issues = new IssueCollector();
  const scope = templateScope(raw, options);
  const onMissingEnv = missingSecretPlaceholder(options, notSecretOf(raw));
  const out = [];
  list.forEach((entry, index) => {
    const blobs = entry?.forEach?.blobs;
    if (blobs === void 0) return;
    const path = `tasks.list[${index}].forEach.blobs`;
    const rendered = renderDeep(
      blobs,
      scope,
      { onMissingEnv, envHint: options.envHint },
      ["tasks", "list", index, "forEach", "blobs"],
      (p, message) => issues.add(formatPath(p), message)
    );
    const parsed = BlobSource.safeParse(rendered);
    if (!parsed.success) for (const i of parsed.error.issues) issues.add(`${path}${i.path.length ? `.${formatPath(i.path)}` : ""}`, i.message);
    else out.push({ index, path, source: parsed.data });
  });
  issues.throwIfAny();
  return out;
}
function templateScope(raw, options) {
  const env = options.env ?? {};
  const specVars = raw.vars ?? {};
  return {
    ...options.roots ?? {},
    vars: { ...typeof specVars === "object" ? specVars : {}, ...options.vars ?? {} },
    env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== void 0))
  };
}
function missingSecretPlaceholder(options, notSecret, told = () => {
}) {
  if (options.unsetSecrets !== "placeholder") return void 0;
  return (name, path, whole) => {
    if (!isSecretFlow(name, path, notSecret)) return void 0;
    told(name);
    const field = path.filter((k) => typeof k === "string").pop();
    return whole && (field === "url" || field === "container") ? `https://redacted.invalid/?${REDACTED}` : REDACTED;
  };
}
var notSecretOf = (raw) => new Set(Array.isArray(raw.notSecret) ? raw.notSecret.filter((n) => typeof n === "string") : []);
function referencedVars(raw) {
  const used = /* @__PURE__ */ new Set();
  const stack = [raw];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") for (const m of v.matchAll(/\{\{\s*vars\.([A-Za-z_][A-Za-z0-9_-]*)/g)) used.add(m[1]);
    else if (v !== null && typeof v === "object") stack.push(...Object.values(v));
  }
  return used;
}
function load(raw, options, envSecrets) {
  const issues = new IssueCollector();
  checkData(raw, issues);
  issues.throwIfAny();
  if (options.onUnusedVars && options.vars) {
    const used = referencedVars(raw);
    const unused = Object.keys(options.vars).filter((name) => !used.has(name));
    if (unused.length > 0) options.onUnusedVars(unused, [...used].sort());
  }
  const scope = templateScope(raw, options);
  const inline = (password, path) => {
    if (typeof password === "string" && !ENV_REFERENCE.test(password))
      issues.add(path, 'must reference the environment, e.g. "{{ env.REG_PASSWORD }}": inline passwords are refused');
  };
  const registries = raw.pool?.container?.registries ?? [];
  if (Array.isArray(registries))
    registries.forEach((r, i) => inline(r?.password, `pool.container.registries[${i}].password`));
  const rawTaskSpecs = raw.tasks;
  inline(rawTaskSpecs?.defaults?.registry?.password, "tasks.defaults.registry.password");
  if (Array.isArray(rawTaskSpecs?.list))
    rawTaskSpecs.list.forEach((t, i) => inline(t?.registry?.password, `tasks.list[${i}].registry.password`));
  const { vars: _vars, tasks: rawTasks, ...rest } = raw;
  const report = (path, message) => issues.add(formatPath(path), message);
  const notSecret = notSecretOf(raw);
  const secretEnv = /* @__PURE__ */ new Map();
  const onEnvUsed = (name, value, path) => {
    if (!isSecretFlow(name, path, notSecret)) return;
    envSecrets.add(value);
    secretEnv.set(name, true);
  };
  const onMissingEnv = missingSecretPlaceholder(options, notSecret, (name) => {
    if (!secretEnv.has(name)) secretEnv.set(name, false);
  });
  const renderOptions = { onEnvUsed, onMissingEnv, envHint: options.envHint };
  const rendered = renderDeep(rest, scope, renderOptions, [], report);
  if (rawTasks !== void 0) rendered.tasks = renderDeep(rawTasks, scope, { ...renderOptions, deferRoots: /* @__PURE__ */ new Set(["item", "task"]) }, ["tasks"], report);
  issues.throwIfAny();
  const input = { ...rendered, ...raw.vars !== void 0 ? { vars: raw.vars } : {} };
  let parsed = WorkloadSpec.safeParse(input);
  if (!parsed.success && coerceNumbers(input, parsed.error.issues)) parsed = WorkloadSpec.safeParse(input);
  if (!parsed.success) {
    throw new SpecError(parsed.error.issues.flatMap(unionAlternative).map((i) => ({ path: formatPath(i.path), message: zodIssueMessage(i, input) })));
  }
  const spec = parsed.data;
  const nodeAgentSku = spec.pool.nodeAgentSku ?? deriveNodeAgentSku(spec.pool.image);
  if (!nodeAgentSku) {
    issues.add("pool.nodeAgentSku", `cannot be derived from this image; set it, e.g. "batch.node.ubuntu 24.04" (see the account's supported images)`);
  }
  const warnings = checkImageRetirement(spec.pool, nodeAgentSku, options.now ?? Date.now(), issues);
  const facts = {
    windows: isWindowsPool(nodeAgentSku ?? ""),
    gpu: isGpuVmSize(spec.pool.vmSize),
    container: spec.pool.container !== void 0,
    taskSlotsPerNode: spec.pool.taskSlotsPerNode ?? 1
  };
  const blobs = [];
  (spec.tasks?.list ?? []).forEach((entry, i) => {
    if (!entry.forEach || !("blobs" in entry.forEach)) return;
    const listing = options.blobListings?.get(i);
    if (listing) {
      attachListing(entry.forEach, listing);
      blobs.push({ ...listing.source, listed: listing.listed, count: listing.length, ...listing.note ? { note: listing.note } : {} });
      if (listing.listed && listing.length === 0)
        issues.add(`tasks.list[${i}].forEach.blobs`, `no blob of ${describeSource(listing.source)} matches: nothing to run`);
    } else
      issues.add(
        `tasks.list[${i}].forEach.blobs`,
        "the container is listed when the spec runs: load the spec with loadSpecWithBlobs (the CLI, the Action and the Function app do), or plan it"
      );
  });
  issues.throwIfAny();
  if (!checkExpansion(spec.tasks?.list ?? [], spec.tasks?.defaults, issues)) issues.throwIfAny();
  const expansion = Expansion.create(spec.tasks?.list ?? [], spec.tasks?.defaults, scope, issues);
  issues.throwIfAny();
  const job = spec.job.manager && spec.job.manager.image === void 0 && spec.tasks?.defaults?.image !== void 0 ? { ...spec.job, manager: { ...spec.job.manager, image: spec.tasks.defaults.image } } : spec.job;
  checkPool(spec.pool, nodeAgentSku ?? "", facts, issues);
  checkPoolLimits(spec.pool, deriveNodeAgentSku(spec.pool.image), issues);
  checkArmCoordinates(spec.account, spec.pool, issues);
  checkJob(
    job,
    expansion?.index.ids ?? [],
    facts,
    issues,
    blobs.some((b) => !b.listed)
  );
  checkJobLimits(job, expansion?.index.ids ?? [], issues);
  let usesDependencies = false;
  if (expansion) {
    const checker = new TaskChecker(expansion.index, facts, issues, spec.pool.identity, (p) => expansion.sourceOf(p));
    let position = 0;
    for (const task of expansion.tasks(issues)) {
      checker.check(task, position++);
      for (const issue of checkTaskBody(task, facts)) issues.add(issue.path, issue.message);
    }
    checker.finish();
    usesDependencies = checker.usesDependencies;
  }
  issues.throwIfAny();
  const secrets = [...(spec.pool.container?.registries ?? []).flatMap((r) => r.password ? [r.password] : []), ...envSecrets];
  const workload = {
    spec,
    apiVersion: options.apiVersion ?? spec.account?.apiVersion ?? API_VERSION,
    pool: { ...spec.pool, nodeAgentSku },
    facts,
    job,
    tasks: expansion ? new TaskSet(expansion, usesDependencies) : TaskSet.empty,
    secrets,
    secretEnv: [...secretEnv].map(([name, set]) => ({ name, set })).sort((a, b) => a.name.localeCompare(b.name)),
    warnings,
    ...blobs.length ? { blobs } : {},
    ...typeof raw.job?.id === "string" ? { jobIdTemplate: raw.job.id } : {}
  };
  const tooLarge2 = checkBodySizes(workload);
  if (tooLarge2.length > 0) throw new SpecError(tooLarge2);
  return workload;
}

// shared/run/addTaskCollection.ts
import { createHash as createHash2 } from "node:crypto";

// shared/client/errors.ts
var BatchServiceError = class extends Error {
  name = "BatchServiceError";
  statusCode;
  /** The Batch error code, e.g. `JobExists`, `PoolNotFound`, `RequestBodyTooLarge`. */
  code;
  serviceMessage;
  values;
  requestId;
  clientRequestId;
  constructor(init) {
    const code = init.body?.code ?? `HTTP${init.statusCode}`;
    const serviceMessage = (init.body?.message?.value ?? "").split("\n").filter((line) => !/^(RequestId|Time):/.test(line.trim())).join(" ").trim();
    const values = init.body?.values ?? [];
    const details = values.filter((v) => v.key && !/^(RequestId|Time)$/.test(v.key)).map((v) => `${v.key}=${v.value ?? ""}`).join(", ");
    const parts = [`${code}: ${serviceMessage || "no message"}`];
    if (details) parts.push(`[${details}]`);
    parts.push(`(HTTP ${init.statusCode} on ${init.method} ${init.path}${init.requestId ? `, request-id ${init.requestId}` : ""})`);
    super(parts.join(" "));
    this.statusCode = init.statusCode;
    this.code = code;
    this.serviceMessage = serviceMessage;
    this.values = values;
    this.requestId = init.requestId;
    this.clientRequestId = init.clientRequestId;
  }
};
function parseErrorBody(text, contentType) {
  if (!text) return void 0;
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && (typeof parsed.code === "string" || typeof parsed.message?.value === "string")) return parsed;
  } catch {
  }
  return { message: { value: `the response is not a Batch error (${contentType || "no content type"}, ${Buffer.byteLength(text)} bytes)` } };
}
var UnexpectedResponseError = class extends Error {
  constructor(method, path, statusCode, what, requestId) {
    super(`${method} ${path}: HTTP ${statusCode} ${what}${requestId ? ` (request-id ${requestId})` : ""}`);
    this.method = method;
    this.path = path;
    this.statusCode = statusCode;
    this.requestId = requestId;
  }
  method;
  path;
  statusCode;
  requestId;
  name = "UnexpectedResponseError";
};

// shared/client/json.ts
function parseJson(response, method) {
  const fail = (what) => new UnexpectedResponseError(
    method,
    response.request?.url?.pathname ?? "?",
    response.status,
    what,
    response.headers["request-id"] ?? response.headers["x-ms-request-id"]
  );
  if (!response.bodyText) throw fail("with an empty body where a JSON object belongs");
  let parsed;
  try {
    parsed = JSON.parse(response.bodyText);
  } catch {
    throw fail(`with a body that is not JSON (${response.headers["content-type"] || "no content type"}, ${Buffer.byteLength(response.bodyText)} bytes)`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw fail("with JSON that is not an object");
  return parsed;
}
var JSON_TEXT = /* @__PURE__ */ Symbol.for("azure-batch-run.JsonText");
var JsonText = class {
  constructor(text) {
    this.text = text;
  }
  text;
  /** A brand that holds across copies of this module (a bundle and its source side by side). */
  [JSON_TEXT] = true;
  static is(value) {
    return typeof value === "object" && value !== null && value[JSON_TEXT] === true;
  }
};

// shared/client/pipeline.ts
function createPipeline(policies, transport) {
  return policies.reduceRight((next, policy) => (request) => policy.sendRequest(request, next), transport);
}
var TransportError = class extends Error {
  constructor(message, code, notSent, options) {
    super(message, options);
    this.code = code;
    this.notSent = notSent;
  }
  code;
  notSent;
  name = "TransportError";
};
var LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
function assertSecureForCredentials(url) {
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && LOOPBACK.test(url.hostname)) return;
  throw new Error(`refusing to send Batch credentials over ${url.protocol}//${url.host}: use https (plain http is allowed only for localhost)`);
}

// shared/client/transport.ts
var MAX_SUBMIT_CONCURRENCY = 64;
var MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
function createUndiciTransport(options = {}) {
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const pools = /* @__PURE__ */ new Map();
  let undici;
  const poolFor = async (origin) => {
    let pool = pools.get(origin);
    if (!pool) {
      const loaded = await (undici ??= import("undici"));
      const Pool = loaded.Pool ?? loaded.default.Pool;
      pool = pools.get(origin);
      if (pool) return pool;
      pool = new Pool(origin, {
        // As many as a submission may have in flight (connections open only as requests need them).
        connections: options.connections ?? MAX_SUBMIT_CONCURRENCY,
        keepAliveTimeout: 3e4,
        pipelining: 1,
        headersTimeout: options.headersTimeoutMs ?? 3e4,
        bodyTimeout: options.bodyTimeoutMs ?? 3e4
      });
      pools.set(origin, pool);
    }
    return pool;
  };
  const send = async (request) => {
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    try {
      const res = await (await poolFor(request.url.origin)).request({
        path: `${request.url.pathname}${request.url.search}`,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal
      });
      const chunks = [];
      let size2 = 0;
      for await (const chunk of res.body) {
        size2 += chunk.length;
        if (size2 > maxBytes) {
          res.body.destroy();
          throw new TransportError(
            `${request.method} ${request.url.pathname}: the response is over ${maxBytes / 1024 / 1024} MB; refusing to read more`,
            "RESPONSE_TOO_LARGE",
            false
          );
        }
        chunks.push(chunk);
      }
      const bodyText = Buffer.concat(chunks).toString("utf8");
      const headers = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== void 0) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
      return { status: res.statusCode, headers, bodyText, request };
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason ?? error;
      if (error instanceof TransportError) throw error;
      throw toTransportError(error, timeout.aborted, request);
    }
  };
  return {
    send,
    async close() {
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
    }
  };
}
function toTransportError(error, timedOut, request) {
  const where = `${request.method} ${request.url.origin}${request.url.pathname}`;
  if (timedOut) return new TransportError(`${where} timed out after ${request.timeoutMs} ms`, "ETIMEDOUT", false, { cause: error });
  const err = error;
  const code = err.cause?.code ?? err.code ?? "UNKNOWN";
  const notSent = code === "ECONNREFUSED" || error.code === "UND_ERR_CONNECT_TIMEOUT";
  return new TransportError(`${where} failed: ${code} ${err.message ?? ""}`.trim(), code, notSent, { cause: error });
}

// shared/sleep.ts
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// shared/run/addTaskCollection.ts
var ENVELOPE_BYTES2 = Buffer.byteLength('{"value":[]}');
function chunkBody(chunk) {
  return new JsonText(`{"value":[${chunk.json.join(",")}]}`);
}
function* taskChunks(tasks, onTooLarge, limits = {}) {
  const maxTasks = limits.maxTasks ?? MAX_TASKS_PER_REQUEST;
  const maxBytes = limits.maxBytes ?? MAX_REQUEST_BYTES;
  let current = { tasks: [], json: [] };
  let bytes2 = ENVELOPE_BYTES2;
  for (const task of tasks) {
    const json = JSON.stringify(task);
    const size2 = Buffer.byteLength(json);
    if (ENVELOPE_BYTES2 + size2 > maxBytes) {
      onTooLarge(task);
      continue;
    }
    const added = size2 + (current.tasks.length > 0 ? 1 : 0);
    if (current.tasks.length >= maxTasks || bytes2 + added > maxBytes) {
      yield current;
      current = { tasks: [], json: [] };
      bytes2 = ENVELOPE_BYTES2;
    }
    bytes2 += size2 + (current.tasks.length > 0 ? 1 : 0);
    current.tasks.push(task);
    current.json.push(json);
  }
  if (current.tasks.length > 0) yield current;
}
var DEFAULT_SUBMIT_CONCURRENCY = 32;
function taskDigest(task) {
  const c = task.containerSettings;
  const env = (task.environmentSettings ?? []).map((e) => `${e.name}=${e.value ?? ""}`).sort();
  const container = c ? [c.imageName, c.containerRunOptions ?? "", c.workingDirectory ?? "taskWorkingDirectory"] : null;
  return createHash2("sha256").update(JSON.stringify([task.commandLine ?? "", container, env])).digest("base64");
}
var COMPARED = "id,commandLine,containerSettings,environmentSettings";
async function sendAll(items, concurrency, ahead, fn) {
  const iterator = items[Symbol.iterator]();
  const ready = [];
  let exhausted = false;
  let stopped = false;
  let filling = false;
  let failure;
  const pull = () => {
    if (failure) throw failure.error;
    if (ready.length > 0) return { value: ready.shift(), done: false };
    if (exhausted) return { value: void 0, done: true };
    const next = iterator.next();
    if (next.done) exhausted = true;
    return next;
  };
  const fill = () => {
    if (filling || exhausted || stopped || ready.length >= ahead) return;
    filling = true;
    setImmediate(() => {
      filling = false;
      if (exhausted || stopped || ready.length >= ahead) return;
      try {
        const next = iterator.next();
        if (next.done) exhausted = true;
        else ready.push(next.value);
      } catch (error) {
        failure = { error };
        exhausted = true;
        return;
      }
      fill();
    });
  };
  const worker = async () => {
    for (let next = pull(); !next.done && !stopped; next = pull()) {
      fill();
      try {
        await fn(next.value);
      } catch (error) {
        stopped = true;
        throw error;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  } finally {
    stopped = true;
  }
}
var JOB_ENDED = /* @__PURE__ */ new Set(["JobCompleted", "JobBeingTerminated", "JobBeingDeleted", "JobNotActive", "JobNotFound"]);
function jobEnded(error) {
  return error instanceof BatchServiceError && JOB_ENDED.has(error.code);
}
function outcomeUnknown(error) {
  if (error instanceof TransportError) return true;
  return error instanceof BatchServiceError && error.statusCode >= 500;
}
async function addTaskCollection(client, jobId, tasks, options = {}) {
  const result = { added: [], existing: [], failed: [] };
  const concurrency = Math.min(MAX_SUBMIT_CONCURRENCY, Math.max(1, Math.floor(options.concurrency ?? DEFAULT_SUBMIT_CONCURRENCY)));
  const path = `/jobs/${encodeURIComponent(jobId)}/addtaskcollection`;
  const taskPath = (id) => `/jobs/${encodeURIComponent(jobId)}/tasks/${encodeURIComponent(id)}`;
  const known = options.total ?? tasks.length;
  let seen = 0;
  let done = 0;
  const finish = (n) => {
    done += n;
    options.onProgress?.(done, typeof known === "number" ? known : seen);
  };
  const counted = (function* () {
    for (const t of tasks) {
      seen++;
      yield t;
    }
  })();
  let sendAgain = [];
  let unknown = [];
  let ended;
  let unsent = [];
  let there;
  const listThere = () => there ??= (async () => {
    const digests = /* @__PURE__ */ new Map();
    for await (const t of client.list(`/jobs/${encodeURIComponent(jobId)}/tasks`, {
      query: { $select: COMPARED, maxresults: 1e3 },
      signal: options.signal
    })) {
      digests.set(t.id.toLowerCase(), taskDigest(t));
    }
    return digests;
  })();
  let toCompare = [];
  const compare = async (wanted) => compareDigest(wanted.id, taskDigest(wanted));
  const compareDigest = async (id, wanted) => {
    let digest = (await listThere()).get(id.toLowerCase());
    if (digest === void 0) {
      digest = taskDigest(await client.json("GET", taskPath(id), { query: { $select: COMPARED }, signal: options.signal }));
    }
    if (digest === wanted) result.existing.push(id);
    else {
      result.failed.push({
        taskId: id,
        code: "TaskExists",
        message: "a different task with this id is already in the job (its command line, container or environment differ); use a new job id or delete the job"
      });
    }
    finish(1);
  };
  const sendChunk = async ({ tasks: chunk, json }) => {
    if (ended) {
      unsent.push(...chunk);
      return;
    }
    let results;
    try {
      const body = await client.json("POST", path, {
        body: chunkBody({ tasks: chunk, json }),
        // Safe to repeat: task ids are deterministic, and a repeat answers TaskExists per task.
        idempotent: true,
        signal: options.signal
      });
      results = Array.isArray(body.value) ? body.value : [];
    } catch (error) {
      if (error instanceof BatchServiceError && error.code === "RequestBodyTooLarge" && chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        await sendChunk({ tasks: chunk.slice(0, half), json: json.slice(0, half) });
        await sendChunk({ tasks: chunk.slice(half), json: json.slice(half) });
        return;
      }
      if (outcomeUnknown(error) && !options.signal?.aborted) {
        unknown.push({ chunk, error });
        return;
      }
      if (jobEnded(error)) {
        ended ??= error;
        unsent.push(...chunk);
        return;
      }
      throw error;
    }
    const byId = new Map(chunk.map((t) => [t.id, t]));
    const exists = [];
    for (const r of results) {
      const task = byId.get(r.taskId);
      if (!task) continue;
      byId.delete(r.taskId);
      if (r.status === "success") {
        result.added.push(r.taskId);
        finish(1);
      } else if (r.status === "servererror") {
        sendAgain.push(task);
      } else if (r.error?.code === "TaskExists") {
        exists.push(task);
      } else {
        result.failed.push({ taskId: r.taskId, code: r.error?.code ?? "ClientError", message: describe(r) });
        finish(1);
      }
    }
    sendAgain.push(...byId.values());
    if (exists.length > 0) {
      for (const t of exists) toCompare.push([t.id, taskDigest(t)]);
      listThere().catch(() => void 0);
    }
  };
  const compareAll = async () => {
    const pending = toCompare;
    toCompare = [];
    for (const [id, digest] of pending) await compareDigest(id, digest);
  };
  const reread = async () => {
    const pending = unknown;
    unknown = [];
    there = void 0;
    let digests;
    try {
      digests = await listThere();
    } catch {
      there = void 0;
      throw pending[0].error;
    }
    for (const t of pending.flatMap((p) => p.chunk)) {
      if (!digests.has(t.id.toLowerCase())) sendAgain.push(t);
      else await compare(t);
    }
  };
  const settleEnded = async (error) => {
    const pending = [...unsent, ...sendAgain, ...unknown.flatMap((u) => u.chunk)];
    unsent = [];
    sendAgain = [];
    unknown = [];
    there = void 0;
    const digests = error.code === "JobNotFound" ? /* @__PURE__ */ new Map() : await listThere().catch(() => /* @__PURE__ */ new Map());
    for (const t of pending) {
      const digest = digests.get(t.id.toLowerCase());
      if (digest === taskDigest(t)) {
        result.existing.push(t.id);
      } else {
        result.failed.push({
          taskId: t.id,
          code: error.code,
          message: digest === void 0 ? `not added: the job ${jobId} ended (${error.code}) before this task was in it` : "a different task with this id is already in the job (its command line, container or environment differ); use a new job id or delete the job"
        });
      }
      finish(1);
    }
  };
  const tooLarge2 = (t) => {
    result.failed.push({
      taskId: t.id,
      code: "RequestBodyTooLarge",
      message: `the task alone is over ${MAX_REQUEST_BYTES} bytes serialized; shorten its command line, environment or file lists`
    });
    finish(1);
  };
  await sendAll(taskChunks(counted, tooLarge2), concurrency, concurrency, sendChunk);
  await compareAll();
  if (unknown.length > 0 && !ended) await reread();
  const rounds = options.serverErrorRetries ?? 5;
  for (let round = 0; sendAgain.length > 0 && !ended; round++) {
    const again = sendAgain;
    sendAgain = [];
    if (round >= rounds) {
      for (const t of again)
        result.failed.push({ taskId: t.id, code: "ServerError", message: `the service kept failing to add it after ${rounds} more attempts` });
      finish(again.length);
      break;
    }
    await sleep(Math.min(3e4, 500 * 2 ** round), options.signal);
    await sendAll(taskChunks(again, tooLarge2), concurrency, 0, sendChunk);
    await compareAll();
    if (unknown.length > 0 && !ended) await reread();
  }
  if (ended) await settleEnded(ended);
  return result;
}
function describe(r) {
  const msg = (r.error?.message?.value ?? "").split("\n").filter((l) => !/^(RequestId|Time):/.test(l)).join(" ").trim();
  const values = (r.error?.values ?? []).map((v) => `${v.key}=${v.value}`).join(", ");
  return values ? `${msg} [${values}]` : msg;
}

// shared/batch/armPool.ts
var ARM_API_VERSION = "2024-07-01";
var PLACEMENT = {
  id: null,
  displayName: "properties.displayName",
  vmSize: "properties.vmSize",
  virtualMachineConfiguration: "properties.deploymentConfiguration.virtualMachineConfiguration",
  targetDedicatedNodes: "properties.scaleSettings.fixedScale.targetDedicatedNodes",
  targetLowPriorityNodes: "properties.scaleSettings.fixedScale.targetLowPriorityNodes",
  resizeTimeout: "properties.scaleSettings.fixedScale.resizeTimeout",
  // The presence of a formula is what makes an ARM pool autoscale.
  enableAutoScale: null,
  autoScaleFormula: "properties.scaleSettings.autoScale.formula",
  autoScaleEvaluationInterval: "properties.scaleSettings.autoScale.evaluationInterval",
  enableInterNodeCommunication: "properties.interNodeCommunication",
  startTask: "properties.startTask",
  applicationPackageReferences: "properties.applicationPackages",
  taskSlotsPerNode: "properties.taskSlotsPerNode",
  metadata: "properties.metadata"
};
var RENAMED = {
  nodeAgentSKUId: "nodeAgentSkuId",
  virtualMachineImageId: "id",
  username: "userName"
};
var ENUMS = {
  type: { dockerCompatible: "DockerCompatible", criCompatible: "CriCompatible" },
  workingDirectory: { taskWorkingDirectory: "TaskWorkingDirectory", containerImageDefault: "ContainerImageDefault" },
  scope: { task: "Task", pool: "Pool" },
  elevationLevel: { nonadmin: "NonAdmin", admin: "Admin" },
  // Bind mount sources are PascalCase in both planes.
  source: { Shared: "Shared", Startup: "Startup", VfsMounts: "VfsMounts", Task: "Task", JobPrep: "JobPrep", Applications: "Applications" }
};
var VALUES = {
  enableInterNodeCommunication: (v) => v ? "Enabled" : "Disabled",
  applicationPackageReferences: (v) => v.map((r) => ({ id: r.applicationId, ...r.version !== void 0 ? { version: r.version } : {} }))
};
function convert(value, key = "") {
  if (Array.isArray(value)) return value.map((v) => convert(v, key));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [RENAMED[k] ?? k, convert(v, k)]));
  }
  const table = ENUMS[key];
  if (table && typeof value === "string") {
    const mapped = table[value];
    if (mapped === void 0) throw new Error(`ARM pool: no ARM value for ${key} "${value}"`);
    return mapped;
  }
  return value;
}
function place(target, path, value) {
  const parts = path.split(".");
  let at = target;
  for (const part of parts.slice(0, -1)) at = at[part] ??= {};
  at[parts[parts.length - 1]] = value;
}
function armPoolBody(pool, identities) {
  const body = {};
  if (identities.length > 0) body.identity = { type: "UserAssigned", userAssignedIdentities: Object.fromEntries(identities.map((id) => [id, {}])) };
  for (const [key, value] of Object.entries(pool)) {
    if (value === void 0) continue;
    if (!(key in PLACEMENT)) throw new Error(`ARM pool: the data-plane field ${key} has no place in the ARM body`);
    const path = PLACEMENT[key];
    if (path === null || path === void 0) continue;
    place(body, path, VALUES[key] ? VALUES[key](value) : convert(value, key));
  }
  return body;
}
var UNRENAMED = Object.fromEntries(Object.entries(RENAMED).map(([k, v]) => [v, k]));
var UNENUMS = Object.fromEntries(
  Object.entries(ENUMS).map(([k, t]) => [k, Object.fromEntries(Object.entries(t).map(([a, b]) => [b, a]))])
);

// shared/translate/armPool.ts
function translateArmPool(workload, account) {
  return armPoolBody(translatePool(workload, account), workload.pool.identity ?? []);
}
function armPoolPath(account, poolId) {
  const part = (value, placeholder) => value === void 0 ? placeholder : encodeURIComponent(value);
  return `/subscriptions/${part(account.subscription, "{subscription}")}/resourceGroups/${part(account.resourceGroup, "{resourceGroup}")}/providers/Microsoft.Batch/batchAccounts/${part(account.name, "{accountName}")}/pools/${encodeURIComponent(poolId)}`;
}

// shared/run/ownership.ts
import { randomUUID } from "node:crypto";
var RUN_ID_METADATA = "azure-batch-run.runId";
function newRunId() {
  return randomUUID();
}
function withRunId(body, runId) {
  return { ...body, metadata: [...(body.metadata ?? []).filter((m) => m.name !== RUN_ID_METADATA), { name: RUN_ID_METADATA, value: runId }] };
}
function createdByRun(metadata, runId) {
  return (metadata ?? []).some((m) => m.name === RUN_ID_METADATA && m.value === runId);
}
function deferJobEnd(body) {
  if (body.onAllTasksComplete !== "terminatejob") return { body, endWhenDone: false };
  return { body: { ...body, onAllTasksComplete: "noaction" }, endWhenDone: true };
}
function endWhenDonePatch(jobId) {
  return { method: "PATCH", path: `/jobs/${encodeURIComponent(jobId)}`, body: { onAllTasksComplete: "terminatejob" } };
}
async function endJobWhenTasksDone(client, jobId, signal) {
  const patch = endWhenDonePatch(jobId);
  try {
    await client.send(patch.method, patch.path, { body: patch.body, signal });
  } catch (error) {
    if (error instanceof BatchServiceError && ["JobCompleted", "JobBeingTerminated", "JobBeingDeleted", "JobNotFound"].includes(error.code)) return;
    throw error;
  }
}
var DEFAULT_JOB_MAX_WALL_CLOCK = "P7D";
function jobForRun(body, spec, wait, secrets = []) {
  const defaulted = {
    ...body,
    // Its tasks name the environment variables that carry secrets (AZBR_SECRET_ENV); its own common ones are listed here.
    metadata: [
      ...body.metadata ?? [],
      {
        name: REDACTION_METADATA,
        value: `by-source:${(body.commonEnvironmentSettings ?? []).filter((e) => e.value && secrets.some((s) => s && e.value.includes(s))).map((e) => e.name).join(",")}`
      }
    ]
  };
  if (spec.maxWallClock === void 0) defaulted.constraints = { ...body.constraints ?? {}, maxWallClockTime: DEFAULT_JOB_MAX_WALL_CLOCK };
  const endByDefault = spec.onAllTasksComplete === void 0 && wait;
  if (endByDefault) defaulted.onAllTasksComplete = "terminatejob";
  return { ...deferJobEnd(defaulted), endByDefault };
}
function markSecretEnv(body, secrets) {
  const names = (body.environmentSettings ?? []).filter((e) => e.value && secrets.some((s) => s && e.value.includes(s))).map((e) => e.name);
  if (names.length === 0) return body;
  return { ...body, environmentSettings: [...body.environmentSettings ?? [], { name: SECRET_ENV, value: names.join(",") }] };
}

// shared/run/plan.ts
function* translateTasks(workload) {
  for (const task of workload.tasks) yield markSecretEnv(translateTask(task, workload.facts), workload.secrets);
}
function plan(workload) {
  return [...planCalls(workload)];
}
function* planCalls(workload, options = {}) {
  const query = { "api-version": workload.apiVersion };
  for (const b of workload.blobs ?? []) {
    yield {
      method: "GET",
      path: b.container,
      query: { restype: "container", comp: "list", ...b.prefix !== void 0 ? { prefix: b.prefix } : {}, maxresults: "5000" },
      operation: "List_Blobs",
      plane: "storage",
      note: b.listed ? `${b.count} blob${b.count === 1 ? "" : "s"}${b.pattern ? ` matching ${b.pattern}` : ""}${b.limit !== void 0 ? ` (limit ${b.limit})` : ""}: ${b.count} task${b.count === 1 ? "" : "s"} of ${b.path.replace(/\.forEach\.blobs$/, "")}` : `${b.note ?? "not listed"}; ${b.path.replace(/\.forEach\.blobs$/, "")} makes one task per matching blob when the spec runs`
    };
  }
  yield workload.pool.identity ? {
    method: "PUT",
    path: armPoolPath(workload.spec.account ?? {}, workload.pool.id),
    query: { "api-version": ARM_API_VERSION },
    body: translateArmPool(workload),
    operation: "Pool_Create",
    plane: "arm"
  } : { method: "POST", path: "/pools", query, body: translatePool(workload), operation: "Pool_Add" };
  if (workload.job.schedule) {
    yield { method: "POST", path: "/jobschedules", query, body: translateJobSchedule(workload), operation: "JobSchedule_Add" };
    return;
  }
  const { body: jobBody, endWhenDone } = jobForRun(translateJob(workload), workload.job, options.wait !== false, workload.secrets);
  yield { method: "POST", path: "/jobs", query, body: jobBody, operation: "Job_Add" };
  const taskPath = `/jobs/${encodeURIComponent(workload.job.id)}/addtaskcollection`;
  const tooLarge2 = (t) => {
    throw new Error(`task too large for one request: ${t.id}`);
  };
  for (const chunk of taskChunks(translateTasks(workload), tooLarge2))
    yield { method: "POST", path: taskPath, query, body: { value: chunk.tasks }, operation: "Task_AddCollection" };
  if (endWhenDone) {
    const patch = endWhenDonePatch(workload.job.id);
    yield { method: patch.method, path: patch.path, query, body: patch.body, operation: "Job_Patch" };
  }
}

// shared/run/errors.ts
var CancelledError = class extends Error {
  name = "CancelledError";
};
var ConflictError = class extends Error {
  name = "ConflictError";
};
var QuotaReachedError = class extends Error {
  name = "QuotaReachedError";
};
var PoolNotReadyError = class extends Error {
  name = "PoolNotReadyError";
};
var TasksFailedError = class extends Error {
  constructor(message, failed = []) {
    super(message);
    this.failed = failed;
  }
  failed;
  name = "TasksFailedError";
};

// shared/run/quotaWait.ts
var WHAT = {
  ActiveJobAndScheduleQuotaReached: {
    quota: "job quota (active jobs and job schedules)",
    todo: "terminate or delete jobs that are done (a job left active holds quota), or request a quota increase"
  },
  PoolQuotaReached: { quota: "pool quota", todo: "delete pools no longer used, or request a pool quota increase" }
};
async function waitOutQuota(what, create, reporter, options = {}) {
  const started = Date.now();
  const budget = options.budgetMs ?? 30 * 6e4;
  let delay = options.firstDelayMs ?? 5e3;
  let waiting;
  for (; ; ) {
    try {
      const result = await create();
      if (waiting) reporter.info(`${waiting} is free again after ${Math.round((Date.now() - started) / 1e3)} s: ${what} done`);
      return result;
    } catch (error) {
      const known = error instanceof BatchServiceError ? WHAT[error.code ?? ""] : void 0;
      if (!known) throw error;
      const elapsed = Date.now() - started;
      if (elapsed + delay > budget) {
        throw new QuotaReachedError(
          `${what}: the account's ${known.quota} is still reached after ${Math.round(elapsed / 1e3)} s of waiting (${error.message}); ${known.todo}`
        );
      }
      if (!waiting) {
        waiting = `the account's ${known.quota}`;
        reporter.info(
          `waiting for ${known.quota}: the account has reached it; ${what} is tried again as other work ends (for up to ${Math.round(budget / 6e4)} min)`
        );
      }
      await sleep(delay, options.signal);
      delay = Math.min(options.maxDelayMs ?? 6e4, Math.round(delay * 1.5));
    }
  }
}

// shared/run/ensureJob.ts
async function ensureJob(client, job, reporter, signal, runId, quotaWait = {}) {
  try {
    await waitOutQuota(
      `creating job ${job.id}`,
      () => client.send("POST", "/jobs", { body: runId ? withRunId(job, runId) : job, idempotent: true, signal }),
      reporter,
      { signal, ...quotaWait }
    );
    reporter.info(`created job ${job.id}`);
    return { created: true };
  } catch (error) {
    if (!(error instanceof BatchServiceError && error.code === "JobExists")) throw error;
  }
  const existing = await client.json("GET", `/jobs/${encodeURIComponent(job.id)}`, {
    query: { $select: "id,state,poolInfo,executionInfo,metadata" },
    signal
  });
  if (runId && createdByRun(existing.metadata, runId)) {
    reporter.info(`created job ${job.id}`);
    return { created: true };
  }
  if (existing.poolInfo?.poolId?.toLowerCase() !== job.poolInfo.poolId.toLowerCase()) {
    throw new ConflictError(
      `job ${job.id} already exists on pool ${existing.poolInfo?.poolId ?? "(auto pool)"}, not ${job.poolInfo.poolId}; use another job id`
    );
  }
  if (existing.state === "completed" || existing.state === "terminating" || existing.state === "deleting") {
    return { created: false, ended: existing.state ?? "unknown", terminateReason: existing.executionInfo?.terminateReason };
  }
  return { created: false };
}
function jobEndedError(jobId, ended, alsoPossible, jobIdTemplate) {
  const why = ended.terminateReason ? ` (${ended.terminateReason})` : "";
  const fromVar = jobIdTemplate ? /\{\{\s*vars\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/.exec(jobIdTemplate)?.[1] : void 0;
  const instead = fromVar ? `give vars.${fromVar} another value (--var ${fromVar}=<new>, or the Action's vars input) for a new job` : `use another job id (e.g. job.id: "name-{{ vars.run }}")`;
  return new ConflictError(
    `job ${jobId} already exists and is ${ended.ended}${why}: Batch adds no tasks to a job that has ended; ${instead}${alsoPossible ? `, ${alsoPossible}` : ""} or delete the job`
  );
}
async function ensureJobSchedule(client, schedule, reporter, signal, quotaWait = {}) {
  try {
    await waitOutQuota(
      `creating job schedule ${schedule.id}`,
      () => client.send("POST", "/jobschedules", { body: schedule, idempotent: true, signal }),
      reporter,
      {
        signal,
        ...quotaWait
      }
    );
    reporter.info(`created job schedule ${schedule.id}`);
    return { created: true };
  } catch (error) {
    if (!(error instanceof BatchServiceError && error.code === "JobScheduleExists")) throw error;
    reporter.warn(`job schedule ${schedule.id} already exists; left as it is`);
    return { created: false };
  }
}

// shared/errors.ts
var UsageError = class extends Error {
  name = "UsageError";
};

// shared/run/armPool.ts
var ACCOUNT_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts\/([^/]+)$/i;
var hostOf = (endpoint) => (endpoint ?? "").toLowerCase().replace(/^https?:\/\//, "").replace(/\/$/, "");
var matchesEndpoint = (endpoint, accountUrl) => hostOf(endpoint) === accountUrl.host.toLowerCase();
async function findBatchAccount(arm, subscription, accountUrl, signal) {
  const host = accountUrl.host.toLowerCase();
  const seen = [];
  for await (const account of arm.list(
    `/subscriptions/${encodeURIComponent(subscription)}/providers/Microsoft.Batch/batchAccounts`,
    {
      query: { "api-version": ARM_API_VERSION },
      signal
    }
  )) {
    seen.push(hostOf(account.properties?.accountEndpoint));
    const m = ACCOUNT_ID.exec(account.id ?? "");
    if (matchesEndpoint(account.properties?.accountEndpoint, accountUrl) && m)
      return { subscription, resourceGroup: decodeURIComponent(m[2]), name: decodeURIComponent(m[3]) };
  }
  throw new ConflictError(
    `account.subscription: no Batch account in subscription ${subscription} has the endpoint ${host}${seen.length ? ` (it has ${seen.join(", ")})` : " (it has none the credential may see)"}; check the account URL, or give account.resourceGroup and account.name`
  );
}
async function createPoolThroughArm(arm, workload, accountUrl, reporter, signal) {
  const account = workload.spec.account ?? {};
  const coordinates = account.resourceGroup && account.name ? { subscription: account.subscription, resourceGroup: account.resourceGroup, name: account.name } : await findBatchAccount(arm, account.subscription, accountUrl, signal);
  const path = armPoolPath(coordinates, workload.pool.id);
  const response = await arm.send("PUT", path, {
    query: { "api-version": ARM_API_VERSION },
    body: translateArmPool(workload, coordinates),
    headers: { "if-none-match": "*" },
    // Create-only, so a repeat is harmless: it answers 412.
    idempotent: true,
    accept: [412],
    signal
  });
  if (response.status !== 412)
    reporter.info(
      `created pool ${workload.pool.id} through Azure Resource Manager (${coordinates.resourceGroup}/${coordinates.name}), with ${workload.pool.identity?.length ?? 0} managed identit${workload.pool.identity?.length === 1 ? "y" : "ies"}`
    );
  return path;
}
async function poolPackagesAccount(client, workload, signal) {
  if (!workload.pool.applicationPackages?.length) return void 0;
  const account = workload.spec.account ?? {};
  const subscription = account.subscription ?? client.arm?.subscription;
  const why = "pool.applicationPackages: Batch names a pool's packages by their application's resource id (/subscriptions/…/batchAccounts/…/applications/<id>)";
  if (!subscription)
    throw new UsageError(`${why}; set account.subscription (with account.resourceGroup and account.name, or they are found from the account URL)`);
  if (account.resourceGroup && account.name) return { subscription, resourceGroup: account.resourceGroup, name: account.name };
  if (!client.arm)
    throw new UsageError(
      `${why}; give account.resourceGroup and account.name, or sign in with Microsoft Entra ID so that they can be found from the account URL`
    );
  return findBatchAccount(client.arm, subscription, client.accountUrl, signal);
}

// shared/run/checkImage.ts
var DAY_MS2 = 864e5;
async function supportedImages(client, nodeAgent, signal) {
  const images = [];
  const filter = `nodeAgentSKUId eq '${nodeAgent.replace(/'/g, "''")}'`;
  for await (const image2 of client.list("/supportedimages", { query: { $filter: filter }, signal })) images.push(image2);
  return images;
}
function replacementFor(image2, nodeAgent) {
  const known = retirementsOf(image2, nodeAgent)[0];
  return known ? `; use ${known.replacement} (${known.source})` : "";
}
async function checkPoolImage(client, pool, reporter, options = {}) {
  const vmc = pool.virtualMachineConfiguration;
  if (!vmc) return;
  const now = options.now ?? Date.now();
  const agent = vmc.nodeAgentSKUId;
  const listed = await supportedImages(client, agent, options.signal);
  const ref = vmc.imageReference;
  if (ref.virtualMachineImageId) {
    if (!listed.some((i) => !pastEndOfLife(i, now))) {
      throw new UsageError(
        `pool.nodeAgentSku: the account supports no image with node agent "${agent}" (GET /supportedimages)${replacementFor({}, agent) || "; choose the node agent of a current image"}`
      );
    }
    return;
  }
  const what = describeImage(ref);
  const info = findSupportedImage(listed, ref);
  if (!info) {
    const offered = listed.slice(0, 6).map((i) => describeImage(i.imageReference));
    throw new UsageError(
      `pool.image: ${what} is not among the images the account supports with node agent "${agent}" (GET /supportedimages)` + (offered.length ? `; with that node agent it lists ${offered.join(", ")}${listed.length > offered.length ? ", ..." : ""}` : "; it lists no image with that node agent") + replacementFor(ref, agent)
    );
  }
  if (pastEndOfLife(info, now)) {
    throw new UsageError(
      `pool.image: ${what} reached the end of its Azure Batch support on ${info.batchSupportEndOfLife.slice(0, 10)} (batchSupportEndOfLife): no new pool can use it${replacementFor(ref, agent)}`
    );
  }
  const container = vmc.containerConfiguration;
  if (container?.type === "dockerCompatible" && !(info.capabilities ?? []).includes("DockerCompatible")) {
    throw new UsageError(
      `pool.container: ${what} does not list the DockerCompatible capability (GET /supportedimages), so its nodes have no container runtime Batch can use; use microsoft-dsvm / ubuntu-hpc / 2404 (batch.node.ubuntu 24.04) for container pools`
    );
  }
  if (info.verificationType === "unverified") {
    reporter.warn(`pool.image: ${what} is unverified with node agent "${agent}": Batch expects it to work but has not verified every feature`);
  }
  if (info.batchSupportEndOfLife) {
    const daysLeft = Math.ceil((Date.parse(info.batchSupportEndOfLife) - now) / DAY_MS2);
    if (daysLeft <= RETIREMENT_WARNING_DAYS) {
      reporter.warn(
        `pool.image: ${what} reaches the end of its Azure Batch support on ${info.batchSupportEndOfLife.slice(0, 10)} (in ${daysLeft} day${daysLeft === 1 ? "" : "s"})${replacementFor(ref, agent).replace(/^; use/, "; move to")}`
      );
    }
  }
}

// shared/run/ensurePool.ts
var POOL_SELECT = "id,state,allocationState,vmSize,virtualMachineConfiguration,taskSlotsPerNode,targetDedicatedNodes,targetLowPriorityNodes,enableAutoScale,autoScaleFormula,startTask,resizeErrors,identity,metadata";
function diffPool(wanted, existing, identities) {
  const diffs = [];
  const cmp = (field, want, have) => {
    const a = JSON.stringify(want ?? null);
    const b = JSON.stringify(have ?? null);
    if (a !== b) diffs.push(`${field}: wanted ${a}, found ${b}`);
  };
  const lower = (s) => s?.toLowerCase();
  cmp("vmSize", lower(wanted.vmSize), lower(existing.vmSize));
  const wi = wanted.virtualMachineConfiguration?.imageReference ?? {};
  const hi = existing.virtualMachineConfiguration?.imageReference ?? {};
  for (const k of ["publisher", "offer", "sku", "virtualMachineImageId"]) cmp(`image.${k}`, lower(wi[k]), lower(hi[k]));
  cmp("nodeAgentSKUId", lower(wanted.virtualMachineConfiguration?.nodeAgentSKUId), lower(existing.virtualMachineConfiguration?.nodeAgentSKUId));
  const wc = wanted.virtualMachineConfiguration?.containerConfiguration;
  const hc = existing.virtualMachineConfiguration?.containerConfiguration;
  cmp("containerConfiguration.type", lower(wc?.type), lower(hc?.type));
  cmp("containerConfiguration.containerImageNames", [...wc?.containerImageNames ?? []].sort(), [...hc?.containerImageNames ?? []].sort());
  const registries = (list) => (list ?? []).map((r) => `${lower(r.registryServer) ?? ""}|${r.username ?? ""}|${lower(r.identityReference?.resourceId) ?? ""}`).sort();
  cmp("containerConfiguration.containerRegistries", registries(wc?.containerRegistries), registries(hc?.containerRegistries));
  cmp("taskSlotsPerNode", wanted.taskSlotsPerNode ?? 1, existing.taskSlotsPerNode ?? 1);
  cmp("startTask.commandLine", wanted.startTask?.commandLine, existing.startTask?.commandLine);
  const packages = (list) => (list ?? []).map((r) => `${r.applicationId.toLowerCase()}${r.version ? `@${r.version}` : ""}`).sort();
  cmp("applicationPackageReferences", packages(wanted.applicationPackageReferences), packages(existing.applicationPackageReferences));
  if (identities) {
    cmp(
      "identity",
      identities.map((i) => i.toLowerCase()).sort(),
      (existing.identity?.userAssignedIdentities ?? []).map((i) => i.resourceId?.toLowerCase() ?? "").sort()
    );
  }
  return diffs;
}
var ARM_PROPAGATION_MS = 12e4;
async function ensurePoolExists(client, wanted, reuse, reporter, signal, needs = {}, checks = {}) {
  const path = `/pools/${encodeURIComponent(wanted.id)}`;
  const get = () => client.send("GET", path, { query: { $select: POOL_SELECT }, accept: [404], signal });
  let response = await get();
  let created = false;
  if (response.status === 404 && checks.beforeCreate) await checks.beforeCreate();
  else if (response.status === 404 && checks.image !== false) await checkPoolImage(client, wanted, reporter, { signal, now: checks.now });
  if (response.status === 404 && needs.identities) {
    if (!needs.createThroughArm) {
      throw new ConflictError(
        `pool ${wanted.id} does not exist, and a pool with pool.identity can be created only through Azure Resource Manager, which needs a Microsoft Entra ID credential`
      );
    }
    await needs.createThroughArm();
    checks.onCreated?.();
    const deadline = Date.now() + ARM_PROPAGATION_MS;
    for (response = await get(); response.status === 404; response = await get()) {
      if (Date.now() > deadline)
        throw new ConflictError(
          `pool ${wanted.id} was created through Azure Resource Manager but has not appeared on the account after ${ARM_PROPAGATION_MS / 1e3} s`
        );
      await sleep(1e3, signal);
    }
    return { created: true, pool: parseJson(response, "GET") };
  }
  if (response.status === 404) {
    try {
      await waitOutQuota(
        `creating pool ${wanted.id}`,
        () => client.send("POST", "/pools", { body: checks.runId ? withRunId(wanted, checks.runId) : wanted, idempotent: true, signal }),
        reporter,
        { signal, ...checks.quotaWait }
      );
      created = true;
      checks.onCreated?.();
      reporter.info(`created pool ${wanted.id} (${wanted.vmSize})`);
    } catch (error) {
      if (!(error instanceof BatchServiceError && error.code === "PoolExists")) throw error;
    }
    response = await get();
    if (response.status === 404) throw new ConflictError(`pool ${wanted.id} vanished right after it was created`);
  }
  const pool = parseJson(response, "GET");
  if (!created && checks.runId && createdByRun(pool.metadata, checks.runId)) {
    created = true;
    checks.onCreated?.();
    reporter.info(`created pool ${wanted.id} (${wanted.vmSize})`);
  }
  if (!created) {
    if (!reuse) throw new ConflictError(`pool ${wanted.id} already exists and pool.reuse is false; choose another pool.id or set reuse: true`);
    if (pool.state === "deleting") throw new ConflictError(`pool ${wanted.id} is being deleted; wait for it to go, or choose another pool.id`);
    const diffs = diffPool(wanted, pool, needs.identities);
    if (diffs.length > 0) {
      throw new ConflictError(
        `pool ${wanted.id} exists but differs from the spec:
  ${diffs.join("\n  ")}
change the spec to match, choose another pool.id, or delete the pool`
      );
    }
    reporter.info(`reusing pool ${wanted.id}`);
  }
  return { created, pool };
}
async function nodeFileTail(client, poolId, nodeId, file, signal, bytes2 = 2048) {
  const path = `/pools/${encodeURIComponent(poolId)}/nodes/${encodeURIComponent(nodeId)}/files/${encodeURIComponent(file)}`;
  try {
    const head = await client.send("HEAD", path, { accept: [404], signal });
    const size2 = Number(head.headers["content-length"] ?? 0);
    if (head.status === 404 || !(size2 > 0)) return void 0;
    const from = Math.max(0, size2 - bytes2);
    const got = await client.send("GET", path, {
      headers: { "ocp-range": `bytes=${from}-${size2 - 1}`, accept: "application/octet-stream" },
      accept: [404],
      signal
    });
    return got.status === 404 ? void 0 : got.bodyText.trim().split("\n").slice(-5).join("\n");
  } catch {
    return void 0;
  }
}
async function describeBrokenNode(client, poolId, n, signal) {
  const errors = n.errors?.length ? ` (${n.errors.map((e) => `${e.code}: ${e.message}`).join("; ")})` : "";
  if (n.state !== "starttaskfailed") return `${n.id}: ${n.state}${errors}`;
  const st = n.startTaskInfo;
  const tail = await nodeFileTail(client, poolId, n.id, "startup/stderr.txt", signal);
  return `${n.id}: start task failed (exit code ${st?.exitCode ?? "?"}${st?.failureInfo ? `, ${st.failureInfo.code}: ${st.failureInfo.message}` : ""})` + (tail ? `; its stderr ends: ${tail.replace(/\s*\n\s*/g, " | ")}` : "");
}
var BROKEN = ["starttaskfailed", "unusable", "unknown"];
async function waitForPoolReady(client, initial, reporter, options) {
  const path = `/pools/${encodeURIComponent(initial.id)}`;
  const interval = options.pollIntervalMs ?? 5e3;
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 6e4);
  const told = /* @__PURE__ */ new Map();
  const tell = (key, reason) => {
    if (told.has(key)) return;
    told.set(key, reason);
    reporter.warn(`pool ${initial.id}: ${reason}`);
  };
  let pool = initial;
  let announced = false;
  for (; ; ) {
    for (const e of pool.resizeErrors ?? []) {
      const values = e.values?.length ? ` (${e.values.map((v) => `${v.name} ${v.value}`).join(", ")})` : "";
      tell(`resize ${e.code} ${e.message}`, `resize error ${e.code}: ${e.message}${values}`);
    }
    if (pool.allocationState === "steady") {
      const target = (pool.targetDedicatedNodes ?? 0) + (pool.targetLowPriorityNodes ?? 0);
      if (target === 0 && !pool.enableAutoScale) {
        throw new PoolNotReadyError(`pool ${pool.id} is steady with 0 target nodes; tasks would never run. Set pool.nodes or resize the pool`);
      }
      const nodes = [];
      for await (const n of client.list(`${path}/nodes`, { query: { $select: "id,state,startTaskInfo,errors" }, signal: options.signal }))
        nodes.push(n);
      if (nodes.some((n) => n.state === "idle" || n.state === "running")) return pool;
      if (target === 0 && pool.enableAutoScale) {
        reporter.warn(`pool ${pool.id} autoscales and has no nodes now; tasks wait until the formula adds some`);
        return pool;
      }
      const broken = nodes.filter((n) => BROKEN.includes(n.state ?? ""));
      for (const n of broken)
        if (!told.has(`node ${n.id} ${n.state}`)) tell(`node ${n.id} ${n.state}`, await describeBrokenNode(client, pool.id, n, options.signal));
      const noNodeWillCome = nodes.length === 0 && (pool.resizeErrors?.length ?? 0) > 0;
      if (noNodeWillCome || nodes.length > 0 && broken.length === nodes.length) {
        const reasons = [...told.values()].slice(0, 6).join("; ");
        throw new PoolNotReadyError(
          noNodeWillCome ? `pool ${pool.id} could not allocate nodes: ${reasons}` : `no node of pool ${pool.id} can run tasks: ${reasons}`
        );
      }
    }
    if (!announced) {
      reporter.info(`waiting for pool ${pool.id} nodes (allocation ${pool.allocationState ?? "unknown"})`);
      announced = true;
    }
    if (Date.now() > deadline) {
      const reasons = told.size ? `: ${[...told.values()].slice(0, 6).join("; ")}` : "";
      throw new PoolNotReadyError(`pool ${pool.id} has no usable node after ${Math.round((options.timeoutMs ?? 18e5) / 6e4)} minutes${reasons}`);
    }
    await sleep(interval, options.signal);
    pool = await client.json("GET", path, { query: { $select: POOL_SELECT }, signal: options.signal });
  }
}

// shared/batch/types.ts
function isTaskCounts(value) {
  const v = value;
  return v !== void 0 && v !== null && ["active", "running", "completed", "succeeded", "failed"].every((k) => Number.isInteger(v[k]));
}

// shared/run/jobControl.ts
async function getJobStatus(client, jobId, options = {}) {
  const path = `/jobs/${encodeURIComponent(jobId)}`;
  const [job, { taskCounts }] = await Promise.all([
    client.json("GET", path, { query: { $select: "id,state,poolInfo,executionInfo" }, signal: options.signal }),
    client.json("GET", `${path}/taskcounts`, { signal: options.signal })
  ]);
  if (!isTaskCounts(taskCounts)) throw new UnexpectedResponseError("GET", `${path}/taskcounts`, 200, "without the five task counts");
  return {
    jobId: job.id,
    state: job.state ?? "unknown",
    poolId: job.poolInfo?.poolId,
    counts: taskCounts,
    terminateReason: job.executionInfo?.terminateReason
  };
}
async function terminateJob(client, jobId, options = {}) {
  const response = await client.send("POST", `/jobs/${encodeURIComponent(jobId)}/terminate`, {
    body: { terminateReason: options.reason ?? "Terminated by azure-batch-run" },
    idempotent: true,
    signal: options.signal,
    accept: [404, 409]
  });
  if (response.status === 404) return "notFound";
  return response.status === 409 ? "alreadyEnded" : "terminated";
}
async function jobsUsingPool(client, poolId, exceptJobId, signal) {
  const busy = [];
  const except = exceptJobId?.toLowerCase();
  for await (const job of client.list("/jobs", { query: { $filter: "state eq 'active'", $select: "id,poolInfo" }, signal })) {
    if (job.poolInfo?.poolId?.toLowerCase() !== poolId.toLowerCase() || job.id.toLowerCase() === except) continue;
    const { taskCounts } = await client.json("GET", `/jobs/${encodeURIComponent(job.id)}/taskcounts`, { signal });
    if (!isTaskCounts(taskCounts) || taskCounts.active + taskCounts.running > 0) busy.push(job.id);
  }
  return busy;
}
var CLEANUP_TIMEOUT_MS = 6e4;
async function cleanup(client, target, reporter, options = {}) {
  const timeout = AbortSignal.timeout(CLEANUP_TIMEOUT_MS);
  const signal = options.signal && !options.signal.aborted ? AbortSignal.any([options.signal, timeout]) : timeout;
  const result = { deleted: [], failed: [], kept: [] };
  const remove = async (kind, id) => {
    try {
      const response = await client.send("DELETE", `/${kind}s/${encodeURIComponent(id)}`, { accept: [404], signal });
      if (response.status === 404) reporter.info(`${kind} ${id} was already gone`);
      else reporter.info(`deleted ${kind} ${id}`);
      result.deleted.push(`${kind} ${id}`);
    } catch (error) {
      const why = error instanceof BatchServiceError ? error.message : error?.message ?? String(error);
      reporter.warn(`could not delete ${kind} ${id}: ${client.redactor.text(why)}`);
      result.failed.push(`${kind} ${id}`);
    }
  };
  if (target.jobId) await remove("job", target.jobId);
  if (target.poolId) {
    try {
      const busy = await jobsUsingPool(client, target.poolId, target.jobId, signal);
      if (busy.length > 0) {
        reporter.warn(
          `pool ${target.poolId} left in place: job${busy.length === 1 ? "" : "s"} ${busy.slice(0, 5).join(", ")}${busy.length > 5 ? ` and ${busy.length - 5} more` : ""} still ha${busy.length === 1 ? "s" : "ve"} tasks on it; delete it when ${busy.length === 1 ? "that job ends" : "they end"}`
        );
        result.kept.push(`pool ${target.poolId}`);
        return result;
      }
    } catch (error) {
      reporter.warn(
        `pool ${target.poolId} left in place: could not tell whether other jobs use it: ${client.redactor.text(error?.message ?? String(error))}`
      );
      result.kept.push(`pool ${target.poolId}`);
      return result;
    }
  }
  if (target.poolId && target.poolArmPath) {
    try {
      if (!client.arm) throw new Error("no Azure Resource Manager credential on this client");
      await client.arm.send("DELETE", target.poolArmPath, { query: { "api-version": ARM_API_VERSION }, accept: [404], signal });
      reporter.info(`deleted pool ${target.poolId} through Azure Resource Manager`);
      result.deleted.push(`pool ${target.poolId}`);
    } catch (error) {
      reporter.warn(
        `could not delete pool ${target.poolId} through Azure Resource Manager: ${client.redactor.text(error?.message ?? String(error))}`
      );
      result.failed.push(`pool ${target.poolId}`);
    }
  } else if (target.poolId) await remove("pool", target.poolId);
  return result;
}

// shared/run/reporter.ts
var silentReporter = { info() {
}, warn() {
}, progress() {
}, taskCompleted() {
} };
var REASONS = {
  "HTTP 429": "throttled",
  "HTTP 503": "service busy",
  "HTTP 500": "server error",
  "HTTP 502": "bad gateway",
  "HTTP 504": "gateway timeout",
  "HTTP 408": "request timeout"
};
function describeRetry(info) {
  const reason = REASONS[info.reason] ? `${REASONS[info.reason]} (${info.reason})` : `connection failed (${info.reason})`;
  const seconds = info.delayMs >= 1e4 ? Math.round(info.delayMs / 1e3) : Math.round(info.delayMs / 100) / 10;
  const count = info.throttled ? `throttled ${info.attempt}x, waiting up to ${Math.round(info.throttleBudgetMs / 1e3)} s in all` : `${info.attempt}/${info.maxRetries}`;
  return `${reason}: retrying ${info.method} ${info.path} in ${seconds} s (${count})`;
}
function reportRetries(reporter) {
  return (info) => {
    const message = describeRetry(info);
    if (reporter.retrying) reporter.retrying(message, info);
    else reporter.info(message);
  };
}

// shared/run/preflight.ts
var plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
async function accountFacts(client, workload, options) {
  const arm = client.arm;
  if (!arm) return { missing: "quotas and VM sizes need Microsoft Entra ID (Azure Resource Manager); this client has a Shared Key only" };
  const subscription = options.subscription ?? workload.spec.account?.subscription;
  if (!subscription) return { missing: "quotas and VM sizes need the account's subscription: set account.subscription in the spec" };
  let account;
  for await (const a of arm.list(`/subscriptions/${encodeURIComponent(subscription)}/providers/Microsoft.Batch/batchAccounts`, {
    query: { "api-version": ARM_API_VERSION },
    signal: options.signal
  })) {
    if (ACCOUNT_ID.test(a.id ?? "") && matchesEndpoint(a.properties?.accountEndpoint, client.accountUrl)) {
      account = a;
      break;
    }
  }
  if (!account?.location) return { missing: `no Batch account in subscription ${subscription} has the endpoint ${client.accountUrl.host}` };
  const skus = /* @__PURE__ */ new Map();
  for await (const s of arm.list(
    `/subscriptions/${encodeURIComponent(subscription)}/providers/Microsoft.Batch/locations/${encodeURIComponent(account.location)}/virtualMachineSkus`,
    { query: { "api-version": ARM_API_VERSION }, signal: options.signal }
  )) {
    const vCPUs = Number(s.capabilities?.find((c) => c.name === "vCPUs")?.value);
    if (s.name && s.familyName && vCPUs > 0) skus.set(s.name.toLowerCase(), { name: s.name, family: s.familyName, vCPUs });
  }
  return { account, skus };
}
var held = (p) => ({
  dedicated: Math.max(p.currentDedicatedNodes ?? 0, p.targetDedicatedNodes ?? 0),
  spot: Math.max(p.currentLowPriorityNodes ?? 0, p.targetLowPriorityNodes ?? 0)
});
function quotaCheck(name, what, need, used, quota, todo) {
  if (quota === void 0) return { name, fits: void 0, text: `${what}: need ${need}, ${used} in use; the quota could not be read` };
  const free = Math.max(0, quota - used);
  if (need <= free) return { name, fits: true, text: `${what}: need ${need}, ${used} in use of ${quota}` };
  return { name, fits: false, text: `${what}: need ${need}, ${used} in use of ${quota}: short by ${need - free}; ${todo}` };
}
async function preflight(client, workload, options = {}) {
  const { signal } = options;
  const wanted = translatePool(workload);
  const nodes = { dedicated: wanted.targetDedicatedNodes ?? 0, spot: wanted.targetLowPriorityNodes ?? 0 };
  const facts = await accountFacts(client, workload, options);
  const pools = [];
  for await (const p of client.list("/pools", {
    query: { $select: "id,vmSize,currentDedicatedNodes,currentLowPriorityNodes,targetDedicatedNodes,targetLowPriorityNodes" },
    signal
  }))
    pools.push(p);
  const existing = pools.find((p) => p.id.toLowerCase() === wanted.id.toLowerCase());
  const others = pools.filter((p) => p !== existing);
  const checks = [];
  const sku = facts.skus?.get(wanted.vmSize.toLowerCase());
  const summary = `pool ${wanted.id}: ${plural(nodes.dedicated, "dedicated node")} and ${plural(nodes.spot, "Spot node")} of ${wanted.vmSize}` + (sku ? ` (${sku.family}, ${plural(sku.vCPUs, "vCPU")} each)` : "") + (existing ? `; the pool exists and is reused: it needs no new cores or pool` : "");
  const region = facts.account?.location;
  const warnings = [];
  if (facts.skus && !sku) {
    const sizes = [...facts.skus.values()].map((s) => s.name).slice(0, 8);
    checks.push({
      name: "vmSize",
      fits: false,
      text: `VM size ${wanted.vmSize}: not offered by Batch in ${region}; use one it offers (${sizes.join(", ")}${facts.skus.size > sizes.length ? ", ..." : ""})`
    });
  } else if (sku) checks.push({ name: "vmSize", fits: true, text: `VM size ${sku.name}: offered in ${region}` });
  const props = facts.account?.properties;
  if (sku && props && !existing) {
    const cores = (p, kind, family) => {
      const s = facts.skus.get((p.vmSize ?? "").toLowerCase());
      return s && (!family || s.family === family) ? held(p)[kind] * s.vCPUs : 0;
    };
    const familyUsed = others.reduce((n, p) => n + cores(p, "dedicated", sku.family), 0);
    const dedicatedUsed = others.reduce((n, p) => n + cores(p, "dedicated"), 0);
    const spotUsed = others.reduce((n, p) => n + cores(p, "spot"), 0);
    const need = nodes.dedicated * sku.vCPUs;
    if (nodes.dedicated > 0 && props.dedicatedCoreQuotaPerVMFamilyEnforced !== false) {
      const quota = props.dedicatedCoreQuotaPerVMFamily?.find((f) => f.name?.toLowerCase() === sku.family.toLowerCase())?.coreQuota ?? 0;
      checks.push(
        quotaCheck(
          "familyCores",
          `dedicated cores of ${sku.family}`,
          need,
          familyUsed,
          quota,
          `request a quota increase for ${sku.family} on the account, or use a VM size of a family with room`
        )
      );
    }
    if (nodes.dedicated > 0)
      checks.push(
        quotaCheck(
          "dedicatedCores",
          "dedicated cores of the account",
          need,
          dedicatedUsed,
          props.dedicatedCoreQuota ?? void 0,
          "request a dedicated core quota increase for the account, or ask for fewer nodes"
        )
      );
    if (nodes.spot > 0)
      checks.push(
        quotaCheck(
          "spotCores",
          "Spot cores of the account",
          nodes.spot * sku.vCPUs,
          spotUsed,
          props.lowPriorityCoreQuota ?? void 0,
          "request a Spot (low-priority) core quota increase for the account, or use dedicated nodes"
        )
      );
  }
  if (!existing) {
    checks.push(
      props ? quotaCheck("pools", "pools", 1, pools.length, props.poolQuota, "delete pools no longer used, or request a pool quota increase") : { name: "pools", fits: void 0, text: `pools: need 1, ${pools.length} in the account; the pool quota could not be read` }
    );
  }
  const jobExists = await client.send("GET", `/jobs/${encodeURIComponent(workload.job.id)}`, { query: { $select: "id,state" }, accept: [404], signal });
  if (jobExists.status === 404 || workload.job.schedule) {
    let active = 0;
    for await (const _ of client.list("/jobs", {
      query: { $filter: "state eq 'active' or state eq 'disabled' or state eq 'terminating'", $select: "id" },
      signal
    }))
      active++;
    for await (const _ of client.list("/jobschedules", { query: { $filter: "state eq 'active' or state eq 'disabled'", $select: "id" }, signal })) active++;
    checks.push(
      props ? quotaCheck(
        "activeJobs",
        "active jobs and job schedules",
        1,
        active,
        props.activeJobAndJobScheduleQuota,
        "terminate or delete jobs that are done (a job left active holds quota), or request an increase"
      ) : { name: "activeJobs", fits: void 0, text: `active jobs and job schedules: need 1, ${active} in the account; the quota could not be read` }
    );
  }
  if (!existing && wanted.virtualMachineConfiguration) {
    const vmc = wanted.virtualMachineConfiguration;
    const what = `image ${vmc.imageReference.virtualMachineImageId ?? describeImage(vmc.imageReference)} with node agent ${vmc.nodeAgentSKUId}`;
    const reporter = { ...silentReporter, warn: (m) => warnings.push(m) };
    try {
      await checkPoolImage(client, wanted, reporter, { signal, now: options.now });
      checks.push({ name: "image", fits: true, text: `${what}: supported${warnings.length ? ` (${warnings.join("; ")})` : ""}` });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      checks.push({ name: "image", fits: false, text: `${what}: ${error.message.replace(/^pool\.\w+: /, "")}` });
    }
  }
  const lines = checks.map((c) => `${c.fits === true ? "ok" : c.fits === false ? "SHORT" : "not checked"}: ${c.text}`);
  if (facts.missing) lines.push(`not checked: ${facts.missing}`);
  return { summary, checks, fits: !checks.some((c) => c.fits === false), lines, warnings };
}
async function assertFits(client, workload, reporter, options = {}) {
  const report = await preflight(client, workload, options);
  for (const line of report.lines.filter((l) => l.startsWith("not checked"))) reporter.info(`preflight: ${line}`);
  for (const warning of report.warnings) reporter.warn(warning);
  if (!report.fits) {
    const short = report.lines.filter((l) => l.startsWith("SHORT"));
    throw new UsageError(`the spec does not fit the account (preflight; skip it with preflight: false):
  ${short.join("\n  ")}`);
  }
  return report;
}

// shared/run/taskLogs.ts
async function listTaskFiles(client, jobId, taskId, options = {}) {
  const path = `/jobs/${encodeURIComponent(jobId)}/tasks/${encodeURIComponent(taskId)}/files`;
  const files = [];
  for await (const f of client.list(path, { query: { recursive: options.recursive ? "true" : void 0 }, signal: options.signal })) {
    if (typeof f.name !== "string") continue;
    const contentLength = readInt64(f.properties?.contentLength);
    files.push({
      name: f.name,
      isDirectory: f.isDirectory === true,
      ...contentLength !== void 0 ? { contentLength } : {},
      ...f.properties?.lastModified ? { lastModified: f.properties.lastModified } : {}
    });
  }
  return files;
}
async function readTaskFileTail(client, jobId, taskId, file, maxBytes = 4096, signal) {
  const path = `/jobs/${encodeURIComponent(jobId)}/tasks/${encodeURIComponent(taskId)}/files/${file.split("/").map(encodeURIComponent).join("/")}`;
  const head = await client.send("HEAD", path, { accept: [404], signal });
  if (head.status === 404) return void 0;
  const length = Number(head.headers["content-length"] ?? "0");
  if (length === 0) return "";
  const start = Math.max(0, length - maxBytes);
  const response = await client.send("GET", path, {
    headers: { "ocp-range": `bytes=${start}-${length - 1}`, accept: "application/octet-stream" },
    accept: [404],
    signal
  });
  if (response.status === 404) return void 0;
  let text = response.bodyText;
  if (start > 0) text = text.slice(text.indexOf("\n") + 1);
  return text;
}
function lastLines(text, lines = 20) {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
async function taskOutputRedactor(client, jobId, taskId, options = {}) {
  const jobPath = `/jobs/${encodeURIComponent(jobId)}`;
  const [task, job] = await Promise.all([
    client.json("GET", `${jobPath}/tasks/${encodeURIComponent(taskId)}`, {
      query: { $select: "id,environmentSettings,resourceFiles,outputFiles" },
      signal: options.signal
    }),
    client.json("GET", jobPath, {
      query: { $select: "id,commonEnvironmentSettings,metadata" },
      signal: options.signal
    })
  ]);
  const secret = isSecretEnv(task, job);
  const urls = [
    ...(task.resourceFiles ?? []).flatMap((r) => [r.httpUrl, r.storageContainerUrl]),
    ...(task.outputFiles ?? []).map((o) => o.destination?.container?.containerUrl)
  ];
  const queries = urls.flatMap((u) => u && u.includes("?") ? [u.slice(u.indexOf("?") + 1)] : []);
  const values = [...task.environmentSettings ?? [], ...job.commonEnvironmentSettings ?? []].filter(secret).map((e) => e.value);
  return (options.base ?? client.redactor).with([...values, ...queries]);
}
async function readTaskOutput(client, jobId, taskId, file, options = {}) {
  const [redactor, text] = await Promise.all([
    taskOutputRedactor(client, jobId, taskId, { signal: options.signal }),
    readTaskFileTail(client, jobId, taskId, file, options.maxBytes ?? 1024 * 1024, options.signal)
  ]);
  if (text === void 0) return void 0;
  return redactor.text(text);
}

// shared/run/waitForTasks.ts
async function findBlocked(client, jobPath, outcomes, signal) {
  const active = [];
  for await (const t of client.list(`${jobPath}/tasks`, {
    query: { $filter: "state eq 'active'", $select: "id,dependsOn" },
    signal
  }))
    active.push(t);
  const failed = new Set([...outcomes.values()].filter((o) => o.result === "failure").map((o) => o.id.toLowerCase()));
  const parents = (t) => [
    ...t.dependsOn?.taskIds ?? [],
    ...(t.dependsOn?.taskIdRanges ?? []).flatMap((r) => Array.from({ length: r.end - r.start + 1 }, (_, i) => String(r.start + i)))
  ].map((id) => id.toLowerCase());
  const blocked = /* @__PURE__ */ new Set();
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of active) {
      const id = t.id.toLowerCase();
      if (!blocked.has(id) && parents(t).some((p) => failed.has(p) || blocked.has(p))) {
        blocked.add(id);
        changed = true;
      }
    }
  }
  return { blocked: active.filter((t) => blocked.has(t.id.toLowerCase())).map((t) => t.id), active: active.length };
}
var COMPLETED_SELECT = "id,stateTransitionTime,executionInfo,nodeInfo";
function outcomeOf(task) {
  const info = task.executionInfo;
  const start = info?.startTime ? Date.parse(info.startTime) : void 0;
  const end = info?.endTime ? Date.parse(info.endTime) : void 0;
  return {
    id: task.id,
    result: info?.result === "success" ? "success" : "failure",
    exitCode: info?.exitCode,
    retryCount: info?.retryCount ?? 0,
    ...info?.requeueCount ? { requeueCount: info.requeueCount } : {},
    nodeId: task.nodeInfo?.nodeId,
    durationMs: start !== void 0 && end !== void 0 ? end - start : void 0,
    failure: info?.failureInfo ? { category: info.failureInfo.category, code: info.failureInfo.code, message: info.failureInfo.message } : void 0
  };
}
async function waitForTasks(client, jobId, taskIds, reporter, options) {
  const jobPath = `/jobs/${encodeURIComponent(jobId)}`;
  const total = taskIds.size;
  const seen = /* @__PURE__ */ new Map();
  const completedInJob = /* @__PURE__ */ new Set();
  let watermark;
  let pollsSinceEverything = 0;
  let everythingGap = 1;
  let interval = options.pollIntervalMs ?? 2e3;
  const maxInterval = options.maxPollIntervalMs ?? 15e3;
  let counts = { active: total, running: 0, completed: 0, succeeded: 0, failed: 0 };
  let logTails = 0;
  const stats = options.stats;
  const preempted = /* @__PURE__ */ new Set();
  let previous;
  const lookForPreemptions = async () => {
    if (!options.poolId) return;
    for await (const n of client.list(`/pools/${encodeURIComponent(options.poolId)}/nodes`, {
      query: { $filter: "state eq 'preempted'", $select: "id,state" },
      signal: options.signal
    })) {
      if (preempted.has(n.id)) continue;
      preempted.add(n.id);
      reporter.warn(`node ${n.id} of pool ${options.poolId} was preempted (Spot): its running tasks went back to the queue and run again; not a failure`);
    }
  };
  const done = (extra = {}) => ({
    outcomes: [...seen.values()],
    counts,
    requeues: [...seen.values()].reduce((n, o) => n + (o.requeueCount ?? 0), 0),
    preemptedNodes: [...preempted],
    ...extra
  });
  const listCompleted = async (since) => {
    let found = 0;
    let latest;
    const filter = `state eq 'completed'${since !== void 0 ? ` and stateTransitionTime ge datetime'${new Date(since).toISOString()}'` : ""}`;
    for await (const task of client.list(`${jobPath}/tasks`, {
      query: { $filter: filter, $select: COMPLETED_SELECT },
      signal: options.signal,
      onPage: () => stats && stats.requests++
    })) {
      if (stats) stats.rowsListed++;
      const at = task.stateTransitionTime ? Date.parse(task.stateTransitionTime) : void 0;
      if (at !== void 0 && (latest === void 0 || at > latest)) latest = at;
      completedInJob.add(task.id.toLowerCase());
      if (seen.has(task.id) || !taskIds.has(task.id)) continue;
      const outcome = outcomeOf(task);
      if (outcome.result === "failure" && logTails < (options.maxLogTails ?? 20)) {
        logTails++;
        const [stderr, stdout, redactor] = await Promise.all([
          readTaskFileTail(client, jobId, task.id, "stderr.txt", 4096, options.signal).catch(() => void 0),
          readTaskFileTail(client, jobId, task.id, "stdout.txt", 4096, options.signal).catch(() => void 0),
          // The same redactor `logs` uses, on top of the run's own secrets; the run's alone if the task cannot be read.
          taskOutputRedactor(client, jobId, task.id, { base: options.redactor, signal: options.signal }).catch(() => options.redactor)
        ]);
        if (stderr) outcome.stderrTail = redactor.text(lastLines(stderr));
        if (stdout) outcome.stdoutTail = redactor.text(lastLines(stdout));
      }
      if (outcome.failure?.message) outcome.failure.message = options.redactor.text(outcome.failure.message);
      seen.set(task.id, outcome);
      found++;
      reporter.taskCompleted(outcome);
    }
    return { found, latest };
  };
  for (; ; ) {
    const before = stats?.requests ?? 0;
    if (stats) {
      stats.polls++;
      stats.requests++;
    }
    const result = await client.json("GET", `${jobPath}/taskcounts`, { signal: options.signal });
    if (!isTaskCounts(result.taskCounts)) throw new UnexpectedResponseError("GET", `${jobPath}/taskcounts`, 200, "without the five task counts");
    counts = result.taskCounts;
    reporter.progress(counts, total);
    const requeued = previous !== void 0 && (counts.active > previous.active || counts.running < previous.running && counts.completed === previous.completed);
    previous = counts;
    if (requeued) await lookForPreemptions();
    let found = 0;
    const settled = counts.active + counts.running === 0;
    if (counts.completed > completedInJob.size || settled && seen.size < total) {
      const listed = await listCompleted(watermark);
      found = listed.found;
      if (listed.latest !== void 0 && completedInJob.size >= counts.completed && (watermark === void 0 || listed.latest > watermark))
        watermark = listed.latest;
    }
    pollsSinceEverything++;
    if (settled && seen.size < total && pollsSinceEverything >= everythingGap) {
      const listed = await listCompleted(void 0);
      found += listed.found;
      pollsSinceEverything = 0;
      everythingGap = listed.found > 0 ? 1 : Math.min(64, everythingGap * 2);
    }
    stats?.cycles.push({ requests: (stats?.requests ?? 0) - before, newCompletions: found });
    if (seen.size >= total) return done();
    if (found === 0 && counts.running === 0 && counts.active > 0 && [...seen.values()].some((o) => o.result === "failure")) {
      const { blocked, active } = await findBlocked(client, jobPath, seen, options.signal);
      if (active > 0 && blocked.length === active) {
        for (const id of blocked) reporter.warn(`task ${id} can never start: a task it depends on failed`);
        return done({ blocked });
      }
    }
    if (found === 0 && counts.active + counts.running === 0) {
      const job = await client.json("GET", jobPath, { query: { $select: "id,state,executionInfo" }, signal: options.signal });
      if (job.state === "completed" || job.state === "terminating" || job.state === "deleting") {
        const reason = job.executionInfo?.terminateReason ?? job.state;
        return done({ jobEnded: reason });
      }
    }
    interval = found > 0 ? options.pollIntervalMs ?? 2e3 : Math.min(maxInterval, Math.round(interval * 1.5));
    await sleep(interval, options.signal);
  }
}

// shared/run/run.ts
function runRedactor(client, workload) {
  return client.redactor.with(workload.secrets);
}
function poolNeeds(client, workload, reporter, signal, onArmCreate) {
  const identities = workload.pool.identity;
  if (!identities) return {};
  const arm = client.arm;
  if (!arm) {
    throw new UsageError(
      "pool.identity: a pool with a managed identity is created and managed through Azure Resource Manager, which takes Microsoft Entra ID tokens, not the account's Shared Key; sign in with Entra ID (unset AZURE_BATCH_ACCESS_KEY; a service principal, workload identity, managed identity or az login)"
    );
  }
  const view = arm.withHooks({ onRetry: reportRetries(reporter) });
  return {
    identities,
    createThroughArm: async () => {
      const path = await createPoolThroughArm(view, workload, client.accountUrl, reporter, signal);
      onArmCreate?.(path);
    }
  };
}
async function allTasksThere(client, jobId, workload, signal) {
  const there = /* @__PURE__ */ new Set();
  for await (const t of client.list(`/jobs/${encodeURIComponent(jobId)}/tasks`, { query: { $select: "id" }, signal }))
    there.add(t.id.toLowerCase());
  return workload.tasks.ids.every((id) => there.has(id.toLowerCase()));
}
function preflightFor(client, workload, reporter, options) {
  if (options.preflight === false || options.checkImage === false || !client.arm) return void 0;
  const subscription = options.preflight?.subscription ?? workload.spec.account?.subscription;
  if (!subscription) return void 0;
  return async () => {
    const report = await assertFits(client, workload, reporter, { signal: options.signal, subscription, now: options.now });
    reporter.info(`preflight: the spec fits the account (${report.checks.filter((c) => c.fits).length} checks)`);
  };
}
async function runWorkload(client, workload, reporter, options = {}) {
  const redactor = runRedactor(client, workload);
  const batch = client.withApiVersion(workload.apiVersion).withHooks({ onRetry: reportRetries(reporter) });
  const signal = options.signal;
  const jobId = workload.job.id;
  const poolId = workload.pool.id;
  const policy = options.cleanup ?? workload.spec.cleanup ?? "none";
  const created = { pool: false, job: false };
  const runId = options.runId ?? newRunId();
  let jobOurs = false;
  const base = { jobId, poolId, outcomes: [], addFailures: [], created };
  const quotaWait = { budgetMs: options.quotaWaitMs, firstDelayMs: options.pollIntervalMs };
  for (const w of workload.warnings) reporter.warn(`${w.path}: ${w.message}`);
  try {
    const pool = await ensurePoolExists(
      batch,
      translatePool(workload, await poolPackagesAccount(batch, workload, signal)),
      workload.pool.reuse,
      reporter,
      signal,
      poolNeeds(client, workload, reporter, signal, (path) => created.poolArmPath = path),
      {
        image: options.checkImage,
        now: options.now,
        runId,
        quotaWait,
        beforeCreate: preflightFor(batch, workload, reporter, options),
        // Told before the next request: a cancel right after the create still knows the pool is this run's.
        onCreated: () => {
          created.pool = true;
          options.onCreated?.({ ...created });
        }
      }
    );
    created.pool = pool.created;
    if (!pool.created) options.onReused?.("pool");
    await waitForPoolReady(batch, pool.pool, reporter, { signal, pollIntervalMs: options.pollIntervalMs, timeoutMs: options.poolTimeoutMs });
    if (workload.job.schedule) {
      await ensureJobSchedule(batch, translateJobSchedule(workload), reporter, signal, quotaWait);
      return { ...base, succeeded: true, schedule: true };
    }
    const { body: jobBody, endWhenDone, endByDefault } = jobForRun(translateJob(workload), workload.job, options.wait !== false, workload.secrets);
    const job = await ensureJob(batch, jobBody, reporter, signal, runId, quotaWait);
    if (job.ended) {
      if (options.wait === false || !await allTasksThere(batch, jobId, workload, signal))
        throw jobEndedError(jobId, job, "keep a job open for reruns that add tasks with job.onAllTasksComplete: noAction,", workload.jobIdTemplate);
      reporter.info(`job ${jobId} has ended (${job.terminateReason ?? job.ended}) with every task of this spec in it: nothing to add, reporting what ran`);
      const waited2 = await waitForTasks(batch, jobId, new Set(workload.tasks.ids), reporter, {
        signal,
        pollIntervalMs: options.pollIntervalMs,
        redactor,
        poolId
      });
      const succeeded2 = waited2.outcomes.length === workload.tasks.length && waited2.outcomes.every((o) => o.result === "success");
      return { ...base, submitted: 0, outcomes: waited2.outcomes, succeeded: succeeded2, requeues: waited2.requeues, preemptedNodes: waited2.preemptedNodes };
    }
    created.job = job.created;
    jobOurs = true;
    if (job.created) options.onCreated?.({ ...created });
    else options.onReused?.("job");
    if (!job.created) reporter.info(`job ${jobId} exists on pool ${poolId}; adding the tasks it lacks`);
    const added = await addTaskCollection(batch, jobId, translateTasks(workload), {
      signal,
      concurrency: options.concurrency,
      total: workload.tasks.length,
      onProgress: (done, total) => reporter.tasksSubmitted?.(done, total)
    });
    reporter.info(`tasks: ${added.added.length} added, ${added.existing.length} already there${added.failed.length ? `, ${added.failed.length} refused` : ""}`);
    if (endWhenDone && (job.created || !endByDefault)) await endJobWhenTasksDone(batch, jobId, signal);
    const addFailures = added.failed.map((f) => ({ ...f, message: redactor.text(f.message) }));
    for (const f of addFailures) reporter.warn(`task ${f.taskId} was not added: ${f.code}: ${f.message}`);
    const submitted = added.added.length + added.existing.length;
    if (options.wait === false) {
      return { ...base, submitted, addFailures, succeeded: addFailures.length === 0 };
    }
    const followed = /* @__PURE__ */ new Set([...added.added, ...added.existing, ...workload.job.manager ? [workload.job.manager.id] : []]);
    const waited = await waitForTasks(batch, jobId, followed, reporter, { signal, pollIntervalMs: options.pollIntervalMs, redactor, poolId });
    const succeeded = addFailures.length === 0 && !waited.jobEnded && !waited.blocked && waited.outcomes.every((o) => o.result === "success");
    return {
      ...base,
      submitted,
      addFailures,
      outcomes: waited.outcomes,
      succeeded,
      jobEnded: waited.jobEnded,
      blocked: waited.blocked,
      requeues: waited.requeues,
      preemptedNodes: waited.preemptedNodes
    };
  } catch (error) {
    if (!signal?.aborted) throw redactor.error(error);
    if (jobOurs) {
      await terminateJob(batch, jobId, { reason: "Cancelled by azure-batch-run", signal: AbortSignal.timeout(3e4) }).then(() => reporter.warn(`cancelled: job ${jobId} terminated`)).catch((e) => reporter.warn(`cancelled, but terminating job ${jobId} failed: ${redactor.text(String(e?.message ?? e))}`));
    }
    throw new CancelledError(`cancelled${jobOurs ? `; job ${jobId} terminated` : ""}`);
  } finally {
    await cleanupAfterRun(
      batch,
      workload,
      policy,
      { jobOurs, poolCreated: created.pool, poolArmPath: created.poolArmPath, waited: options.wait !== false },
      reporter,
      signal
    );
  }
}
async function cleanupAfterRun(client, workload, policy, run, reporter, signal) {
  if (policy === "none") return;
  if (workload.job.schedule) {
    reporter.warn(`cleanup ${policy} skipped: a job schedule keeps creating jobs on pool ${workload.pool.id}; delete the schedule when it is no longer wanted`);
    return;
  }
  if (!run.waited) {
    reporter.warn(`cleanup ${policy} skipped: the run did not wait for its tasks; clean up once they are done (azure-batch-run's cleanup)`);
    return;
  }
  const target = { jobId: run.jobOurs ? workload.job.id : void 0 };
  if (policy === "pool") {
    if (run.poolCreated) {
      target.poolId = workload.pool.id;
      target.poolArmPath = run.poolArmPath;
    } else reporter.warn(`kept pool ${workload.pool.id}: this run reused it rather than creating it`);
  }
  await cleanup(client, target, reporter, { signal });
}

// shared/run/deployPackage.ts
import { createHash as createHash3 } from "node:crypto";
import { readFile as readFile2, stat } from "node:fs/promises";

// shared/run/zip.ts
import { crc32, deflateRawSync } from "node:zlib";
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
var MAX_ENTRIES = 65535;
var MAX_BYTES = 4294967295;
var DOS_TIME = 0;
var DOS_DATE = 0 << 9 | 1 << 5 | 1;
async function collect(root, dir = "", out = []) {
  const entries = await readdir(join(root, dir), { withFileTypes: true });
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const e of entries) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    const path = join(root, rel);
    const info = await lstat(path);
    if (info.isSymbolicLink()) throw new UsageError(`${path} is a symbolic link; an application package holds files and folders only`);
    if (info.isDirectory()) {
      out.push({ name: `${rel}/`, mode: 16877, data: Buffer.alloc(0) });
      await collect(root, rel, out);
    } else if (info.isFile()) {
      out.push({ name: rel, mode: info.mode & 73 ? 33261 : 33188, data: await readFile(path) });
    }
    if (out.length > MAX_ENTRIES)
      throw new UsageError(`${root} holds more than ${MAX_ENTRIES} files and folders; zip the folder yourself (zip64) and deploy the zip`);
  }
  return out;
}
async function zipFolder(root) {
  const entries = await collect(root);
  if (entries.length === 0) throw new UsageError(`${root} is empty; an application package needs at least one file`);
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const deflated = e.data.length ? deflateRawSync(e.data, { level: 9 }) : Buffer.alloc(0);
    const stored = deflated.length >= e.data.length;
    const body = stored ? e.data : deflated;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(67324752, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(2048, 6);
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(33639248, 0);
    central.writeUInt16LE(3 << 8 | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(2048, 8);
    central.writeUInt16LE(stored ? 0 : 8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((e.mode << 16 | (e.name.endsWith("/") ? 16 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
    if (offset > MAX_BYTES) throw new UsageError(`${root} zips to more than 4 GiB; Batch's packages are far smaller`);
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(101010256, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// shared/run/deployPackage.ts
var isZip = (b) => b.length >= 4 && b[0] === 80 && b[1] === 75 && (b[2] === 3 && b[3] === 4 || b[2] === 5 && b[3] === 6);
async function packageBytes(source) {
  if (typeof source !== "string") {
    if (!isZip(source)) throw new UsageError("the package's bytes are not a zip archive; Batch takes application packages as zip files");
    return Buffer.from(source);
  }
  const info = await stat(source).catch(() => void 0);
  if (!info) throw new UsageError(`${source}: no such file or folder; give a zip file or a folder to zip`);
  if (info.isDirectory()) return zipFolder(source);
  const bytes2 = await readFile2(source);
  if (!isZip(bytes2)) throw new UsageError(`${source} is not a zip archive; Batch takes application packages as zip files (or give a folder, zipped here)`);
  return bytes2;
}
async function coordinatesOf(client, arm, options) {
  const given = options.account ?? {};
  const subscription = given.subscription ?? arm.subscription;
  if (!subscription)
    throw new UsageError(
      "the account's subscription is needed to deploy a package through Azure Resource Manager: set account.subscription (or --subscription)"
    );
  if (given.resourceGroup && given.name) return { subscription, resourceGroup: given.resourceGroup, name: given.name };
  return findBatchAccount(arm, subscription, client.accountUrl, options.signal);
}
async function blobMd5(storageUrl, signal) {
  const { BlockBlobClient } = await import("@azure/storage-blob");
  try {
    const properties = await new BlockBlobClient(storageUrl).getProperties({ abortSignal: signal });
    return properties.contentMD5 ? Buffer.from(properties.contentMD5).toString("base64") : void 0;
  } catch (error) {
    if (error.statusCode === 404) return void 0;
    throw storageFailure("reading the package's blob", error);
  }
}
function storageFailure(what, error) {
  const e = error;
  return new Error(`${what} failed: ${e.statusCode ?? ""} ${e.code ?? (e.message ?? "").split("\n")[0]?.replace(/https?:\/\/\S+/g, "<storage URL>")}`.trim());
}
async function upload(storageUrl, zip, md5, signal) {
  const { BlockBlobClient } = await import("@azure/storage-blob");
  try {
    await new BlockBlobClient(storageUrl).uploadData(zip, {
      blobHTTPHeaders: { blobContentType: "application/zip", blobContentMD5: Buffer.from(md5, "base64") },
      abortSignal: signal
    });
  } catch (error) {
    throw storageFailure("uploading the package to its storage URL", error);
  }
}
async function deployPackage(client, options) {
  const { applicationId, version, signal } = options;
  const reporter = options.reporter ?? silentReporter;
  if (!APPLICATION_ID.test(applicationId)) throw new UsageError(`application id "${applicationId}": must be ${APPLICATION_ID_RULE}`);
  if (!APPLICATION_VERSION.test(version)) throw new UsageError(`package version "${version}": must be ${APPLICATION_VERSION_RULE}`);
  const arm = client.arm;
  if (!arm)
    throw new UsageError(
      "application packages are deployed through Azure Resource Manager, which takes Microsoft Entra ID tokens, not the account's Shared Key; sign in with Entra ID (unset AZURE_BATCH_ACCESS_KEY)"
    );
  const zip = await packageBytes(options.source);
  const md5 = createHash3("md5").update(zip).digest("base64");
  const account = await coordinatesOf(client, arm, options);
  const appPath = `${accountPath(account)}/applications/${encodeURIComponent(applicationId)}`;
  const versionPath = `${appPath}/versions/${encodeURIComponent(version)}`;
  const query = { "api-version": ARM_API_VERSION };
  const found = await arm.send("GET", appPath, { query, accept: [404], signal });
  const applicationCreated = found.status === 404;
  let app;
  if (applicationCreated) {
    app = await arm.json("PUT", appPath, {
      query,
      body: { properties: options.displayName ? { displayName: options.displayName } : {} },
      signal
    });
    reporter.info(`created application ${applicationId} in ${account.resourceGroup}/${account.name}`);
  } else app = parseJson(found, "GET");
  let defaultVersion = app.properties?.defaultVersion;
  const existing = await arm.send("GET", versionPath, { query, accept: [404], signal });
  const before = existing.status === 404 ? void 0 : parseJson(existing, "GET");
  let outcome = "deployed";
  if (before?.properties?.state === "Active") {
    const theirs = before.properties.storageUrl ? await blobMd5(before.properties.storageUrl, signal) : void 0;
    if (theirs === md5) outcome = "unchanged";
    else if (!options.replace)
      throw new ConflictError(
        `application ${applicationId} version ${version} is active with other content (MD5 ${theirs ?? "unknown"}, this package ${md5}); deploy it as a new version (a package version is best left immutable), or replace it (--replace / package-replace: true)`
      );
    else outcome = "replaced";
  }
  if (outcome !== "unchanged") {
    const created = await arm.json("PUT", versionPath, { query, signal });
    const storageUrl = created.properties?.storageUrl;
    if (!storageUrl) throw new Error(`Azure Resource Manager gave no storage URL for ${applicationId} version ${version}`);
    await upload(storageUrl, zip, md5, signal);
    await arm.send("POST", `${versionPath}/activate`, { query, body: { format: PACKAGE_FORMAT }, signal, idempotent: true });
    reporter.info(`${outcome === "replaced" ? "replaced" : "deployed"} application package ${applicationId} ${version} (${zip.length} bytes, MD5 ${md5})`);
  } else {
    reporter.info(`application package ${applicationId} ${version} is active with the same content: left as it is`);
  }
  if (options.setDefault && defaultVersion !== version) {
    await arm.send("PATCH", appPath, { query, body: { properties: { defaultVersion: version } }, signal });
    defaultVersion = version;
    reporter.info(`application ${applicationId}'s default version is now ${version}`);
  }
  return { applicationId, version, outcome, applicationCreated, md5, size: zip.length, defaultVersion };
}

// shared/client/policies/bearerTokenPolicy.ts
var BATCH_SCOPE = "https://batch.core.windows.net//.default";
function bearerTokenPolicy(credential, options = {}) {
  const scope = options.scope ?? BATCH_SCOPE;
  const refreshWindowMs = options.refreshWindowMs ?? 5 * 6e4;
  const now = options.now ?? Date.now;
  let token;
  let refreshing;
  const refresh = (signal) => {
    refreshing ??= (async () => {
      try {
        const fresh = await credential.getToken(scope, { abortSignal: signal });
        if (!fresh) throw new Error(`the credential returned no token for ${scope}`);
        token = fresh;
        options.onToken?.(fresh.token);
        return fresh;
      } finally {
        refreshing = void 0;
      }
    })();
    return refreshing;
  };
  const currentToken = async (signal) => {
    const t = now();
    if (token && token.expiresOnTimestamp - t > refreshWindowMs) return token.token;
    if (token && token.expiresOnTimestamp - t > 3e4) {
      try {
        return (await refresh(signal)).token;
      } catch {
        return token.token;
      }
    }
    return (await refresh(signal)).token;
  };
  return {
    name: "bearerTokenPolicy",
    async sendRequest(request, next) {
      assertSecureForCredentials(request.url);
      request.headers.authorization = `Bearer ${await currentToken(request.signal)}`;
      return next(request);
    }
  };
}

// shared/client/policies/logPolicy.ts
function logPolicy(redactor, now = Date.now) {
  return {
    name: "logPolicy",
    async sendRequest(request, next) {
      const log = request.hooks?.log;
      if (!log) return next(request);
      const started = now();
      const target = `${request.method} ${request.url.pathname}${decodeQuery(request.url.search)}`;
      try {
        const response = await next(request);
        const id = response.headers["request-id"];
        log(redactor.text(`${target} -> ${response.status} in ${now() - started} ms${id ? ` (request-id ${id})` : ""}`));
        return response;
      } catch (error) {
        const reason = error.code ?? error.name ?? "error";
        log(redactor.text(`${target} -> ${reason} after ${now() - started} ms`));
        throw error;
      }
    }
  };
}
function decodeQuery(search) {
  try {
    return decodeURIComponent(search);
  } catch {
    return search;
  }
}

// shared/client/policies/requestIdPolicy.ts
import { randomUUID as randomUUID2 } from "node:crypto";
function requestIdPolicy(dialect = "batch") {
  return {
    name: "requestIdPolicy",
    sendRequest(request, next) {
      if (dialect === "arm") {
        request.headers["x-ms-client-request-id"] ??= randomUUID2();
        return next(request);
      }
      request.headers["client-request-id"] ??= randomUUID2();
      request.headers["return-client-request-id"] = "true";
      return next(request);
    }
  };
}

// shared/client/policies/retryStrategies.ts
var SKIP = { kind: "skip" };
function retryAfterMs(headers, now = Date.now()) {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value2 = headers[name];
    if (value2 !== void 0 && /^\d+(\.\d+)?$/.test(value2.trim())) return Math.round(Number(value2));
  }
  const value = headers["retry-after"]?.trim();
  if (!value) return void 0;
  if (/^\d+$/.test(value)) return Number(value) * 1e3;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return void 0;
  return Math.max(0, date - now);
}
function throttlingStrategy(now = Date.now) {
  return {
    name: "throttling",
    decide({ response }) {
      if (!response || response.status !== 429 && response.status !== 503) return SKIP;
      const after = retryAfterMs(response.headers, now());
      return after === void 0 ? SKIP : { kind: "retry", afterMs: after, throttled: true };
    }
  };
}
var TRANSIENT_STATUS = /* @__PURE__ */ new Set([408, 429, 500, 502, 503, 504]);
var TRANSIENT_CODES = /* @__PURE__ */ new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
  // A response cut short (fewer bytes than its Content-Length).
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"
]);
function exponentialStrategy(options = {}) {
  const base = options.baseDelayMs ?? 800;
  const max = options.maxDelayMs ?? 6e4;
  const random = options.random ?? Math.random;
  const delay = (retryCount) => {
    const capped = Math.min(max, base * 2 ** retryCount);
    return Math.round(capped / 2 + random() * (capped / 2));
  };
  return {
    name: "exponential",
    decide({ response, error, retryCount, idempotent }) {
      if (response) {
        if (!TRANSIENT_STATUS.has(response.status)) return SKIP;
        if (!idempotent && response.status !== 429) return SKIP;
        return { kind: "retry", afterMs: delay(retryCount) };
      }
      if (error instanceof TransportError && TRANSIENT_CODES.has(error.code)) {
        if (!idempotent && !error.notSent) return SKIP;
        return { kind: "retry", afterMs: delay(retryCount) };
      }
      return SKIP;
    }
  };
}

// shared/client/policies/retryPolicy.ts
function retryPolicy(options = {}) {
  const maxRetries = options.maxRetries ?? 8;
  const maxRetryTimeMs = options.maxRetryTimeMs ?? 5 * 6e4;
  const maxThrottleTimeMs = options.maxThrottleTimeMs ?? 10 * 6e4;
  const strategies = options.strategies ?? [throttlingStrategy(), exponentialStrategy()];
  const now = options.now ?? Date.now;
  return {
    name: "retryPolicy",
    async sendRequest(request, next) {
      const started = now();
      let failures = 0;
      let throttles = 0;
      let throttledMs = 0;
      for (; ; ) {
        let response;
        let error;
        try {
          response = await next({ ...request, headers: { ...request.headers } });
        } catch (e) {
          if (request.signal?.aborted) throw e;
          error = e;
        }
        const decision = decide(strategies, { response, error, retryCount: failures, idempotent: request.idempotent });
        const allowed = decision !== void 0 && (decision.throttled ? throttledMs + decision.afterMs <= maxThrottleTimeMs : failures < maxRetries && now() + decision.afterMs - started - throttledMs <= maxRetryTimeMs);
        if (!decision || !allowed) {
          if (response) return response;
          throw error;
        }
        if (decision.throttled) {
          throttles++;
          throttledMs += decision.afterMs;
        } else failures++;
        const info = {
          attempt: decision.throttled ? throttles : failures,
          maxRetries,
          throttled: Boolean(decision.throttled),
          throttleBudgetMs: maxThrottleTimeMs,
          delayMs: decision.afterMs,
          reason: response ? `HTTP ${response.status}` : String(error.code ?? error),
          method: request.method,
          path: request.url.pathname
        };
        options.onRetry?.(info);
        request.hooks?.onRetry?.(info);
        await sleep(decision.afterMs, request.signal);
      }
    }
  };
}
function decide(strategies, state) {
  for (const strategy of strategies) {
    const d = strategy.decide(state);
    if (d.kind === "retry") return { afterMs: d.afterMs, throttled: d.throttled };
  }
  return void 0;
}

// shared/client/sharedKey.ts
import { createHmac } from "node:crypto";
var STANDARD_HEADERS = [
  "content-encoding",
  "content-language",
  "content-length",
  "content-md5",
  "content-type",
  "date",
  "if-modified-since",
  "if-match",
  "if-none-match",
  "if-unmodified-since",
  "range"
];
function stringToSign(request, accountName) {
  const lines = [request.method.toUpperCase()];
  for (const name of STANDARD_HEADERS) {
    if (name === "content-length") {
      const length = request.headers["content-length"] ?? (request.body ? String(Buffer.byteLength(request.body)) : void 0);
      lines.push(length ?? (request.method.toUpperCase() === "POST" ? "0" : ""));
    } else if (name === "date" && request.headers["ocp-date"]) {
      lines.push("");
    } else {
      lines.push(request.headers[name] ?? "");
    }
  }
  const ocp = Object.keys(request.headers).filter((h) => h.toLowerCase().startsWith("ocp-")).map((h) => h.toLowerCase()).sort().map((h) => `${h}:${(request.headers[h] ?? "").replace(/\s+/g, " ").trim()}
`).join("");
  return `${lines.join("\n")}
${ocp}${canonicalizedResource(request.url, accountName)}`;
}
function canonicalizedResource(url, accountName) {
  let out = `/${accountName}${url.pathname || "/"}`;
  const params = /* @__PURE__ */ new Map();
  for (const [name, value] of url.searchParams) {
    const key = name.toLowerCase();
    params.set(key, [...params.get(key) ?? [], value]);
  }
  for (const name of [...params.keys()].sort()) out += `
${name}:${(params.get(name) ?? []).sort().join(",")}`;
  return out;
}
function signSharedKey(request, accountName, accountKey) {
  const signature = createHmac("sha256", Buffer.from(accountKey, "base64")).update(stringToSign(request, accountName), "utf8").digest("base64");
  return `SharedKey ${accountName}:${signature}`;
}

// shared/client/policies/sharedKeyPolicy.ts
function sharedKeyPolicy(accountName, accountKey) {
  return {
    name: "sharedKeyPolicy",
    sendRequest(request, next) {
      assertSecureForCredentials(request.url);
      request.headers["ocp-date"] = (/* @__PURE__ */ new Date()).toUTCString();
      if (request.body !== void 0) request.headers["content-length"] = String(Buffer.byteLength(request.body));
      request.headers.authorization = signSharedKey(request, accountName, accountKey);
      return next(request);
    }
  };
}

// shared/client/policies/userAgentPolicy.ts
import { arch, platform } from "node:os";

// package.json
var package_default = { version: "0.1.0" };

// shared/version.ts
var VERSION = package_default.version;

// shared/client/policies/userAgentPolicy.ts
function userAgentString(prefix) {
  const own = `azure-batch-run/${VERSION} Node/${process.versions.node} (${platform()}; ${arch()})`;
  return prefix ? `${prefix} ${own}` : own;
}
function userAgentPolicy(prefix) {
  const value = userAgentString(prefix);
  return {
    name: "userAgentPolicy",
    sendRequest(request, next) {
      request.headers["user-agent"] = value;
      return next(request);
    }
  };
}

// shared/client/buildPipeline.ts
function buildPipeline(options, transport) {
  const { auth, redactor } = options;
  const authPolicies = auth.kind === "sharedKey" ? [sharedKeyPolicy(auth.accountName, auth.accountKey)] : auth.kind === "bearer" ? [bearerTokenPolicy(auth.credential, { scope: auth.scope, onToken: (t) => redactor.add(t) })] : [];
  return createPipeline(
    [
      userAgentPolicy(options.userAgentPrefix),
      requestIdPolicy(options.dialect),
      retryPolicy(options.retry),
      ...authPolicies,
      logPolicy(redactor),
      ...options.policies ?? []
    ],
    transport
  );
}

// shared/client/serviceClient.ts
var ServiceClient = class {
  constructor(origin, dialect, pipeline, timeoutMs, redactor, hooks = {}) {
    this.origin = origin;
    this.dialect = dialect;
    this.pipeline = pipeline;
    this.timeoutMs = timeoutMs;
    this.redactor = redactor;
    this.hooks = hooks;
  }
  origin;
  dialect;
  pipeline;
  timeoutMs;
  redactor;
  hooks;
  /**
   * A view of this client whose calls report to other hooks (a run's reporter, an invocation's
   * log); it shares the connections and credentials. Close the client, not its views.
   */
  withHooks(hooks) {
    const view = Object.create(this);
    view.hooks = { ...this.hooks, ...hooks };
    return view;
  }
  /** Sends one call; throws the service's error for HTTP errors not listed in `accept`. */
  async send(method, pathOrUrl, options = {}) {
    const url = typeof pathOrUrl === "string" ? this.urlOf(pathOrUrl, options) : pathOrUrl;
    const body = options.body === void 0 ? void 0 : JsonText.is(options.body) ? options.body.text : JSON.stringify(options.body);
    const headers = { accept: "application/json", ...options.headers ?? {} };
    if (body !== void 0) headers["content-type"] = this.dialect.contentType;
    let response;
    try {
      response = await this.pipeline({
        method,
        url,
        headers,
        body,
        idempotent: options.idempotent ?? method !== "POST",
        signal: options.signal,
        timeoutMs: this.timeoutMs,
        hooks: this.hooks
      });
    } catch (error) {
      throw this.redactor.error(error);
    }
    const accepted = (options.accept ?? []).includes(response.status);
    if (response.status >= 300 && response.status < 400 && !accepted) {
      const location = response.headers.location;
      const where = location ? ` to ${safeOrigin(location, this.origin)}` : "";
      throw this.redactor.error(
        new UnexpectedResponseError(
          method,
          url.pathname,
          response.status,
          `redirects${where}; not followed${this.dialect.redirectNote ? ` ${this.dialect.redirectNote}` : ""}`,
          response.headers[this.dialect.requestIdHeader]
        )
      );
    }
    if (response.status >= 400 && !accepted) throw this.redactor.error(this.dialect.failure(response, { method, url, headers }));
    return response;
  }
  /** Sends one call whose answer is a JSON object; anything else is an `UnexpectedResponseError`. */
  async json(method, path, options = {}) {
    return parseJson(await this.send(method, path, options), method);
  }
  /**
   * Every item of a list, page by page, following the next link on the same host only; a next link
   * that repeats one already followed ends the listing with an error instead of a loop. `onPage` is
   * told of each page fetched.
   */
  async *list(path, options = {}) {
    const property = this.dialect.nextLinkProperty;
    const link = `${/^[aeiou]/i.test(property) ? "an" : "a"} ${property}`;
    let next = path;
    let first = true;
    const followed = /* @__PURE__ */ new Set();
    while (next) {
      const response = await this.send("GET", next, first ? options : { signal: options.signal, headers: options.headers });
      first = false;
      options.onPage?.();
      const page = parseJson(response, "GET");
      const unexpected = (what) => new UnexpectedResponseError("GET", response.request?.url?.pathname ?? "?", response.status, what, response.headers[this.dialect.requestIdHeader]);
      if (page.value !== void 0 && !Array.isArray(page.value)) throw unexpected("with a list whose value is not an array");
      for (const item of page.value ?? []) yield item;
      const target = page[property];
      if (typeof target !== "string" || !target) return;
      const nextUrl = new URL(target, this.origin);
      if (nextUrl.origin !== this.origin.origin)
        throw unexpected(`with ${link} to another host (${nextUrl.origin}); not followed: credentials go to ${this.origin.origin} only`);
      if (followed.has(nextUrl.href)) throw unexpected(`with ${link} to a page already read; the listing would never end`);
      followed.add(nextUrl.href);
      next = nextUrl;
    }
  }
};
function safeOrigin(location, base) {
  try {
    return new URL(location, base).origin;
  } catch {
    return "an unreadable location";
  }
}

// shared/client/blobListClient.ts
var STORAGE_VERSION = "2025-01-05";
var STORAGE_SCOPE = "https://storage.azure.com/.default";
var StorageError = class extends Error {
  constructor(statusCode, code, message) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
  statusCode;
  code;
  name = "StorageError";
};
var ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
var unescapeXml = (s) => s.replace(
  /&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi,
  (_m, e) => e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e.toLowerCase()]
);
var tag = (xml, name) => new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>|<${name}\\s*/>`).exec(xml);
var STORAGE_DIALECT = {
  contentType: "application/xml",
  requestIdHeader: "x-ms-request-id",
  nextLinkProperty: "",
  redirectNote: "Azure Storage answers List Blobs itself",
  failure: (response, { method }) => {
    const code = tag(response.bodyText, "Code")?.[1] ?? response.headers["x-ms-error-code"] ?? "";
    return new StorageError(response.status, code, `${method} List Blobs: HTTP ${response.status}${code ? ` ${code}` : ""}`);
  }
};
var BlobListClient = class extends ServiceClient {
  container;
  sas;
  close_;
  constructor(options) {
    const container = new URL(options.container);
    const redactor = new Redactor();
    const timeoutMs = options.timeoutMs ?? 6e4;
    const undici = createUndiciTransport({ connections: 1, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs });
    const pipeline = buildPipeline(
      {
        dialect: "arm",
        auth: options.credential && !options.sas ? { kind: "bearer", credential: options.credential, scope: STORAGE_SCOPE } : { kind: "none" },
        retry: { maxRetryTimeMs: 2 * 6e4, ...options.retry },
        redactor
      },
      undici.send
    );
    super(new URL(container.origin), STORAGE_DIALECT, pipeline, timeoutMs, redactor, options.hooks);
    this.container = container;
    this.sas = new URLSearchParams(options.sas);
    this.close_ = () => undici.close();
  }
  urlOf(_path, options) {
    const url = new URL(this.container.href);
    for (const [k, v] of this.sas) url.searchParams.set(k, v);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    return url;
  }
  /** Every blob's name and ETag under `prefix`, page by page (5,000 a page, Storage's most), in name order. */
  async *blobs(prefix, signal, pageSize = 5e3) {
    let marker = "";
    const seen = /* @__PURE__ */ new Set();
    do {
      const query = { restype: "container", comp: "list", maxresults: String(pageSize) };
      if (prefix) query.prefix = prefix;
      if (marker) query.marker = marker;
      const page = (await this.send("GET", "", { query, signal, headers: { "x-ms-version": STORAGE_VERSION, accept: "application/xml" } })).bodyText;
      const blobs = tag(page, "Blobs")?.[1] ?? "";
      for (const m of blobs.matchAll(/<Blob>([\s\S]*?)<\/Blob>/g)) {
        const item = m[1];
        const name = /<Name(\s+Encoded="true")?\s*>([\s\S]*?)<\/Name>/.exec(item);
        if (!name) continue;
        const text = unescapeXml(name[2]);
        yield { name: name[1] ? decodeURIComponent(text) : text, etag: unescapeXml(tag(item, "Etag")?.[1] ?? "") };
      }
      marker = unescapeXml(tag(page, "NextMarker")?.[1] ?? "");
      if (marker && seen.has(marker)) throw new StorageError(200, "RepeatedMarker", "List Blobs gave the same next marker twice; the listing would never end");
      seen.add(marker);
    } while (marker);
  }
  async close() {
    await this.close_();
  }
};

// shared/batch/hosts.ts
var LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;

// shared/run/listBlobs.ts
var STORAGE_HOST = /^[a-z0-9]{3,24}\.blob\.core\.(windows\.net|usgovcloudapi\.net|chinacloudapi\.cn)$/;
function containerOf(url, path) {
  const u = new URL(url);
  const host = u.hostname.toLowerCase();
  if (!STORAGE_HOST.test(host) && !LOOPBACK_HOST.test(host))
    throw new UsageError(
      `${path}.container: ${u.host} is not an Azure Storage blob endpoint (<account>.blob.core.windows.net, or this machine for Azurite); a spec lists only Azure Storage containers`
    );
  if (u.protocol !== "https:" && !LOOPBACK_HOST.test(host)) throw new UsageError(`${path}.container: Azure Storage is reached over https`);
  const segments = u.pathname.split("/").filter(Boolean);
  const wanted = LOOPBACK_HOST.test(host) ? 2 : 1;
  if (segments.length !== wanted)
    throw new UsageError(
      `${path}.container: give the container's URL (${LOOPBACK_HOST.test(host) ? "http://127.0.0.1:10000/<account>/<container>" : "https://<account>.blob.core.windows.net/<container>"}), not a blob's or the account's`
    );
  return {
    base: `${u.origin}/${segments.join("/")}`,
    query: u.search,
    name: decodeURIComponent(segments[wanted - 1]),
    host,
    hasSas: u.searchParams.has("sig")
  };
}
async function listOne(at, options) {
  const { source, path } = at;
  if (new URL(source.container).hostname === "redacted.invalid")
    return new BlobListing(
      { path, container: "<container URL from an unset secret>", prefix: source.prefix, pattern: source.pattern, limit: source.limit },
      "",
      "",
      false,
      "not listed: its URL comes from a secret that is not set here"
    );
  const c = containerOf(source.container, path);
  const shown = { path, container: c.base, prefix: source.prefix, pattern: source.pattern, limit: source.limit };
  if (options.mode === "describe") return new BlobListing(shown, c.query, c.name, false, "not listed yet");
  if (options.mode === "plan") {
    if (!c.hasSas && !LOOPBACK_HOST.test(c.host))
      return new BlobListing(shown, c.query, c.name, false, "not listed: no SAS in the URL (a run lists it with the caller's sign-in)");
    return listOne(at, { ...options, mode: "run" }).catch(
      (error) => new BlobListing(shown, c.query, c.name, false, `not listed: ${error.message.replace(`${path}: `, "")}`)
    );
  }
  if (!c.hasSas && !options.credential && !LOOPBACK_HOST.test(c.host))
    throw new UsageError(`${path}.container: ${c.base} has no SAS and no credential was given to read it; add a SAS (from the environment) or sign in`);
  const client = new BlobListClient({
    container: c.base,
    sas: c.hasSas ? c.query : "",
    credential: !c.hasSas && STORAGE_HOST.test(c.host) ? options.credential : void 0
  });
  const listing = new BlobListing(shown, c.query, c.name);
  const match = source.pattern ? globToRegExp(source.pattern) : void 0;
  const limit = source.limit ?? Infinity;
  try {
    for await (const blob of client.blobs(source.prefix, options.signal)) {
      if (match && !match.test(blob.name)) continue;
      if (listing.length >= LIMITS.tasks)
        throw new UsageError(
          `${path}: ${describeSource(shown)} holds more than ${LIMITS.tasks} matching blobs, the most one spec makes tasks of; narrow it with prefix, pattern or limit`
        );
      listing.add(blob.name, blob.etag);
      if (listing.length >= limit) break;
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const what = error instanceof StorageError ? `HTTP ${error.statusCode} ${error.code}`.trim() : (error.message ?? String(error)).split("\n")[0].replace(/https?:\/\/\S+/g, "<url>");
    throw new Error(`${path}: listing ${c.base} failed: ${what}`);
  } finally {
    await client.close();
  }
  return listing;
}
async function listForEachBlobs(raw, load2, options = {}) {
  const listings = /* @__PURE__ */ new Map();
  for (const at of blobSourcesOf(raw, load2)) listings.set(at.index, await listOne(at, options));
  return listings;
}
async function loadSpecWithBlobs(raw, load2 = {}, options = {}) {
  const blobListings = await listForEachBlobs(raw, load2, options);
  return loadSpecObject(raw, blobListings.size ? { ...load2, blobListings } : load2);
}
async function loadSpecTextWithBlobs(text, load2 = {}, options = {}) {
  const raw = parseSpecText(text, load2.fileName);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return loadSpec(text, load2);
  return loadSpecWithBlobs(raw, load2, options);
}

// shared/run/submit.ts
function jobGenerationId(baseId, n) {
  if (n <= 1) return baseId;
  const suffix = `-${n}`;
  return `${baseId.slice(0, 64 - suffix.length)}${suffix}`;
}
var MAX_GENERATIONS = 1e5;
async function liveJob(client, body, ifJobEnded, reporter, signal, runId, quotaWait = {}) {
  const first = await ensureJob(client, body, reporter, signal, runId, quotaWait);
  if (!first.ended) return { id: body.id, created: first.created };
  if (ifJobEnded === "fail") throw jobEndedError(body.id, first, 'submit with ifJobEnded: "newJob" to start the next job of that name,');
  const exists = async (n) => (await client.send("GET", `/jobs/${encodeURIComponent(jobGenerationId(body.id, n))}`, { query: { $select: "id" }, accept: [404], signal })).status !== 404;
  let lo = 1;
  let hi = 2;
  while (hi <= MAX_GENERATIONS && await exists(hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await exists(mid)) lo = mid;
    else hi = mid;
  }
  for (let n = Math.max(2, lo); n <= MAX_GENERATIONS; n++) {
    const id = jobGenerationId(body.id, n);
    const result = await ensureJob(client, { ...body, id }, reporter, signal, runId, quotaWait);
    if (!result.ended) {
      reporter.info(`job ${body.id} has ended (${first.ended}); ${result.created ? "started" : "adding to"} ${id}`);
      return { id, created: result.created };
    }
  }
  throw jobEndedError(jobGenerationId(body.id, MAX_GENERATIONS), first);
}
async function submitTasks(client, workload, tasks = workload.tasks, options = {}) {
  const reporter = options.reporter ?? silentReporter;
  const redactor = runRedactor(client, workload);
  const batch = client.withApiVersion(workload.apiVersion).withHooks({ onRetry: reportRetries(reporter) });
  const signal = options.signal;
  for (const w of workload.warnings) reporter.warn(`${w.path}: ${w.message}`);
  try {
    if (workload.job.schedule) {
      throw new UsageError(
        `job.schedule: ${workload.job.id} is a job schedule, which creates its own jobs; submitTasks adds tasks to one job (remove job.schedule, or use runWorkload)`
      );
    }
    const runId = newRunId();
    const quotaWait = { budgetMs: options.quotaWaitMs ?? 2 * 6e4 };
    const pool = await ensurePoolExists(
      batch,
      translatePool(workload, await poolPackagesAccount(batch, workload, signal)),
      workload.pool.reuse,
      reporter,
      signal,
      poolNeeds(client, workload, reporter, signal),
      {
        image: options.checkImage,
        runId,
        quotaWait
      }
    );
    const { body: jobBody, endWhenDone } = jobForRun(translateJob(workload), workload.job, false, workload.secrets);
    const job = await liveJob(batch, jobBody, options.ifJobEnded ?? "fail", reporter, signal, runId, quotaWait);
    const ids = [];
    const translated = (function* () {
      for (const t of tasks) {
        ids.push(t.id);
        yield markSecretEnv(translateTask(t, workload.facts), workload.secrets);
      }
    })();
    const total = tasks.length;
    const added = await addTaskCollection(batch, job.id, translated, {
      signal,
      concurrency: options.concurrency,
      total: typeof total === "number" ? total : void 0,
      onProgress: (done, all) => reporter.tasksSubmitted?.(done, all)
    });
    if (endWhenDone) await endJobWhenTasksDone(batch, job.id, signal);
    const failed = new Map(added.failed.map((f) => [f.taskId, f]));
    const existed = new Set(added.existing);
    return {
      jobId: job.id,
      poolId: workload.pool.id,
      created: { pool: pool.created, job: job.created },
      tasks: ids.map((id) => {
        const f = failed.get(id);
        if (f) return { id, status: "failed", code: f.code, reason: redactor.text(f.message) };
        return { id, status: existed.has(id) ? "existed" : "added" };
      })
    };
  } catch (error) {
    if (signal?.aborted) throw new CancelledError("cancelled while submitting tasks");
    throw redactor.error(error);
  }
}

// shared/events/events.ts
import { createHash as createHash4 } from "node:crypto";
import { z as z2 } from "zod";
var blobTaskId2 = (blob) => blobTaskId(blob);
var InvalidEventError = class extends Error {
  constructor(field, reason) {
    super(`${field}: ${reason}`);
    this.field = field;
  }
  field;
  name = "InvalidEventError";
};
var hash2 = (text, length = 16) => createHash4("sha256").update(text).digest("hex").slice(0, length);
var unquote = (etag) => etag?.replace(/^W\//, "").replace(/^"|"$/g, "");
var CONTROL2 = /[\u0000-\u001f\u007f-\u009f]/;
var RAW_URL = /^(https?):\/\/([^/?#\\]+)(\/[^?#]*)?(\?[^#]*)?(#.*)?$/i;
function blobFromUrl(url, field) {
  const shown = url.slice(0, 200).replace(/\?.*$/s, "");
  const raw = RAW_URL.exec(url.trim());
  if (!raw) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^https?:/i.test(url))
      throw new InvalidEventError(field, `must be an https blob URL, not ${url.slice(0, url.indexOf(":") + 1)}`);
    throw new InvalidEventError(field, `"${shown}" is not a blob URL (https://<account>.blob.core.windows.net/<container>/<blob>)`);
  }
  const [, scheme, host, rawPath = "", query = ""] = raw;
  let segments;
  try {
    segments = rawPath.split("/").slice(1).map((s) => decodeURIComponent(s));
  } catch {
    throw new InvalidEventError(field, `"${shown}" has a malformed percent-encoding`);
  }
  let u;
  try {
    u = new URL(`${scheme}://${host}/`);
  } catch {
    throw new InvalidEventError(field, `"${shown}" has no valid host`);
  }
  const pathStyle = /^(\d+\.\d+\.\d+\.\d+|localhost|\[[0-9a-f:]+\])$/i.test(u.hostname);
  const [container, ...name] = pathStyle ? segments.slice(1) : segments;
  if (!container || name.length === 0 || !name.join("/"))
    throw new InvalidEventError(field, `${shown} names no blob (https://<account>.blob.core.windows.net/<container>/<blob>)`);
  const full = name.join("/");
  if (name.some((s) => s === "." || s === "..") || [container, ...name].some((s) => s.includes("\\"))) {
    throw new InvalidEventError(
      field,
      `the blob name "${full.slice(0, 200)}" has a "." or ".." segment or a backslash; a blob name is taken as given, never resolved into another path`
    );
  }
  if (CONTROL2.test(full)) throw new InvalidEventError(field, "the blob name holds a control character");
  if (full.length > MAX_BLOB_NAME)
    throw new InvalidEventError(field, `the blob name is ${full.length} characters; Azure Storage names are at most ${MAX_BLOB_NAME}`);
  const base = `${u.origin}${rawPath}`;
  return { url: query.length > 1 ? `${base}${query}` : base, container, name: full, fileName: safeFileName(name[name.length - 1]) };
}
function blobEvent(meta) {
  const uri = meta?.uri;
  if (typeof uri !== "string") throw new InvalidEventError("triggerMetadata.uri", "the blob trigger delivered no blob URI");
  const props = meta?.properties ?? {};
  const input = {
    ...blobFromUrl(uri, "triggerMetadata.uri"),
    etag: versionOf(props),
    size: num(props.contentLength),
    contentType: str(props.contentType)
  };
  const time = iso(props.lastModified) ?? (/* @__PURE__ */ new Date()).toISOString();
  const taskId = blobTaskId2(input);
  return { kind: "blob", id: taskId, time, taskId, inputs: [input], fields: {} };
}
function versionOf(props) {
  const etag = str(props.eTag) ?? str(props.etag) ?? str(props.ETag);
  if (etag) return unquote(etag);
  const modified = iso(props.lastModified);
  if (modified) return `modified:${modified}`;
  const md5 = str(props.contentMD5) ?? str(props.contentMd5);
  return md5 ? `md5:${md5}` : void 0;
}
var num = (v) => typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : void 0;
var str = (v) => typeof v === "string" && v ? v : void 0;
var iso = (v) => {
  if (typeof v !== "string" && !(v instanceof Date)) return void 0;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? void 0 : d.toISOString();
};
var BLOB_CREATED = "Microsoft.Storage.BlobCreated";
function eventGridEvent(event) {
  if (event === null || typeof event !== "object" || Array.isArray(event)) throw new InvalidEventError("event", "is not an Event Grid event (a JSON object)");
  const e = event;
  const cloud = typeof e.specversion === "string";
  const type = cloud ? e.type : e.eventType;
  if (typeof type !== "string") throw new InvalidEventError(cloud ? "event.type" : "event.eventType", "is missing");
  if (type !== BLOB_CREATED) return void 0;
  const id = e.id;
  if (typeof id !== "string" || !id) throw new InvalidEventError("event.id", "is missing");
  const data = e.data;
  if (!data || typeof data !== "object")
    throw new InvalidEventError("event.data", `is missing: a ${BLOB_CREATED} event carries the blob's url and eTag in data`);
  if (typeof data.url !== "string") throw new InvalidEventError("event.data.url", "is missing");
  const input = {
    ...blobFromUrl(data.url, "event.data.url"),
    etag: versionOf(data),
    size: num(data.contentLength),
    contentType: str(data.contentType)
  };
  const time = iso(cloud ? e.time : e.eventTime) ?? (/* @__PURE__ */ new Date()).toISOString();
  return {
    kind: "eventGrid",
    id,
    time,
    taskId: blobTaskId2(input),
    inputs: [input],
    fields: { type, subject: str(e.subject) ?? "", schema: cloud ? "CloudEvents" : "EventGrid" }
  };
}
var QueueMessage = z2.strictObject({
  id: z2.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "must be 1 to 64 letters, digits, _ or - (it becomes the task id)" }).optional().meta({ description: "The task id; default a hash of the message body" }),
  vars: z2.record(
    z2.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, { error: "variable names are letters, digits, _ and -" }),
    z2.union([z2.string().max(4096), z2.number(), z2.boolean()])
  ).optional().meta({ description: "Values for {{ vars.* }}; only variables the spec declares" }),
  inputs: z2.array(z2.url({ protocol: /^https?$/, error: "must be an http(s) blob URL" })).max(100).optional().meta({ description: "Blob URLs, each a resource file of the task" })
}).meta({ title: "azure-batch-run queue message", description: "A message for the Function app's queue trigger; a plain-text message is one input URL" });
function queueMessageJsonSchema() {
  return z2.toJSONSchema(QueueMessage, { io: "input", target: "draft-2020-12" });
}
function queueEvent(body, meta) {
  const messageId = str(meta?.id) ?? "";
  const dequeueCount = num(meta?.dequeueCount) ?? 1;
  const time = iso(meta?.insertionTime) ?? (/* @__PURE__ */ new Date()).toISOString();
  const fields = { messageId, dequeueCount };
  if (typeof body === "string") {
    const text = body.trim();
    if (!text) throw new InvalidEventError("message", "is empty: send a blob URL, or a JSON object { id?, vars?, inputs? }");
    const input = blobFromUrl(text, "message");
    return { kind: "queue", id: messageId || hash2(text), time, taskId: `msg-${hash2(text, 32)}`, inputs: [input], fields };
  }
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new InvalidEventError("message", "must be a JSON object { id?, vars?, inputs? } or a blob URL as plain text");
  for (const [where, obj] of [
    ["message", body],
    ["message.vars", body.vars]
  ]) {
    if (obj === null || typeof obj !== "object") continue;
    const bad = Object.keys(obj).find((k) => k === "__proto__" || k === "constructor" || k === "prototype");
    if (bad) throw new InvalidEventError(`${where}.${bad}`, "is not a field or variable name a message may set");
  }
  const parsed = QueueMessage.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ["message", ...issue.path.map(String)].join(".");
    throw new InvalidEventError(path, issue.message);
  }
  const m = parsed.data;
  const inputs = (m.inputs ?? []).map((url, i) => blobFromUrl(url, `message.inputs.${i}`));
  const vars = m.vars ? Object.fromEntries(Object.entries(m.vars).map(([k, v]) => [k, String(v)])) : void 0;
  return { kind: "queue", id: messageId || m.id || hash2(JSON.stringify(body)), time, taskId: m.id ?? `msg-${hash2(canonical(body), 32)}`, inputs, vars, fields };
}
function canonical(value) {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
}
function timerEvent(timer, scheduled) {
  const t = timer ?? {};
  const scheduleTime = scheduled.toISOString().replace(/\.\d{3}Z$/, "Z");
  const scheduleId = scheduleTime.replace(/[-:]/g, "");
  return {
    kind: "timer",
    id: scheduleId,
    time: scheduleTime,
    taskId: `run-${scheduleId}`,
    inputs: [],
    fields: { scheduleTime, scheduleId, isPastDue: t.isPastDue === true }
  };
}

// shared/events/eventSpec.ts
var INPUT_FIELDS = ["url", "sasUrl", "container", "name", "fileName", "etag", "size", "contentType"];
var UNSAFE = /['"`$;|&<>(){}\\\n\r\t\0]/;
var URL_UNSAFE = /['"`$;|<>(){}\\\n\r\t\0]/;
var EventSpec = class {
  constructor(raw, text, callerVars = {}) {
    this.raw = raw;
    this.referenced = new Set([...text.matchAll(/\{\{\s*event\.([A-Za-z]+)/g)].map((m) => m[1]));
    this.declaredVars = /* @__PURE__ */ new Set([...Object.keys(raw.vars ?? {}), ...Object.keys(callerVars)]);
  }
  raw;
  /** The `event.*` fields the spec's templates name. */
  referenced;
  /** The variables a message may set: the spec's `vars` and the caller's. */
  declaredVars;
  /** Refuses an event whose values the spec cannot use safely: undeclared vars, characters that end a shell word. */
  check(event) {
    for (const name of Object.keys(event.vars ?? {})) {
      if (!this.declaredVars.has(name))
        throw new InvalidEventError(
          `message.vars.${name}`,
          `is not a variable the spec declares (it declares ${[...this.declaredVars].sort().join(", ") || "none"})`
        );
    }
    for (const [name, value] of Object.entries(event.vars ?? {})) {
      if (UNSAFE.test(value))
        throw new InvalidEventError(
          `message.vars.${name}`,
          `holds ${JSON.stringify(value.match(UNSAFE)[0])}, which could break out of a command line; a message's values may not hold quotes, $, ;, |, &, <, >, parentheses, braces, backslashes or control characters`
        );
    }
    const values = [
      ...Object.entries(event.fields),
      ...event.inputs.flatMap((input, i) => Object.entries(input).map(([k, v]) => [event.inputs.length > 1 ? `inputs.${i}.${k}` : k, v]))
    ];
    for (const [field, value] of values) {
      const base = field.split(".").pop();
      const used = this.referenced.has(base) || this.referenced.has(field.split(".")[0]) || base === "url" && this.referenced.has("sasUrl");
      if (!used) continue;
      const unsafe = base === "url" || base === "sasUrl" ? URL_UNSAFE : UNSAFE;
      if (typeof value === "string" && unsafe.test(value)) {
        throw new InvalidEventError(
          `event.${field}`,
          `holds ${JSON.stringify(value.match(unsafe)[0])}, which could break out of a command line, and the spec uses event.${base}; rename the blob, or use event.fileName (always safe)`
        );
      }
    }
  }
  /** The workload for one event: `event.*` filled, an input's SAS made where the spec uses `event.sasUrl`. */
  async load(event, options = {}) {
    const sasFor = this.referenced.has("sasUrl") ? options.sasFor : void 0;
    const inputs = await Promise.all(
      event.inputs.map(async (input) => ({ ...input, ...sasFor ? { sasUrl: new URL(input.url).search ? input.url : await sasFor(input.url) } : {} }))
    );
    const root = {
      kind: event.kind,
      id: event.id,
      time: event.time,
      day: event.time.slice(0, 10),
      taskId: event.taskId,
      ...event.fields,
      ...inputs[0] ?? {},
      inputs
    };
    return loadSpecWithBlobs(
      inputs.length > 1 ? perInput(this.raw, inputs.length) : this.raw,
      {
        vars: { ...options.vars ?? {}, ...event.vars },
        env: options.env,
        envHint: options.envHint,
        roots: { event: root },
        fileName: options.fileName,
        unsetSecrets: options.unsetSecrets,
        apiVersion: options.apiVersion
      },
      options.blobs ?? { mode: "describe" }
    );
  }
};
function perInput(raw, count) {
  const field = new RegExp(`\\{\\{\\s*event\\.(${INPUT_FIELDS.join("|")})\\b`, "g");
  const expand = (resources) => Array.isArray(resources) ? resources.flatMap((r) => {
    const text = JSON.stringify(r);
    if (!field.test(text)) return [r];
    field.lastIndex = 0;
    return Array.from({ length: count }, (_, i) => JSON.parse(text.replace(field, (_m, f) => `{{ event.inputs.${i}.${f}`)));
  }) : resources;
  const tasks = raw.tasks;
  if (!tasks) return raw;
  return {
    ...raw,
    tasks: {
      ...tasks,
      ...tasks.defaults ? { defaults: { ...tasks.defaults, resources: expand(tasks.defaults.resources) } } : {},
      list: (tasks.list ?? []).map((t) => ({ ...t, ...t.resources ? { resources: expand(t.resources) } : {} }))
    }
  };
}
function eventFromSample(sample) {
  if (sample === null || typeof sample !== "object" || Array.isArray(sample))
    throw new InvalidEventError("event", "a sample event is a JSON object: an Event Grid event, { uri, properties }, { message } or { scheduleTime }");
  const s = sample;
  if ("eventType" in s || "specversion" in s) {
    const event = eventGridEvent(s);
    if (!event) throw new InvalidEventError("event.type", "is not Microsoft.Storage.BlobCreated: the Function app ignores such an event");
    return event;
  }
  if ("uri" in s) return blobEvent(s);
  if ("message" in s) return queueEvent(s.message, s);
  if ("scheduleTime" in s) {
    const at = new Date(String(s.scheduleTime));
    if (Number.isNaN(at.getTime())) throw new InvalidEventError("scheduleTime", "is not a date and time");
    return timerEvent({ isPastDue: s.isPastDue === true }, at);
  }
  throw new InvalidEventError(
    "event",
    "is none of: an Event Grid event (eventType or specversion), a blob trigger's { uri, properties }, a queue's { message }, a timer's { scheduleTime }"
  );
}

// shared/client/armClient.ts
var ARM_ENDPOINT = "https://management.azure.com";
var ARM_SCOPE = "https://management.azure.com/.default";
var ArmError = class extends Error {
  name = "ArmError";
  statusCode;
  code;
  requestId;
  correlationId;
  details;
  constructor(init) {
    let error;
    try {
      error = JSON.parse(init.bodyText).error;
    } catch {
      error = void 0;
    }
    const code = error?.code ?? `HTTP${init.statusCode}`;
    const details = error?.details ?? [];
    const requestId = init.headers["x-ms-request-id"];
    const correlationId = init.headers["x-ms-correlation-request-id"];
    const ids = [requestId && `x-ms-request-id ${requestId}`, correlationId && `x-ms-correlation-request-id ${correlationId}`].filter(Boolean).join(", ");
    const more = details.length ? ` [${details.map((d) => `${d.code ?? "?"}: ${d.message ?? ""}`).join("; ")}]` : "";
    super(`${code}: ${error?.message ?? "no message"}${more} (HTTP ${init.statusCode} on ${init.method} ${init.path}${ids ? `, ${ids}` : ""})`);
    this.statusCode = init.statusCode;
    this.code = code;
    this.requestId = requestId;
    this.correlationId = correlationId;
    this.details = details;
  }
};
var ARM_DIALECT = {
  contentType: "application/json",
  requestIdHeader: "x-ms-request-id",
  nextLinkProperty: "nextLink",
  failure: (response, { method, url }) => new ArmError({ statusCode: response.status, bodyText: response.bodyText, method, path: url.pathname, headers: response.headers })
};
var ArmClient = class extends ServiceClient {
  endpoint;
  subscription;
  constructor(options, transport, redactor) {
    const endpoint = new URL(options.endpoint ?? ARM_ENDPOINT);
    const pipeline = buildPipeline(
      {
        dialect: "arm",
        auth: { kind: "bearer", credential: options.credential, scope: options.scope ?? ARM_SCOPE },
        retry: options.retry ?? {},
        redactor,
        userAgentPrefix: options.userAgentPrefix
      },
      transport
    );
    super(endpoint, ARM_DIALECT, pipeline, options.timeoutMs, redactor, options.hooks);
    this.endpoint = endpoint;
    this.subscription = options.subscription;
  }
  urlOf(path, options) {
    const url = new URL(this.endpoint.toString().replace(/\/$/, "") + path);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    return url;
  }
};

// shared/client/batchClient.ts
var BATCH_CONTENT_TYPE = "application/json; odata=minimalmetadata";
var BATCH_DIALECT = {
  contentType: BATCH_CONTENT_TYPE,
  requestIdHeader: "request-id",
  nextLinkProperty: "odata.nextLink",
  redirectNote: "(a Batch service does not redirect)",
  failure: (response, { method, url, headers }) => new BatchServiceError({
    statusCode: response.status,
    body: parseErrorBody(response.bodyText, response.headers["content-type"]),
    requestId: response.headers["request-id"],
    clientRequestId: response.headers["client-request-id"] ?? headers["client-request-id"],
    method,
    path: url.pathname
  })
};
var BatchClient = class extends ServiceClient {
  accountUrl;
  /** The api-version of every data-plane call this client makes. */
  apiVersion;
  closeTransport;
  /** The management-plane client, when the client was given an Entra ID credential for it. */
  arm;
  constructor(options) {
    const accountUrl = new URL(options.accountUrl);
    const callTimeoutMs = options.callTimeoutMs ?? options.retry?.maxRetryTimeMs ?? 5 * 6e4;
    const timeoutMs = Math.min(options.timeoutMs ?? 6e4, callTimeoutMs);
    const redactor = new Redactor(options.auth.kind === "sharedKey" ? [options.auth.accountKey] : []);
    const wait = Math.min(3e4, timeoutMs);
    const undici = options.transport ? void 0 : createUndiciTransport({ headersTimeoutMs: wait, bodyTimeoutMs: wait });
    const transport = options.transport ?? undici.send;
    const retry = { maxRetryTimeMs: callTimeoutMs, ...options.retry };
    const { auth } = options;
    const pipeline = buildPipeline(
      {
        dialect: "batch",
        auth: auth.kind === "entra" ? { kind: "bearer", credential: auth.credential, scope: auth.scope } : auth,
        retry,
        redactor,
        userAgentPrefix: options.userAgentPrefix,
        policies: options.policies
      },
      transport
    );
    super(accountUrl, BATCH_DIALECT, pipeline, timeoutMs, redactor, options.hooks);
    this.accountUrl = accountUrl;
    this.apiVersion = options.apiVersion ?? API_VERSION;
    this.closeTransport = async () => undici?.close();
    if (options.arm) {
      this.arm = new ArmClient({ ...options.arm, retry, hooks: options.hooks, userAgentPrefix: options.userAgentPrefix, timeoutMs }, transport, redactor);
    }
  }
  /**
   * A view of this client whose calls use another api-version (a workload's `account.apiVersion`);
   * it shares the connections, credentials and hooks. The same client when the version is its own.
   */
  withApiVersion(apiVersion) {
    if (apiVersion === void 0 || apiVersion === this.apiVersion) return this;
    const view = Object.create(this);
    Object.defineProperty(view, "apiVersion", { value: apiVersion, enumerable: true });
    return view;
  }
  /** The full URL of a path with the api-version and the query. */
  url(path, query = {}) {
    const url = new URL(this.accountUrl.toString().replace(/\/$/, "") + path);
    const params = new URLSearchParams({ "api-version": this.apiVersion });
    for (const [k, v] of Object.entries(query)) {
      if (v !== void 0) params.set(k === "timeout" || k === "timeOut" ? timeoutParameter(this.apiVersion) : k, String(v));
    }
    url.search = params.toString().replace(/\+/g, "%20");
    return url;
  }
  urlOf(path, options) {
    return this.url(path, options.query);
  }
  async close() {
    await this.closeTransport();
  }
};

// shared/client/clouds.ts
var CLOUDS = {
  AzureCloud: {
    name: "AzureCloud",
    authorityHost: "https://login.microsoftonline.com",
    batchScope: "https://batch.core.windows.net//.default",
    armEndpoint: "https://management.azure.com",
    armScope: "https://management.azure.com/.default",
    batchSuffix: "batch.azure.com",
    acrSuffix: "azurecr.io",
    portal: "https://portal.azure.com"
  },
  AzureUSGovernment: {
    name: "AzureUSGovernment",
    authorityHost: "https://login.microsoftonline.us",
    batchScope: "https://batch.core.usgovcloudapi.net//.default",
    armEndpoint: "https://management.usgovcloudapi.net",
    armScope: "https://management.usgovcloudapi.net/.default",
    batchSuffix: "batch.usgovcloudapi.net",
    acrSuffix: "azurecr.us",
    portal: "https://portal.azure.us"
  },
  AzureChinaCloud: {
    name: "AzureChinaCloud",
    authorityHost: "https://login.chinacloudapi.cn",
    batchScope: "https://batch.chinacloudapi.cn//.default",
    armEndpoint: "https://management.chinacloudapi.cn",
    armScope: "https://management.chinacloudapi.cn/.default",
    batchSuffix: "batch.chinacloudapi.cn",
    acrSuffix: "azurecr.cn",
    portal: "https://portal.azure.cn"
  }
};
function cloudNamed(name) {
  return Object.values(CLOUDS).find((c) => c.name.toLowerCase() === name.trim().toLowerCase());
}
function cloudOfAccountUrl(url) {
  const host = new URL(url).hostname.toLowerCase();
  return Object.values(CLOUDS).find((c) => host.endsWith(`.${c.batchSuffix}`));
}

// shared/client/credentials.ts
function accountNameFromUrl(accountUrl) {
  return new URL(accountUrl).hostname.split(".")[0] ?? "";
}
function isTokenCredential(c) {
  return typeof c.getToken === "function";
}
function createBatchClient(options) {
  const { credential, armEndpoint, cloud = CLOUDS.AzureCloud, ...rest } = options;
  if (isTokenCredential(credential)) {
    return new BatchClient({
      ...rest,
      auth: { kind: "entra", credential, scope: cloud.batchScope },
      arm: { credential, endpoint: armEndpoint ?? cloud.armEndpoint, scope: cloud.armScope }
    });
  }
  const auth = {
    kind: "sharedKey",
    accountName: credential.accountName || accountNameFromUrl(options.accountUrl),
    accountKey: credential.accountKey
  };
  return new BatchClient({ ...rest, auth });
}
var LOCAL_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
function createLocalBatchClient(local, options = {}) {
  if (!LOOPBACK_HOST.test(new URL(local.accountUrl).hostname))
    throw new UsageError(`${new URL(local.accountUrl).origin} is not a service on this machine; createLocalBatchClient is for the local Batch service only`);
  const credential = { getToken: async () => ({ token: "local-dev-token", expiresOnTimestamp: Date.now() + 36e5 }) };
  return new BatchClient({
    ...options,
    accountUrl: local.accountUrl,
    auth: { kind: "sharedKey", accountName: local.accountName, accountKey: local.accountKey },
    arm: { credential, endpoint: local.armEndpoint, subscription: LOCAL_SUBSCRIPTION }
  });
}
var KNOWN_AUTHORITIES = /* @__PURE__ */ new Set(["login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn", "login.microsoftonline.de"]);
function entraOptions(env) {
  const authorityHost = env.AZURE_AUTHORITY_HOST;
  if (!authorityHost) return {};
  return { authorityHost, ...KNOWN_AUTHORITIES.has(new URL(authorityHost).host) ? {} : { disableInstanceDiscovery: true } };
}
async function authFromEnvironment(accountUrl, env) {
  const key = env.AZURE_BATCH_ACCESS_KEY;
  if (key) {
    return { kind: "sharedKey", accountName: env.AZURE_BATCH_ACCOUNT || accountNameFromUrl(accountUrl), accountKey: key };
  }
  const { DefaultAzureCredential } = await import("@azure/identity");
  return { kind: "entra", credential: new DefaultAzureCredential(entraOptions(env)) };
}
function lazyEntraCredential(env) {
  let made;
  return {
    getToken: async (scopes, options) => {
      made ??= import("@azure/identity").then(({ DefaultAzureCredential }) => new DefaultAzureCredential(entraOptions(env)));
      return (await made).getToken(scopes, options);
    }
  };
}
function armFromAuth(auth, env) {
  return auth.kind === "entra" ? { credential: auth.credential, endpoint: env.AZURE_RESOURCE_MANAGER_ENDPOINT } : void 0;
}
var BATCH_ENDPOINT_SUFFIXES = Object.values(CLOUDS).map((c) => c.batchSuffix);
function isBatchEndpoint(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (LOOPBACK_HOST.test(u.hostname)) return u.protocol === "http:" || u.protocol === "https:";
  const host = u.hostname.toLowerCase();
  return u.protocol === "https:" && u.username === "" && u.password === "" && BATCH_ENDPOINT_SUFFIXES.some((suffix) => new RegExp(`^[a-z0-9]{3,24}\\.[a-z0-9-]+\\.${suffix.replace(/\./g, "\\.")}$`).test(host));
}
function resolveAccountUrl(flag, fromSpec, env) {
  if (flag === void 0 && fromSpec !== void 0 && !isBatchEndpoint(fromSpec)) {
    throw new UsageError(
      `account.url: ${safeOrigin2(fromSpec)} is not an Azure Batch endpoint (https://<account>.<region>.${BATCH_ENDPOINT_SUFFIXES.join(", or .")}) nor this machine; a spec alone cannot send requests elsewhere: give that endpoint with --account-url (the Action's account-url input) instead`
    );
  }
  const url = flag ?? fromSpec ?? env.AZURE_BATCH_ACCOUNT_URL ?? env.AZURE_BATCH_ENDPOINT;
  if (!url) return void 0;
  return /^https?:\/\//.test(url) ? url : `https://${url}`;
}
function safeOrigin2(url) {
  try {
    return new URL(url).origin;
  } catch {
    return JSON.stringify(url.slice(0, 100));
  }
}

// shared/run/followOutput.ts
var MAX_HELD = 64 * 1024;
async function followTaskOutput(client, jobId, taskIds, onChunk, options = {}) {
  const files = options.files ?? ["stdout.txt", "stderr.txt"];
  const redact = (text) => options.redactor ? options.redactor.text(text) : text;
  const followed = new Map(taskIds.map((taskId) => [taskId, files.map((file) => ({ taskId, file, offset: 0, held: "" }))]));
  const done = /* @__PURE__ */ new Set();
  const stats = options.stats;
  const jobPath = `/jobs/${encodeURIComponent(jobId)}`;
  const pass = (f, text, final) => {
    f.held += text;
    const end = final ? f.held.length : f.held.length > MAX_HELD ? f.held.length : f.held.lastIndexOf("\n") + 1;
    if (end <= 0) return;
    const out = f.held.slice(0, end);
    f.held = f.held.slice(end);
    onChunk({ taskId: f.taskId, file: f.file, text: redact(out) });
  };
  const poll = async (taskId) => {
    const sizes = new Map((await listTaskFiles(client, jobId, taskId, { signal: options.signal }).catch(() => [])).map((f) => [f.name, f.contentLength ?? 0]));
    if (stats) stats.requests++;
    let grew = false;
    for (const f of followed.get(taskId)) {
      const size2 = sizes.get(f.file) ?? 0;
      if (size2 <= f.offset) continue;
      grew = true;
      const response = await client.send("GET", `${jobPath}/tasks/${encodeURIComponent(taskId)}/files/${encodeURIComponent(f.file)}`, {
        headers: { "ocp-range": `bytes=${f.offset}-${size2 - 1}`, accept: "application/octet-stream" },
        accept: [404, 416],
        signal: options.signal
      });
      if (stats) stats.requests++;
      if (response.status !== 200) continue;
      const got = Number(response.headers["content-length"] ?? Buffer.byteLength(response.bodyText));
      f.offset += got;
      if (stats) stats.bytes.set(`${taskId}/${f.file}`, (stats.bytes.get(`${taskId}/${f.file}`) ?? 0) + got);
      pass(f, response.bodyText, false);
    }
    return grew;
  };
  const ending = /* @__PURE__ */ new Set();
  for (; ; ) {
    if (stats) stats.polls++;
    const before = stats?.requests ?? 0;
    for (const taskId of taskIds) {
      if (done.has(taskId)) continue;
      const grew = await poll(taskId);
      if (ending.has(taskId)) {
        for (const f of followed.get(taskId)) pass(f, "", true);
        done.add(taskId);
        continue;
      }
      if (grew) continue;
      const task = await client.send("GET", `${jobPath}/tasks/${encodeURIComponent(taskId)}`, {
        query: { $select: "id,state" },
        accept: [404],
        signal: options.signal
      });
      if (stats) stats.requests++;
      if (task.status === 200 && JSON.parse(task.bodyText).state === "completed") ending.add(taskId);
    }
    stats?.perPoll.push((stats?.requests ?? 0) - before);
    if (done.size === taskIds.length) return;
    if (ending.size > [...ending].filter((t) => done.has(t)).length) continue;
    await sleep(options.pollIntervalMs ?? 1e3, options.signal);
  }
}

// shared/classify.ts
var AUTH_ERROR_NAMES = /^(AuthenticationError|AggregateAuthenticationError|CredentialUnavailableError|AuthenticationRequiredError)$/;
var NOT_FOUND_CODES = /^(JobNotFound|TaskNotFound|PoolNotFound|NodeNotFound|JobScheduleNotFound)$/;
var AUTH_CODES = /^(AuthenticationFailed|AuthorizationFailure|AuthorizationPermissionMismatch|InvalidAuthenticationInfo|AccountIsDisabled)$/;
function classifyError(error) {
  if (error instanceof SpecError || error instanceof UsageError || error instanceof ConflictError) return "usage";
  if (error?.code !== void 0 && String(error.code).startsWith("ERR_PARSE_ARGS")) return "usage";
  if (error instanceof TasksFailedError) return "task";
  if (error instanceof CancelledError || error?.name === "AbortError") return "cancelled";
  if ((error instanceof BatchServiceError || error instanceof ArmError) && (error.statusCode === 401 || error.statusCode === 403 || AUTH_CODES.test(error.code)))
    return "auth";
  if (AUTH_ERROR_NAMES.test(error?.name ?? "")) return "auth";
  if (error instanceof BatchServiceError && error.statusCode === 404 && NOT_FOUND_CODES.test(error.code)) return "usage";
  return "service";
}
export {
  API_VERSION,
  API_VERSIONS,
  ARM_API_VERSION,
  ARM_ENDPOINT,
  ARM_SCOPE,
  ArmClient,
  ArmError,
  BATCH_SCOPE,
  BLOB_CREATED,
  BatchClient,
  BatchServiceError,
  BlobListing,
  CLOUDS,
  CancelledError,
  ConflictError,
  DEFAULT_SUBMIT_CONCURRENCY,
  EventSpec,
  INPUT_FIELDS,
  InvalidEventError,
  LOCAL_SUBSCRIPTION,
  MAX_BLOB_NAME,
  MAX_FILE_NAME_BYTES,
  MAX_POOL_PACKAGES,
  MAX_SUBMIT_CONCURRENCY,
  PoolNotReadyError,
  QueueMessage,
  QuotaReachedError,
  RUN_ID_METADATA,
  Redactor,
  SpecError,
  TaskSet,
  TasksFailedError,
  TransportError,
  UnexpectedResponseError,
  UsageError,
  VERSION,
  appPackageEnvName,
  applicationResourceId,
  armFromAuth,
  armPoolPath,
  assertFits,
  authFromEnvironment,
  blobEvent,
  blobFromUrl,
  blobSourcesOf,
  blobTaskId2 as blobTaskId,
  classifyError,
  cleanup,
  cloudNamed,
  cloudOfAccountUrl,
  createBatchClient,
  createLocalBatchClient,
  createdByRun,
  deployPackage,
  describeRetry,
  describeSource,
  entraOptions,
  eventFromSample,
  eventGridEvent,
  findBatchAccount,
  followTaskOutput,
  getJobStatus,
  isApiVersion,
  jobGenerationId,
  lastLines,
  lazyEntraCredential,
  listForEachBlobs,
  listTaskFiles,
  loadSpec,
  loadSpecObject,
  loadSpecTextWithBlobs,
  loadSpecWithBlobs,
  outcomeOf,
  parseSpecText,
  plan,
  planCalls,
  preflight,
  queueEvent,
  queueMessageJsonSchema,
  readTaskFileTail,
  readTaskOutput,
  resolveAccountUrl,
  runWorkload,
  safeFileName,
  silentReporter,
  submitTasks,
  taskOutputRedactor,
  terminateJob,
  timerEvent,
  translateArmPool,
  workloadJsonSchema,
  zipFolder
};
//# sourceMappingURL=index.js.map
