// What the lab (netns-lab.ts) and the containers (nspawn-container.ts) need to manage processes by PID, never by name.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Field 22 of /proc/PID/stat: start time in clock ticks since boot. Same PID + same start time = same process. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch { return undefined; }
}

export function sendSignal(pid: number, signal: NodeJS.Signals | number): void {
  try { process.kill(pid, signal); } catch { /* already gone */ }
}

/** Whether the promise settles within ms; the timer is cleared either way, so it never holds the process open. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise.then(() => true), sleep(ms, false, { signal: timer.signal })]);
  } finally { timer.abort(); }
}

/**
 * Runs a synchronous cleanup when the test process exits or is stopped by SIGINT/SIGTERM, then lets the signal act:
 * what a test started (namespaces, containers) must not outlive it, even when the runner kills it.
 */
export function cleanUpOnExit(cleanupSync: () => void): void {
  process.on('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // Not `once`: while the cleanup runs, a second signal (the test runner forwards it) must wait
    // for this handler instead of hitting the restored default action and killing us midway.
    process.on(signal, function onSignal() {
      cleanupSync();
      process.off(signal, onSignal);
      // Listening disabled the default action (exit); restore it unless someone else handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
