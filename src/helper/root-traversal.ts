// Module daemons run as their own users and open their files by absolute paths below the node's root dir; Apache even
// checks every directory of a path for symbolic links. A root inside a private directory (mktemp -d, /root) would
// lock them out, so the root and each directory above it must let others pass through: o+x, never o+r (no listing).
import { chmodSync, statSync } from 'node:fs';
import path from 'node:path';

/** Adds o+x where it is missing, from the root up to `/`; returns the directories it changed. */
export function letDaemonsReachRoot(root: string): string[] {
  const opened: string[] = [];
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      opened.push(dir);
    }
    if (dir === path.dirname(dir)) return opened;
  }
}
