// The V8 and Node flags each of the node's own processes runs with, from the production build. One definition, used by
// the helper when it starts cloudyd, by the systemd units the package generates (scripts/build-deb.ts) and, for the
// helper itself, mirrored in bin/cloudy (a test keeps the two equal). Chosen by measurement: docs/decisions.md AG.
// No --enable-source-maps: stack traces are mapped when they are printed (src/shared/lazy-source-maps.ts).

/** A 1 MB young generation instead of V8's default 16 MB per semi-space: an idle node several MB smaller (decision AB). */
const SMALL_YOUNG_GENERATION = '--max-semi-space-size=1';

/**
 * The root helper answers a few calls a minute: V8's interpreter alone serves it, and not loading the optimising
 * compilers keeps their code out of its memory. Without a JIT there is no WebAssembly either; saying so spares a
 * warning at every start.
 */
export const HELPER_NODE_FLAGS: readonly string[] = [SMALL_YOUNG_GENERATION, '--jitless', '--no-expose-wasm'];

/**
 * cloudyd serves the panel and the API: the baseline compiler (Sparkplug) stays, the optimising tiers (Maglev,
 * TurboFan) are off, which saves memory an idle node would otherwise keep for code it optimised once at start-up.
 */
export const CLOUDYD_NODE_FLAGS: readonly string[] = [SMALL_YOUNG_GENERATION, '--no-opt', '--no-maglev'];
