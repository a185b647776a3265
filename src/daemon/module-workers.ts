// Modules' own work in cloudyd while they run (`whileRunning`): one at a time per module, restarted with fresh
// settings, aborted at stop, and started again a minute after a failure.
import type { ModuleHooks, ModuleRuntime } from '../kit/module-hooks.ts';

/** A module's `whileRunning` work that failed starts again after this long. */
const WORKER_RETRY_MS = 60_000;

export class ModuleWorkers {
  private readonly running = new Map<string, AbortController>();

  /** (Re)starts the module's work with a runtime made now (its current settings). */
  start(id: string, work: NonNullable<ModuleHooks['whileRunning']>, runtime: () => ModuleRuntime): void {
    this.stop(id);
    const controller = new AbortController();
    this.running.set(id, controller);
    const runOnce = (): void => {
      work(runtime(), controller.signal).catch((error: Error) => {
        if (controller.signal.aborted) return;
        console.log(`cloudyd: ${id}: its work stopped: ${error.message}; again in ${WORKER_RETRY_MS / 1000} s`);
        setTimeout(() => controller.signal.aborted || runOnce(), WORKER_RETRY_MS).unref();
      });
    };
    runOnce();
  }

  stop(id: string): void {
    this.running.get(id)?.abort();
    this.running.delete(id);
  }
}
