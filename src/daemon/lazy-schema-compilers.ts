// Fastify compiles a validator (ajv) and a serializer (fast-json-stringify) for every route schema before it listens:
// about 300 ms of a cold start on these cores, for routes most starts never see. These builders hand Fastify the same
// compilers, each route's code generated on its first request instead (docs/decisions.md AG).
import ValidatorSelector from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';

type Compiled = ((data: unknown) => unknown) & { errors?: unknown };
type Compile = (route: never) => Compiled;

/** Compilations not run yet; `compileAll` runs them (a test does, so a bad schema still fails before it ships). */
const pending = new Set<() => Compiled>();

function deferred<Build extends (...args: never[]) => Compile>(build: Build): Build {
  const lazyBuild = (...args: Parameters<Build>) => {
    let compile: Compile | undefined;
    return (route: never) => {
      let compiled: Compiled | undefined;
      const get = (): Compiled => {
        pending.delete(get);
        return (compiled ??= (compile ??= build(...args))(route));
      };
      pending.add(get);
      const lazy: Compiled = (data) => get()(data);
      // Fastify reads a validator's `errors` after a call that returned false.
      Object.defineProperty(lazy, 'errors', { get: () => get().errors });
      return lazy;
    };
  };
  return lazyBuild as unknown as Build;
}

export const lazySchemaCompilers = {
  buildValidator: deferred(ValidatorSelector()),
  buildSerializer: deferred(SerializerSelector()),
};

/** Compiles every schema registered so far; returns how many. */
export function compileAll(): number {
  const all = [...pending];
  for (const get of all) get();
  return all.length;
}
