// A record's round trip ("12.3 ms", "—" when unknown) and the button that measures it now with a TCP connect.
import type { ProbeResult, ServiceRecord } from '../../shared/discovery-contract.ts';
import { formatRtt } from '../format.ts';
import { t } from '../i18n/i18n.ts';

interface ReachabilityProps {
  record: ServiceRecord;
  /** The last measurement from this page, if any: it can say "no answer", which the record cannot. */
  probe: ProbeResult | undefined;
  measuring: boolean;
  onMeasure: () => void;
}

function figure(record: ServiceRecord, probe: ProbeResult | undefined): { text: string; unreachable: boolean } {
  if (probe !== undefined && !probe.reachable) return { text: t('search.noAnswer'), unreachable: true };
  const rttMs = probe?.rttMs ?? record.rttMs;
  return { text: rttMs === null ? '—' : formatRtt(rttMs), unreachable: false };
}

export function ReachabilityCell({ record, probe, measuring, onMeasure }: ReachabilityProps) {
  const { text, unreachable } = figure(record, probe);
  return (
    <span class="reachability">
      <span class={unreachable ? 'badge result-failed' : undefined} data-testid="service-rtt">
        {text}
        {text === '—' ? <span class="visually-hidden">{t('search.rttUnknown')}</span> : null}
      </span>
      {record.self ? null : (
        <button type="button" class="secondary small" disabled={measuring} onClick={onMeasure} data-testid="service-measure">
          {measuring ? t('search.measuring') : t('search.measure')}
          <span class="visually-hidden">{t('search.measureWhat', { description: record.description, node: record.node })}</span>
        </button>
      )}
    </span>
  );
}
