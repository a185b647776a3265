// Reads every source file under src/ with the local files it imports, for the architecture tests.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { repoDir } from '../support/cloudy-node.ts';

export interface SourceFile {
  /** Repo-relative, e.g. src/daemon/app.ts */
  file: string;
  text: string;
  /** Repo-relative paths of imported local files; package names for bare imports. */
  imports: string[];
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

export function readSources(): SourceFile[] {
  return walk(path.join(repoDir, 'src')).map((absolute) => {
    const text = readFileSync(absolute, 'utf8');
    const imports = [...text.matchAll(IMPORT)].map((match) => {
      const target = (match[1] ?? match[2] ?? match[3])!;
      return target.startsWith('.') ? path.relative(repoDir, path.resolve(path.dirname(absolute), target)) : target;
    });
    return { file: path.relative(repoDir, absolute), text, imports };
  });
}
