// Preloaded into a process under test (--import): records every child process it starts, to prove none is a shell.
import childProcess from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const logFile = process.env.CLOUDY_SPAWN_LOG;
if (!logFile) throw new Error('CLOUDY_SPAWN_LOG must name the file that receives spawn records');

type Spawner = (...args: unknown[]) => unknown;
const record = (api: string, program: unknown, args: unknown, options: unknown) =>
  appendFileSync(logFile, `${JSON.stringify({ api, program, args: Array.isArray(args) ? args : [], shell: (options as { shell?: unknown } | undefined)?.shell ?? false })}\n`);

for (const api of ['spawn', 'execFile', 'exec', 'spawnSync', 'execFileSync', 'execSync', 'fork'] as const) {
  const original = childProcess[api] as unknown as Spawner;
  (childProcess as unknown as Record<string, Spawner>)[api] = function recorded(this: unknown, ...args: unknown[]) {
    const [program, second, third] = args;
    const argv = Array.isArray(second) ? second : [];
    record(api, program, argv, Array.isArray(second) ? third : second);
    return original.apply(this, args);
  };
}
// ESM `import { spawn } from 'node:child_process'` reads these bindings: publish the wrapped functions.
syncBuiltinESMExports();
