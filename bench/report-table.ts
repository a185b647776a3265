// Formats the bench's figures as aligned plain-text tables.
export type Cell = string | number;

export interface Section {
  title: string;
  headers: string[];
  rows: Cell[][];
  notes?: string[];
}

export const ms = (value: number): string => `${value.toFixed(value < 1 ? 2 : value < 10 ? 1 : 0)} ms`;
export const mb = (value: number): string => `${value.toFixed(1)} MB`;
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
export const perSecond = (value: number): string => `${Math.round(value)}/s`;
/** Cloudy's figure over the baseline's: 2.0× means twice the baseline. */
export const ratio = (value: number, baseline: number): string => (baseline > 0 ? `${(value / baseline).toFixed(2)}×` : 'n/a');

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function formatSection(section: Section): string {
  const table = [section.headers, ...section.rows.map((row) => row.map(String))];
  const widths = section.headers.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const line = (row: Cell[]) => row.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]!) : String(cell).padStart(widths[column]!))).join('  ');
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  return [section.title, line(section.headers), rule, ...section.rows.map(line), ...(section.notes ?? []).map((note) => `  ${note}`)].join('\n');
}
