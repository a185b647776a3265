// Background chores that repeat: they never keep the process alive, a failure is logged, and `clear` ends them all.
export class IntervalTimers {
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly log: (line: string) => void) {}

  every(ms: number, work: () => unknown): void {
    const timer = setInterval(() => void Promise.resolve().then(work).catch((error: Error) => this.log(error.message)), ms);
    timer.unref();
    this.timers.push(timer);
  }

  clear(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }
}
