// Vite build of the web panel (src/web → dist/web); JSX compiled by oxc for Preact, no plugins.
import { defineConfig } from 'vite';

/** Where `vite` (dev server) forwards API and module web UI calls; a running cloudyd by default. */
const cloudydUrl = process.env.CLOUDY_URL ?? 'https://localhost:7000';

export default defineConfig({
  root: 'src/web',
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': { target: cloudydUrl, secure: false },
      '/apps': { target: cloudydUrl, secure: false },
    },
  },
});
