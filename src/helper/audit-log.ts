// One line per helper call, secrets shown as ****, appended to the node's audit log.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface AuditEntry {
  action: string;
  args: Record<string, unknown>;
  secretArgs: string[];
  outcome: 'ok' | 'rejected' | 'failed';
  detail?: string;
  durationMs?: number;
}

export function redact(args: Record<string, unknown>, secretArgs: string[]): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) shown[key] = secretArgs.includes(key) ? '****' : value;
  return shown;
}

export class AuditLog {
  constructor(private readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
  }

  /** Synchronous on purpose: the line is on disk before the action's result goes back. */
  write(entry: AuditEntry): string {
    const argsText = JSON.stringify(redact(entry.args, entry.secretArgs)).slice(0, 2000);
    const parts = [new Date().toISOString(), `» ${entry.action}(${argsText})`, entry.outcome];
    if (entry.durationMs !== undefined) parts.push(`${entry.durationMs}ms`);
    if (entry.detail) parts.push(JSON.stringify(entry.detail.slice(0, 500)));
    const line = parts.join(' ');
    appendFileSync(this.file, `${line}\n`, { mode: 0o640 });
    return line;
  }
}
