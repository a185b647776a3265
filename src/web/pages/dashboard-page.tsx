// The node at a glance: name, community services, addresses, CPU, memory, disk and uptime, refreshed every few seconds,
// and the same figures over the last hour, day or week.
import { useEffect } from 'preact/hooks';

import { api } from '../api/cloudy-api.ts';
import { LoadStatus } from '../components/load-status.tsx';
import { UsageMeter } from '../components/usage-meter.tsx';
import { CommunityLine } from '../discovery/community-line.tsx';
import { formatNumber, formatUptime } from '../format.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { t } from '../i18n/i18n.ts';
import { HistoryCharts } from '../monitoring/history-charts.tsx';

const REFRESH_INTERVAL_MS = 10_000;

export function DashboardPage() {
  const { data: node, error, reload } = useApiData(api.node, []);
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  if (node === null) return <LoadStatus error={error} retry={reload} />;
  return (
    <section data-testid="dashboard">
      <h1 data-testid="node-hostname">{node.hostname}</h1>
      <CommunityLine />
      <dl class="facts">
        <dt>{t('dashboard.addresses')}</dt>
        <dd>
          <ul class="plain" data-testid="node-addresses">
            {node.addresses.map((address) => (
              <li key={`${address.interface}-${address.address}`}>
                <code>{address.address}</code> <span class="muted">({address.interface})</span>
              </li>
            ))}
          </ul>
        </dd>
        <dt>{t('dashboard.cpu')}</dt>
        <dd data-testid="node-cpu">{t('dashboard.cpuModel', { model: node.cpu.model, cores: node.cpu.cores })}</dd>
        <dt>{t('dashboard.load')}</dt>
        <dd data-testid="node-load">{node.cpu.loadAverage.map((load) => formatNumber(load, 2)).join(' · ')}</dd>
        <dt>{t('dashboard.uptime')}</dt>
        <dd data-testid="node-uptime">{formatUptime(node.uptimeSeconds)}</dd>
        <dt>{t('dashboard.version')}</dt>
        <dd data-testid="node-version">{node.version}</dd>
      </dl>
      <UsageMeter
        label={t('dashboard.memory')}
        totalBytes={node.memory.totalBytes}
        availableBytes={node.memory.availableBytes}
        testId="node-memory"
      />
      <UsageMeter
        label={t('dashboard.disk', { path: node.disk.path })}
        totalBytes={node.disk.totalBytes}
        availableBytes={node.disk.availableBytes}
        testId="node-disk"
      />
      {error === null ? null : (
        <p class="message message-error" role="alert" data-testid="refresh-error">
          {error.message}
        </p>
      )}
      <HistoryCharts />
    </section>
  );
}
