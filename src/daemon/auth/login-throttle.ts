// Slows password guessing: after too many failures from one address or for one account, refuse for a while.
const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 5;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  /** Seconds to wait before another attempt is allowed, or 0. */
  retryAfterSeconds(address: string, username: string): number {
    const now = Date.now();
    let wait = 0;
    for (const key of [`ip:${address}`, `user:${username}`]) {
      const recent = (this.failures.get(key) ?? []).filter((time) => now - time < WINDOW_MS);
      this.failures.set(key, recent);
      if (recent.length >= MAX_FAILURES) wait = Math.max(wait, Math.ceil((recent[0]! + WINDOW_MS - now) / 1000));
    }
    return wait;
  }

  recordFailure(address: string, username: string): void {
    for (const key of [`ip:${address}`, `user:${username}`]) this.failures.set(key, [...(this.failures.get(key) ?? []), Date.now()]);
  }

  recordSuccess(address: string, username: string): void {
    this.failures.delete(`ip:${address}`);
    this.failures.delete(`user:${username}`);
  }
}
