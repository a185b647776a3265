// The part of autocannon's programmatic API the bench uses (the package ships no types).
declare module 'autocannon' {
  interface AutocannonOptions {
    url: string;
    connections?: number;
    duration?: number;
    headers?: Record<string, string>;
    /** Overrides per request; `path` is sent verbatim on the request line. */
    requests?: Array<{ path?: string }>;
    warmup?: { connections?: number; duration?: number };
  }
  interface AutocannonResult {
    requests: { average: number; total: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  }
  /** Without a callback, autocannon returns its run's event emitter, which is also a promise of the result. */
  interface AutocannonRun extends PromiseLike<AutocannonResult> {
    on(event: 'start' | 'done', listener: () => void): this;
    on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): this;
  }
  export default function autocannon(options: AutocannonOptions): AutocannonRun;
}
