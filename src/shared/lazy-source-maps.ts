// Stack traces of the production build name the TypeScript file and line, from the build's .map files, read only when
// a stack is formatted. Node's --enable-source-maps reads and keeps every map at start: ≈ 6 MB of cloudyd's idle
// memory and ≈ 80 ms of its cold start for traces that are rarely printed (docs/decisions.md AG).
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const maps = new Map<string, SourceMap | null>();

function mapFor(file: string): SourceMap | null {
  if (!maps.has(file)) {
    try {
      maps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
    } catch {
      maps.set(file, null);
    }
  }
  return maps.get(file)!;
}

/** `at name (file:line:column)` with the original place when this file has a map that knows it. */
function describe(frame: NodeJS.CallSite): string {
  const text = frame.toString();
  const url = frame.getFileName();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  if (!url || !line || !column || !url.endsWith('.js')) return text;
  const file = url.startsWith('file:') ? fileURLToPath(url) : url;
  const entry = mapFor(file)?.findEntry(line - 1, column - 1);
  if (!entry || !('originalSource' in entry) || !entry.originalSource) return text;
  const source = path.resolve(path.dirname(file), entry.originalSource.replace(/^file:\/\//, ''));
  const place = `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  const name = frame.getFunctionName() ?? frame.getMethodName();
  return name ? `${frame.isAsync() ? 'async ' : ''}${name} (${place})` : place;
}

/** For an entry point: in the build (`entryUrl` ends in .js); a checkout run through tsx has its own source maps. */
export function mapStackTracesLazily(entryUrl: string): void {
  if (!entryUrl.endsWith('.js')) return;
  Error.prepareStackTrace = (error, frames) => {
    const header = Error.prototype.toString.call(error);
    return [header, ...frames.map((frame) => `    at ${describe(frame)}`)].join('\n');
  };
}
