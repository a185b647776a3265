// Production build of the node's three programs: cloudyd, cloudy-helper and the cloudy CLI, bundled by esbuild into
// plain JavaScript under dist/node (no TypeScript loader at run time), with source maps for stack traces.
import { build } from 'esbuild';

await build({
  entryPoints: { cloudyd: 'src/daemon/main.ts', 'cloudy-helper': 'src/helper/main.ts', cloudy: 'src/cli/cloudy.ts' },
  outdir: 'dist/node',
  bundle: true,
  // Shared code goes into chunks: each process loads only what its entry imports.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Left in node_modules: a native addon with its compiled .node file, and a sloppy-mode library (implicit globals)
  // that breaks inside a strict ESM bundle.
  external: ['better-sqlite3', '@ledgerhq/compressjs'],
  // Bundled CommonJS dependencies call require(); ESM output has none unless it is made.
  banner: { js: "import { createRequire as cloudyCreateRequire } from 'node:module'; const require = cloudyCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: false,
});
