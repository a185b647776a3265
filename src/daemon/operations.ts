// Long work as Operations: persisted in SQLite, progress streamed as events, truthful after a crash.
import { randomUUID } from 'node:crypto';

import type { Language, Operation, OperationState } from '../shared/api-contract.ts';
import type { LocalizedText } from '../shared/discovery-contract.ts';
import { conflict, notFound } from './api-error.ts';
import type { Db } from './database.ts';
import type { EventBus } from './event-bus.ts';

/** A message in every panel language, or one text for all (a daemon's own words, e.g. apt's). */
export type OperationMessage = string | LocalizedText;

export interface OperationHandle {
  progress(percent: number | undefined, message?: OperationMessage): void;
  log(line: string): void;
}

/** An operation as the store and the event bus hold it: its message in every language. */
export interface LocalizedOperation extends Operation {
  messageText: LocalizedText;
}

const inEveryLanguage = (message: OperationMessage): LocalizedText => (typeof message === 'string' ? { en: message, ca: message, es: message } : message);

/** The operation as one reader sees it: the message in their language. */
export function operationIn(operation: LocalizedOperation, language: Language): Operation {
  const { messageText, ...rest } = operation;
  return { ...rest, message: messageText[language] };
}

interface OperationRow {
  id: string;
  module: string;
  kind: string;
  state: OperationState;
  progress: number;
  message: string;
  message_text: string | null;
  error: string | null;
  log_json: string;
  created_at: string;
  updated_at: string;
}

const LOG_LINES_KEPT = 200;
const PERSIST_INTERVAL_MS = 250;

function fromRow(row: OperationRow): LocalizedOperation {
  return {
    id: row.id,
    module: row.module,
    kind: row.kind,
    state: row.state,
    progress: row.progress,
    message: row.message,
    // Rows from before the column existed have only the English.
    messageText: row.message_text ? (JSON.parse(row.message_text) as LocalizedText) : inEveryLanguage(row.message),
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

  get(id: string, language: Language = 'en'): Operation {
    const row = this.db.prepare('SELECT * FROM operations WHERE id = ?').get(id) as OperationRow | undefined;
    if (!row) throw notFound(`Operation ${id}`);
    return operationIn(fromRow(row), language);
  }

  /** Resolves with the operation once it completed or failed (for work that must wait for it, not for a reader). */
  settled(id: string): Promise<Operation> {
    return new Promise((resolve) => {
      const check = () => {
        const operation = this.get(id);
        if (operation.state !== 'completed' && operation.state !== 'failed') return false;
        unsubscribe();
        resolve(operation);
        return true;
      };
      const unsubscribe = this.events.subscribe((event) => {
        if (event.type === 'operation' && event.operation.id === id) check();
      });
      check();
    });
  }

  recent(limit = 50, language: Language = 'en'): Operation[] {
    return (this.db.prepare('SELECT * FROM operations ORDER BY created_at DESC LIMIT ?').all(limit) as OperationRow[]).map((row) => operationIn(fromRow(row), language));
  }

  /**
   * Records a new operation and runs `work` in the background; one operation per module at a time.
   * @param title a sentence naming the work, shown while it waits.
   */
  start(module: string, kind: string, title: OperationMessage, work: (handle: OperationHandle) => Promise<void>, onSettled?: () => void): Operation {
    this.assertIdle(module);
    const now = new Date().toISOString();
    const messageText = inEveryLanguage(title);
    const operation: LocalizedOperation = { id: randomUUID(), module, kind, state: 'waiting', progress: 0, message: messageText.en, messageText, error: null, log: [], createdAt: now, updatedAt: now };
    this.db
      .prepare('INSERT INTO operations (id, module, kind, state, progress, message, message_text, log_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(operation.id, module, kind, operation.state, 0, messageText.en, JSON.stringify(messageText), '[]', now, now);
    this.events.publish({ type: 'operation', operation: { ...operation } });
    void this.execute(operation, work).finally(onSettled);
    return operationIn(operation, 'en');
  }

  private async execute(operation: LocalizedOperation, work: (handle: OperationHandle) => Promise<void>): Promise<void> {
    let lastPersisted = 0;
    const save = (force: boolean) => {
      operation.updatedAt = new Date().toISOString();
      if (force || Date.now() - lastPersisted > PERSIST_INTERVAL_MS) {
        lastPersisted = Date.now();
        this.db
          .prepare('UPDATE operations SET state = ?, progress = ?, message = ?, message_text = ?, error = ?, log_json = ?, updated_at = ? WHERE id = ?')
          .run(operation.state, operation.progress, operation.message, JSON.stringify(operation.messageText), operation.error, JSON.stringify(operation.log), operation.updatedAt, operation.id);
      }
      this.events.publish({ type: 'operation', operation: { ...operation, log: [...operation.log] } });
    };
    const handle: OperationHandle = {
      progress(percent, message) {
        if (percent !== undefined) operation.progress = Math.max(0, Math.min(100, percent));
        if (message) {
          operation.messageText = inEveryLanguage(message);
          operation.message = operation.messageText.en;
        }
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
