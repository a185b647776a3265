// Long work as Operations: persisted in SQLite, progress streamed as events, truthful after a crash.
import { randomUUID } from 'node:crypto';

import type { Operation, OperationState } from '../shared/api-contract.ts';
import { conflict, notFound } from './api-error.ts';
import type { Db } from './database.ts';
import type { EventBus } from './event-bus.ts';

export interface OperationHandle {
  progress(percent: number | undefined, message?: string): void;
  log(line: string): void;
}

interface OperationRow {
  id: string;
  module: string;
  kind: string;
  state: OperationState;
  progress: number;
  message: string;
  error: string | null;
  log_json: string;
  created_at: string;
  updated_at: string;
}

const LOG_LINES_KEPT = 200;
const PERSIST_INTERVAL_MS = 250;

function fromRow(row: OperationRow): Operation {
  return {
    id: row.id,
    module: row.module,
    kind: row.kind,
    state: row.state,
    progress: row.progress,
    message: row.message,
    error: row.error,
    log: JSON.parse(row.log_json) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class OperationStore {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
  ) {}

  /** Anything still waiting or running belongs to a cloudyd that died: say so instead of pretending. */
  failInterrupted(): number {
    return this.db
      .prepare(`UPDATE operations SET state = 'failed', error = ?, updated_at = ? WHERE state IN ('waiting', 'running')`)
      .run('Cloudy stopped while this operation was running; check the module state and try again.', new Date().toISOString()).changes;
  }

  assertIdle(module: string): void {
    const busy = this.db.prepare(`SELECT kind FROM operations WHERE module = ? AND state IN ('waiting', 'running')`).get(module) as { kind: string } | undefined;
    if (busy) throw conflict(`${module} is busy (${busy.kind}); wait until that finishes.`);
  }

  get(id: string): Operation {
    const row = this.db.prepare('SELECT * FROM operations WHERE id = ?').get(id) as OperationRow | undefined;
    if (!row) throw notFound(`Operation ${id}`);
    return fromRow(row);
  }

  recent(limit = 50): Operation[] {
    return (this.db.prepare('SELECT * FROM operations ORDER BY created_at DESC LIMIT ?').all(limit) as OperationRow[]).map(fromRow);
  }

  /**
   * Records a new operation and runs `work` in the background; one operation per module at a time.
   * @param title a sentence naming the work, shown while it waits.
   */
  start(module: string, kind: string, title: string, work: (handle: OperationHandle) => Promise<void>, onSettled?: () => void): Operation {
    this.assertIdle(module);
    const now = new Date().toISOString();
    const operation: Operation = { id: randomUUID(), module, kind, state: 'waiting', progress: 0, message: title, error: null, log: [], createdAt: now, updatedAt: now };
    this.db
      .prepare('INSERT INTO operations (id, module, kind, state, progress, message, log_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(operation.id, module, kind, operation.state, 0, title, '[]', now, now);
    this.events.publish({ type: 'operation', operation: { ...operation } });
    void this.execute(operation, work).finally(onSettled);
    return operation;
  }

  private async execute(operation: Operation, work: (handle: OperationHandle) => Promise<void>): Promise<void> {
    let lastPersisted = 0;
    const save = (force: boolean) => {
      operation.updatedAt = new Date().toISOString();
      if (force || Date.now() - lastPersisted > PERSIST_INTERVAL_MS) {
        lastPersisted = Date.now();
        this.db
          .prepare('UPDATE operations SET state = ?, progress = ?, message = ?, error = ?, log_json = ?, updated_at = ? WHERE id = ?')
          .run(operation.state, operation.progress, operation.message, operation.error, JSON.stringify(operation.log), operation.updatedAt, operation.id);
      }
      this.events.publish({ type: 'operation', operation: { ...operation, log: [...operation.log] } });
    };
    const handle: OperationHandle = {
      progress(percent, message) {
        if (percent !== undefined) operation.progress = Math.max(0, Math.min(100, percent));
        if (message) operation.message = message;
        save(false);
      },
      log(line) {
        operation.log.push(`${new Date().toISOString()} ${line}`);
        if (operation.log.length > LOG_LINES_KEPT) operation.log.splice(0, operation.log.length - LOG_LINES_KEPT);
        save(false);
      },
    };
    operation.state = 'running';
    save(true);
    try {
      await work(handle);
      operation.state = 'completed';
      operation.progress = 100;
    } catch (error) {
      operation.state = 'failed';
      operation.error = error instanceof Error ? error.message : String(error);
      handle.log(`failed: ${operation.error}`);
    }
    save(true);
  }
}
