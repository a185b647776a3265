// A device's graph as a PNG for anyone (as MRTG's were for guifi.net's web): gnuplot's script, written here from
// numbers and checked words only. gnuplot runs commands (`system`, `!`, backquotes), so no text from a device reaches
// the script unless it is plain letters, digits and a few signs.

export interface PngGraphSpec {
  title: string;
  unit: 'B/s' | 'ms' | '%';
  /** Unix seconds: the period shown. */
  from: number;
  to: number;
  lines: Array<{ label: string; points: Array<[number, number]> }>;
}

export const PNG_LIMITS = { lines: 4, pointsPerLine: 1000, textLength: 64 } as const;
const PLAIN_TEXT = /^[A-Za-z0-9 ._:()/%-]*$/;

export class PngGraphError extends Error {
  override name = 'PngGraphError';
}

/** Words made plain (an interface name, `línia` → `linia`): anything else becomes a space, the length bounded. */
export function plainText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9 ._:()/%-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, PNG_LIMITS.textLength);
}

/** At most `limit` points: averages of equal runs, so a week of minute points draws as 1,000. */
export function thinned(points: Array<[number, number]>, limit: number = PNG_LIMITS.pointsPerLine): Array<[number, number]> {
  if (points.length <= limit) return points;
  const size = Math.ceil(points.length / limit);
  const result: Array<[number, number]> = [];
  for (let start = 0; start < points.length; start += size) {
    const run = points.slice(start, start + size);
    result.push([run[0]![0], run.reduce((sum, [, value]) => sum + value, 0) / run.length]);
  }
  return result;
}

const number = (value: number) => {
  if (!Number.isFinite(value)) throw new PngGraphError('a value is not a finite number');
  return String(Math.round(value * 1000) / 1000);
};

export function gnuplotScript(spec: PngGraphSpec): string {
  if (spec.lines.length === 0 || spec.lines.length > PNG_LIMITS.lines) throw new PngGraphError(`a graph has 1 to ${PNG_LIMITS.lines} lines`);
  for (const text of [spec.title, ...spec.lines.map((line) => line.label)]) {
    if (!PLAIN_TEXT.test(text) || text.length > PNG_LIMITS.textLength) throw new PngGraphError('a title or label has characters gnuplot could run');
  }
  if (!['B/s', 'ms', '%'].includes(spec.unit)) throw new PngGraphError('unknown unit');
  const day = spec.to - spec.from <= 86_400;
  const blocks = spec.lines.map((line, index) => {
    if (line.points.length > PNG_LIMITS.pointsPerLine) throw new PngGraphError('too many points');
    // gnuplot cannot plot an empty block: a line without points is drawn as nothing at the period's start.
    const rows = line.points.length > 0 ? line.points.map(([t, value]) => `${number(t)} ${number(value)}`) : [`${number(spec.from)} NaN`];
    return [`$line${index} << EOD`, ...rows, 'EOD'].join('\n');
  });
  const plots = spec.lines.map((line, index) => `$line${index} using 1:2 with lines linewidth 2 title '${line.label}'`);
  return [
    'set terminal png size 600,200',
    `set title '${spec.title}'`,
    'set xdata time',
    "set timefmt '%s'",
    `set format x '${day ? '%H:%M' : '%d/%m'}'`,
    `set xrange ['${number(spec.from)}':'${number(spec.to)}']`,
    `set ylabel '${spec.unit}'`,
    'set yrange [0:*]',
    'set grid',
    'set key top left',
    ...blocks,
    `plot ${plots.join(', ')}`,
    '',
  ].join('\n');
}
