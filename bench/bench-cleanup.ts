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
