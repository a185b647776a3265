// A module's own time series (`runtime.series`) in the node's store, under names no other module or the node uses.
import type { ModuleSeries } from '../../kit/module-hooks.ts';
import type { MetricStore } from './metric-store.ts';

/** Where a module's own series live in the node's store: apart from the node's (`cpu`, `net:…`) and other modules'. */
export function moduleSeriesName(module: string, name: string): string {
  return `app:${module}:${name}`;
}

export function moduleSeries(store: Pick<MetricStore, 'record' | 'history'>, module: string): ModuleSeries {
  return {
    record: (values, atSeconds = Date.now() / 1000) => store.record(atSeconds, Object.fromEntries(Object.entries(values).map(([name, value]) => [moduleSeriesName(module, name), value]))),
    history: (names, from, to) => {
      const { step, series } = store.history(names.map((name) => moduleSeriesName(module, name)), from, to);
      return { step, series: Object.fromEntries(names.map((name) => [name, series[moduleSeriesName(module, name)] ?? []])) };
    },
  };
}
