// The node's figures over time on the dashboard: CPU and memory, load, and network traffic per interface, for the last
// hour, day or week. uPlot (and its stylesheet) load only when this section shows, so the panel's first load stays small.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';

import type { HistoryRange, MetricPoint, MetricsHistory, ModuleGraphs } from '../../shared/metrics-contract.ts';
import { api } from '../api/cloudy-api.ts';
import { formatBytes, formatNumber } from '../format.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { t } from '../i18n/i18n.ts';

const RANGES: HistoryRange[] = ['1h', '24h', '7d'];
const RANGE_KEYS = { '1h': 'monitoring.range.1h', '24h': 'monitoring.range.24h', '7d': 'monitoring.range.7d' } as const;
const REFRESH_MS = 60_000;
const CHART_HEIGHT = 160;
/** Distinguishable on white and for the common colour-vision deficiencies (Okabe–Ito). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
const MAX_INTERFACES = 3;

interface Line {
  label: string;
  points: MetricPoint[];
}

interface ChartSpec {
  id: string;
  title: string;
  lines: Line[];
  format: (value: number) => string;
  /** The period shown, whatever points there are yet (Unix seconds). */
  from: number;
  to: number;
  /** Percentages stay on 0–100; other figures scale to their data. */
  percent?: boolean;
}

let uPlotModule: Promise<typeof uPlot> | null = null;
function loadUPlot(): Promise<typeof uPlot> {
  uPlotModule ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([module]) => module.default);
  return uPlotModule;
}

function timeLabel(seconds: number, span: number): string {
  const options: Intl.DateTimeFormatOptions = span <= 86_400 ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short' };
  return new Intl.DateTimeFormat(document.documentElement.lang || undefined, options).format(seconds * 1000);
}

/** uPlot wants one x array and one y array per line on it: align the lines' points on their timestamps. */
function alignedData(lines: Line[]): uPlot.AlignedData {
  const times = [...new Set(lines.flatMap((line) => line.points.map(([time]) => time)))].sort((a, b) => a - b);
  const columns = lines.map((line) => {
    const byTime = new Map(line.points);
    return times.map((time) => byTime.get(time) ?? null);
  });
  return [times, ...columns];
}

/** A module's daemons (with their children): CPU as a share of one core, and resident memory. */
function moduleChartSpecs(moduleId: string, history: MetricsHistory): ChartSpec[] {
  const period = { from: history.from, to: history.to };
  return [
    { id: 'module-cpu', title: t('monitoring.moduleCpu'), lines: [{ label: t('monitoring.cpu'), points: history.series[`module:${moduleId}:cpu`] ?? [] }], format: (value) => `${formatNumber(value, 1)} %`, ...period },
    { id: 'module-memory', title: t('monitoring.moduleMemory'), lines: [{ label: t('monitoring.memory'), points: history.series[`module:${moduleId}:memory`] ?? [] }], format: formatBytes, ...period },
  ];
}

const UNIT_FORMATS: Record<ModuleGraphs['graphs'][number]['unit'], (value: number) => string> = {
  bytesPerSecond: (value) => `${formatBytes(value)}/s`,
  milliseconds: (value) => `${formatNumber(value, 1)} ms`,
  percent: (value) => `${formatNumber(value, 0)} %`,
};

/** The module's own graphs (a graph server's device: traffic per interface, ping), already in the reader's language. */
function ownChartSpecs(graphs: ModuleGraphs): ChartSpec[] {
  return graphs.graphs.map((graph) => ({
    id: `own-${graph.id}`,
    title: graph.title,
    lines: graph.lines,
    format: UNIT_FORMATS[graph.unit],
    percent: graph.unit === 'percent',
    from: graphs.from,
    to: graphs.to,
  }));
}

function chartSpecs(history: MetricsHistory): ChartSpec[] {
  const series = history.series;
  const percent = (value: number) => `${formatNumber(value, 0)} %`;
  const period = { from: history.from, to: history.to };
  const devices = [...new Set(Object.keys(series).flatMap((name) => /^net:(.+):rx$/.exec(name)?.[1] ?? []))].slice(0, MAX_INTERFACES);
  return [
    {
      id: 'cpu-memory',
      title: t('monitoring.cpuMemory'),
      lines: [
        { label: t('monitoring.cpu'), points: series.cpu ?? [] },
        { label: t('monitoring.memory'), points: series.memory ?? [] },
        { label: t('monitoring.disk'), points: series.disk ?? [] },
      ],
      format: percent,
      percent: true,
      ...period,
    },
    { id: 'load', title: t('monitoring.load'), lines: [{ label: t('monitoring.load1'), points: series.load1 ?? [] }], format: (value) => formatNumber(value, 2), ...period },
    {
      id: 'network',
      title: t('monitoring.network'),
      lines: devices.flatMap((device) => [
        { label: t('monitoring.received', { device }), points: series[`net:${device}:rx`] ?? [] },
        { label: t('monitoring.sent', { device }), points: series[`net:${device}:tx`] ?? [] },
      ]),
      format: (value) => `${formatBytes(value)}/s`,
      ...period,
    },
  ];
}

function Chart({ spec }: { spec: ChartSpec }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (element === null) return;
    let plot: uPlot | null = null;
    let cancelled = false;
    const resize = new ResizeObserver(() => plot?.setSize({ width: element.clientWidth, height: CHART_HEIGHT }));
    void loadUPlot().then((UPlot) => {
      if (cancelled) return;
      const options: uPlot.Options = {
        width: element.clientWidth,
        height: CHART_HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        series: [{}, ...spec.lines.map((line, index) => ({ label: line.label, stroke: COLOURS[index % COLOURS.length], width: 2 }))],
        scales: { x: { time: true, range: [spec.from, spec.to] }, ...(spec.percent ? { y: { range: [0, 100] } } : {}) },
        // Times in the panel's language (uPlot's own labels are English only): hours for a day or less, dates beyond.
        axes: [{ values: (_plot, ticks) => ticks.map((tick) => timeLabel(tick, spec.to - spec.from)) }, { values: (_plot, ticks) => ticks.map(spec.format), size: 70 }],
      };
      plot = new UPlot(options, alignedData(spec.lines), element);
      resize.observe(element);
    });
    return () => {
      cancelled = true;
      resize.disconnect();
      plot?.destroy();
    };
  }, [spec]);
  const latest = spec.lines.map((line) => ({ label: line.label, value: line.points.at(-1)?.[1] }));
  // A canvas says nothing to a screen reader: the figure's name carries the latest values.
  const summary = latest.map((line) => `${line.label}: ${line.value === undefined ? '–' : spec.format(line.value)}`).join(', ');
  return (
    <figure class="chart" data-testid={`chart-${spec.id}`} aria-label={`${spec.title}. ${summary}`}>
      <figcaption>{spec.title}</figcaption>
      <div ref={holder} class="chart-canvas" aria-hidden="true" />
      <ul class="chart-legend plain">
        {latest.map((line, index) => (
          <li key={line.label}>
            <span class="chart-swatch" style={{ background: COLOURS[index % COLOURS.length] }} aria-hidden="true" />
            {line.label}: <span data-testid={`chart-${spec.id}-latest-${index}`}>{line.value === undefined ? '–' : spec.format(line.value)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** The node's figures, or with `moduleId` those of that module's daemons. */
export function HistoryCharts({ moduleId }: { moduleId?: string }) {
  const [range, setRange] = useState<HistoryRange>('1h');
  const series = moduleId === undefined ? undefined : [`module:${moduleId}:cpu`, `module:${moduleId}:memory`];
  const [group, setGroup] = useState<string | undefined>(undefined);
  const { data: history, error, reload } = useApiData(() => api.metricsHistory(range, series), [range, moduleId]);
  const own = useApiData(() => (moduleId === undefined ? Promise.resolve(null) : api.moduleGraphs(moduleId, range, group)), [range, moduleId, group]);
  const reloadOwn = own.reload;
  // New charts only when new figures came: a chart is rebuilt whenever its spec changes.
  const specs = useMemo(
    () => (history === null ? [] : (moduleId === undefined ? chartSpecs(history) : moduleChartSpecs(moduleId, history)).filter((spec) => spec.lines.length > 0)),
    [history, moduleId],
  );
  const ownSpecs = useMemo(() => (own.data ? ownChartSpecs(own.data) : []), [own.data]);
  useEffect(() => {
    const timer = setInterval(() => {
      reload();
      reloadOwn();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload, reloadOwn]);
  const groups = own.data?.groups ?? [];
  return (
    <section class="history" data-testid="history-charts" aria-labelledby="history-title">
      <h2 id="history-title">{t('monitoring.title')}</h2>
      <fieldset class="range-choice">
        <legend>{t('monitoring.range')}</legend>
        {RANGES.map((choice) => (
          <label key={choice}>
            <input type="radio" name="history-range" value={choice} checked={range === choice} onChange={() => setRange(choice)} data-testid={`history-range-${choice}`} />
            {t(RANGE_KEYS[choice as keyof typeof RANGE_KEYS])}
          </label>
        ))}
      </fieldset>
      {error === null ? null : (
        <p class="message message-error" role="alert">
          {error.message}
        </p>
      )}
      <div class="charts">
        {specs.map((spec) => (
          <Chart key={spec.id} spec={spec} />
        ))}
      </div>
      {groups.length > 0 ? (
        <>
          <h3>{t('monitoring.ownGraphs')}</h3>
          <label class="field">
            <span>{t('monitoring.group')}</span>
            <select value={own.data?.group ?? ''} onChange={(event) => setGroup((event.target as HTMLSelectElement).value)} data-testid="graph-group">
              {groups.map((choice) => (
                <option key={choice.name} value={choice.name}>
                  {choice.status ? `${choice.name} (${t(choice.status === 'up' ? 'monitoring.up' : 'monitoring.down')})` : choice.name}
                </option>
              ))}
            </select>
          </label>
          <div class="charts" data-testid="own-graphs">
            {ownSpecs.map((spec) => (
              <Chart key={spec.id} spec={spec} />
            ))}
          </div>
        </>
      ) : null}
    </section>
  );
}
