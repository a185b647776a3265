// The node's time series: one-minute points kept 8 days, hourly averages kept 400 days, in their own SQLite file
// (decision AL in docs/decisions.md: SQLite over rrdtool, measured by `npm run bench:metrics`). A point is
// (series, step, t) → value; t is Unix seconds aligned to the step.
import Database from 'better-sqlite3';

import type { MetricPoint } from '../../shared/metrics-contract.ts';

export const MINUTE = 60;
export const HOUR = 3600;
export const MINUTE_POINTS_KEPT_S = 8 * 24 * HOUR;
export const HOUR_POINTS_KEPT_S = 400 * 24 * HOUR;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS points (
    series TEXT NOT NULL,
    step INTEGER NOT NULL,
    t INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (series, step, t)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS rollup (id INTEGER PRIMARY KEY CHECK (id = 1), hour INTEGER NOT NULL);`;

export class MetricStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
  }

  /** One minute's values; the hours that ended since the last call are averaged and old points pruned, in one transaction. */
  record(atSeconds: number, values: Record<string, number>): void {
    const t = Math.floor(atSeconds / MINUTE) * MINUTE;
    const insert = this.db.prepare('INSERT OR REPLACE INTO points (series, step, t, value) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const [series, value] of Object.entries(values)) if (Number.isFinite(value)) insert.run(series, MINUTE, t, value);
      this.rollUp(Math.floor(t / HOUR) * HOUR);
    })();
  }

  /**
   * Points of each series between `from` and `to` (Unix seconds): minute points while the range fits in what they keep,
   * hourly averages beyond.
   */
  history(series: string[], from: number, to: number): { step: number; series: Record<string, MetricPoint[]> } {
    const step = to - from <= MINUTE_POINTS_KEPT_S ? MINUTE : HOUR;
    // Rows as [t, value] arrays straight from SQLite: the shape the API sends, without an object per point.
    const select = this.db.prepare<[string, number, number, number], MetricPoint>('SELECT t, value FROM points WHERE series = ? AND step = ? AND t BETWEEN ? AND ? ORDER BY t').raw(true);
    const result: Record<string, MetricPoint[]> = {};
    for (const name of series) result[name] = select.all(name, step, from, to);
    return { step, series: result };
  }

  /** Names of the series that have a point in the last `withinSeconds`. */
  seriesNames(nowSeconds: number, withinSeconds = MINUTE_POINTS_KEPT_S): string[] {
    return this.db
      .prepare<[number], { series: string }>('SELECT DISTINCT series FROM points WHERE step = 60 AND t >= ? ORDER BY series')
      .all(nowSeconds - withinSeconds)
      .map((row) => row.series);
  }

  close(): void {
    this.db.close();
  }

  /** Averages every whole hour before `currentHour` not rolled up yet, then drops points past their keep time. */
  private rollUp(currentHour: number): void {
    const done = this.db.prepare<[], { hour: number }>('SELECT hour FROM rollup WHERE id = 1').get()?.hour;
    if (done !== undefined && done >= currentHour) return;
    const from = done ?? 0;
    this.db
      .prepare(
        `INSERT OR REPLACE INTO points (series, step, t, value)
         SELECT series, ${HOUR}, (t / ${HOUR}) * ${HOUR}, AVG(value) FROM points
         WHERE step = ${MINUTE} AND t >= ? AND t < ? GROUP BY series, t / ${HOUR}`,
      )
      .run(from, currentHour);
    this.db.prepare('INSERT OR REPLACE INTO rollup (id, hour) VALUES (1, ?)').run(currentHour);
    this.db.prepare('DELETE FROM points WHERE step = ? AND t < ?').run(MINUTE, currentHour - MINUTE_POINTS_KEPT_S);
    this.db.prepare('DELETE FROM points WHERE step = ? AND t < ?').run(HOUR, currentHour - HOUR_POINTS_KEPT_S);
  }
}
