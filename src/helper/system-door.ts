// The helper's one door to the system: programs by argv, atomic writes, and only below allowed paths.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, chown, lstat, mkdir, open, readdir, realpath, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { isInside } from '../kit/template.ts';
import type { ProgramResult, RunOptions, SystemDoor } from '../kit/privileged-action.ts';

export class PathNotDeclaredError extends Error {
  override name = 'PathNotDeclaredError';
}

const OUTPUT_LIMIT = 256 * 1024;

export class LocalSystemDoor implements SystemDoor {
  /** @param allowedRoots absolute directories below which files may be written or removed. */
  constructor(private readonly allowedRoots: string[]) {}

  /**
   * The path must lie below a declared one, first as written and then for real: where a less trusted user
   * owns a declared directory, a symlink it planted could send root's writes, chmod and chown elsewhere,
   * so the nearest existing part of the path must resolve inside the declared path it belongs to.
   */
  private async assertDeclared(absolutePath: string): Promise<void> {
    if (!path.isAbsolute(absolutePath) || !this.allowedRoots.some((base) => isInside(base, absolutePath))) {
      throw new PathNotDeclaredError(`path ${absolutePath} is outside every declared path`);
    }
    let existing = absolutePath;
    while (!(await lstat(existing).then(() => true, () => false))) existing = path.dirname(existing);
    const base = this.allowedRoots.find((root) => isInside(root, existing));
    if (!base) return; // An ancestor of the declared paths: created and owned by root.
    const realBase = await realpath(base);
    if (!isInside(realBase, await realpath(existing))) {
      throw new PathNotDeclaredError(`path ${absolutePath} leads outside ${base} through a symbolic link`);
    }
  }

  private async assertPlainDirectory(absolutePath: string): Promise<void> {
    const stat = await lstat(absolutePath);
    if (stat.isSymbolicLink() || !stat.isDirectory()) throw new PathNotDeclaredError(`${absolutePath} is not a plain directory`);
  }

  async run(program: string, args: string[], options: RunOptions = {}): Promise<ProgramResult> {
    const account = options.user ? await this.requireUser(options.user) : undefined;
    const child = spawn(program, args, {
      shell: false,
      cwd: options.cwd,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', options.onStatusLine ? 'pipe' : 'ignore'],
      ...(account ? { uid: account.uid, gid: account.gid } : {}),
    });
    child.stdin?.end(options.input);
    let stdout = '';
    let stderr = '';
    const binary: Buffer[] = [];
    let binaryBytes = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!options.binaryStdout) {
        stdout = (stdout + chunk.toString()).slice(-OUTPUT_LIMIT);
        return;
      }
      binaryBytes += chunk.length;
      if (binaryBytes > options.binaryStdout.maxBytes) child.kill('SIGKILL');
      else binary.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-OUTPUT_LIMIT)));
    const statusStream = child.stdio[3];
    if (options.onStatusLine && statusStream && 'on' in statusStream) {
      createInterface({ input: statusStream as NodeJS.ReadableStream }).on('line', options.onStatusLine);
    }
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode) => resolve(exitCode));
    }).finally(() => clearTimeout(timer));
    if (options.binaryStdout) {
      if (binaryBytes > options.binaryStdout.maxBytes) throw new Error(`${program} wrote more than ${options.binaryStdout.maxBytes} bytes`);
      stdout = Buffer.concat(binary).toString('base64');
    }
    return { code, stdout, stderr };
  }

  async readFile(absolutePath: string): Promise<string> {
    await this.assertDeclared(absolutePath);
    const handle = await open(absolutePath, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      if (!(await handle.stat()).isFile()) throw new PathNotDeclaredError(`${absolutePath} is not a regular file`);
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  }

  async writeFileAtomic(absolutePath: string, content: string, options: { mode: number; user?: string }): Promise<void> {
    await this.assertDeclared(absolutePath);
    await mkdir(path.dirname(absolutePath), { recursive: true });
    await this.assertPlainDirectory(path.dirname(absolutePath));
    const temporary = `${absolutePath}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      const handle = await open(temporary, 'wx', options.mode);
      try {
        await handle.writeFile(content);
        await handle.chmod(options.mode);
        if (options.user) {
          const account = await this.requireUser(options.user);
          await handle.chown(account.uid, account.gid);
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, absolutePath);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  async ensureDirectory(absolutePath: string, options: { mode: number; user?: string }): Promise<void> {
    await this.assertDeclared(absolutePath);
    // Parents get 0755 so the daemon's user can traverse them; only the leaf gets the requested mode.
    await mkdir(path.dirname(absolutePath), { recursive: true, mode: 0o755 });
    await mkdir(absolutePath, { recursive: true });
    await this.assertDeclared(absolutePath);
    await this.assertPlainDirectory(absolutePath);
    await chmod(absolutePath, options.mode);
    if (options.user) {
      const account = await this.requireUser(options.user);
      await chown(absolutePath, account.uid, account.gid);
    }
  }

  async removeTree(absolutePath: string): Promise<void> {
    await this.assertDeclared(absolutePath);
    if (this.allowedRoots.some((base) => path.resolve(base) === path.resolve(absolutePath))) {
      throw new PathNotDeclaredError(`refusing to remove the declared root ${absolutePath} itself`);
    }
    await rm(absolutePath, { recursive: true, force: true });
  }

  async listDirectory(absolutePath: string): Promise<string[]> {
    await this.assertDeclared(absolutePath);
    const stat = await lstat(absolutePath).catch(() => null);
    if (!stat) return [];
    if (stat.isSymbolicLink() || !stat.isDirectory()) throw new PathNotDeclaredError(`${absolutePath} is not a plain directory`);
    return readdir(absolutePath);
  }

  async lookupUser(name: string): Promise<{ uid: number; gid: number } | null> {
    const { code, stdout } = await this.run('getent', ['passwd', name]);
    if (code !== 0) return null;
    const fields = stdout.trim().split(':');
    return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }

  async ensureSystemUser(name: string, home: string): Promise<{ uid: number; gid: number }> {
    const existing = await this.lookupUser(name);
    if (existing) return existing;
    const created = await this.run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', home, '--shell', '/usr/sbin/nologin', name]);
    // Exit 9 means another node on this machine created it a moment ago: the account exists, which is what we want.
    if (created.code !== 0 && created.code !== 9) throw new Error(`useradd ${name} failed: ${created.stderr.trim()}`);
    return this.requireUser(name);
  }

  private async requireUser(name: string): Promise<{ uid: number; gid: number }> {
    const account = await this.lookupUser(name);
    if (!account) throw new Error(`system user ${name} does not exist`);
    return account;
  }
}
