// Production build of the node's three programs: cloudyd, cloudy-helper and the cloudy CLI, bundled by esbuild into
// plain JavaScript under dist/node (no TypeScript loader at run time), with source maps for stack traces.
import { rmSync } from 'node:fs';

import { build } from 'esbuild';

// A clean output dir: chunk names are content hashes, and stale ones would ship in the package.
rmSync('dist/node', { recursive: true, force: true });

await build({
  entryPoints: {
    cloudyd: 'src/daemon/main.ts',
    'cloudy-helper': 'src/helper/main.ts',
    cloudy: 'src/cli/cloudy.ts',
    // Started as a worker thread (cnml-source.ts), so it has to be a file of its own.
    'cnml-worker': 'src/modules/snpservices/cnml-worker.ts',
  },
  outdir: 'dist/node',
  bundle: true,
  // Shared code goes into chunks: each process loads only what its entry imports.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // The maps name files and lines; the sources themselves stay in the checkout or package (a smaller map to load).
  sourcesContent: false,
  // Without whitespace and comments the bundle is pure ASCII: V8 keeps it as a one-byte string (a comment's "→" made
  // cloudyd's 2.4 MB source a 4.5 MB two-byte string). Identifiers keep their names, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  // Left in node_modules: a native addon with its compiled .node file, and a sloppy-mode library (implicit globals)
  // that breaks inside a strict ESM bundle.
  external: ['better-sqlite3', '@ledgerhq/compressjs'],
  // Bundled CommonJS dependencies call require(); ESM output has none unless it is made.
  banner: { js: "import { createRequire as cloudyCreateRequire } from 'node:module'; const require = cloudyCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: false,
});
