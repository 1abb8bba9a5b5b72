/**
 * Builds small test and example images `FROM scratch` with Debian's busybox-static, since no
 * public registry can be reached. Arguments go to `docker` as an array, never through a shell.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const BUSYBOX = ["/bin/busybox", "/usr/bin/busybox"].find((p) => existsSync(p));

export interface ImageOptions {
  /** ENTRYPOINT in exec form; absent = none (the command line is the whole command). */
  entrypoint?: string[];
  workdir?: string;
  /** Extra files: path in the image -> content. */
  files?: Record<string, string>;
}

export async function buildBusyboxImage(tag: string, options: ImageOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!BUSYBOX) throw new Error("busybox is not installed (Debian package busybox-static)");
  const dir = await mkdtemp(join(tmpdir(), "azbr-image-"));
  try {
    await copyFile(BUSYBOX, join(dir, "busybox"));
    const lines = ["FROM scratch", "COPY busybox /bin/busybox", 'RUN ["/bin/busybox", "--install", "-s", "/bin"]'];
    for (const [path, content] of Object.entries(options.files ?? {})) {
      const name = `file-${Object.keys(options.files ?? {}).indexOf(path)}`;
      await writeFile(join(dir, name), content, { mode: 0o755 });
      lines.push(`COPY ${name} ${path}`);
    }
    if (options.workdir) lines.push(`WORKDIR ${options.workdir}`);
    if (options.entrypoint) lines.push(`ENTRYPOINT ${JSON.stringify(options.entrypoint)}`);
    await writeFile(join(dir, "Dockerfile"), `${lines.join("\n")}\n`);
    await run("docker", ["build", "--quiet", "--tag", tag, dir], { env });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
