// Remembers what the bench started (processes, temp dirs) so that every way out of the run undoes it.
type CleanupStep = () => Promise<void> | void;

const steps: CleanupStep[] = [];

export function onCleanup(step: CleanupStep): void {
  steps.push(step);
}

/** Runs the steps newest first; one failing step does not stop the others. */
export async function cleanupAll(): Promise<void> {
  while (steps.length > 0) {
    try {
      await steps.pop()!();
    } catch (error) {
      console.error(`bench: cleanup step failed: ${(error as Error).message}`);
    }
  }
}

/** Kills a process by PID if it is still there; a missing process is fine. */
export function killIfAlive(pid: number | null | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Runs a bench's main: cleans up on success, failure, Ctrl-C and SIGTERM alike. */
export async function runBench(main: () => Promise<void>): Promise<void> {
  const interrupted = (signal: NodeJS.Signals) => () => {
    console.error(`bench: ${signal}: cleaning up`);
    void cleanupAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted('SIGINT'));
  process.once('SIGTERM', interrupted('SIGTERM'));
  try {
    await main();
  } catch (error) {
    console.error(`bench failed: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  } finally {
    await cleanupAll();
  }
}
