// How a root action is declared: a name, schemas for its arguments and result, and a run function.
import type { Static, TObject, TSchema } from '@sinclair/typebox';

import type { ModuleManifest } from './manifest.ts';

export interface ProgramResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Run as this user (name of a system user); default root. */
  user?: string;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** Written to the program's standard input (e.g. a password, kept out of argv and /proc). */
  input?: string;
  /** Receives each line the program writes on file descriptor 3 (e.g. apt's APT::Status-Fd=3). */
  onStatusLine?: (line: string) => void;
  /**
   * Standard output is binary (an image): `stdout` is its bytes in base64, whole; more than `maxBytes` kills the
   * program and fails, rather than cutting the bytes as text output is cut (to its last 256 KB).
   */
  binaryStdout?: { maxBytes: number };
}

/** The only way root actions reach the system: argv arrays, atomic writes, declared paths only. */
export interface SystemDoor {
  run(program: string, args: string[], options?: RunOptions): Promise<ProgramResult>;
  /** Reads a regular file below a declared path; a symlink or a path leading outside is refused. */
  readFile(absolutePath: string): Promise<string>;
  writeFileAtomic(absolutePath: string, content: string, options: { mode: number; user?: string }): Promise<void>;
  ensureDirectory(absolutePath: string, options: { mode: number; user?: string }): Promise<void>;
  removeTree(absolutePath: string): Promise<void>;
  /** Names of the entries of a directory below a declared path (empty when it does not exist). */
  listDirectory(absolutePath: string): Promise<string[]>;
  ensureSystemUser(name: string, home: string): Promise<{ uid: number; gid: number }>;
  lookupUser(name: string): Promise<{ uid: number; gid: number } | null>;
}

export interface ProgressUpdate {
  percent?: number;
  message?: string;
}

export interface ActionContext {
  /** Node root dir; every system path is below it. */
  root: string;
  door: SystemDoor;
  manifest(moduleId: string): ModuleManifest;
  progress(update: ProgressUpdate): void;
}

export interface PrivilegedAction<A extends TObject = TObject, R extends TSchema = TSchema> {
  /** `<module>.<verb>` or `<area>.<verb>` for the helper's own actions. */
  name: string;
  description: string;
  args: A;
  result: R;
  /** Argument names redacted in the audit log. */
  secretArgs?: string[];
  run(args: Static<A>, context: ActionContext): Promise<Static<R>>;
}

export function defineAction<A extends TObject, R extends TSchema>(action: PrivilegedAction<A, R>): PrivilegedAction<A, R> {
  return action;
}
