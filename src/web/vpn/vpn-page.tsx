// VPN: this node's membership of an overlay network, live; administrators join (by hand or from a found server), follow the join step by step, and leave.
import { useEffect, useState } from 'preact/hooks';

import { api } from '../api/cloudy-api.ts';
import { isOperationFinished } from '../api/operation-watcher.ts';
import { vpnApi } from '../api/vpn-api.ts';
import { LoadStatus } from '../components/load-status.tsx';
import { LogsView } from '../components/logs-view.tsx';
import { routeHref } from '../hash-router.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { t } from '../i18n/i18n.ts';
import { useSession } from '../session-context.ts';
import { DiscoveredServers } from './discovered-servers.tsx';
import { JoinForm, type JoinPrefill } from './join-form.tsx';
import { JoinProgress } from './join-progress.tsx';
import { LeaveControl } from './leave-control.tsx';
import { useVpnEvents } from './use-vpn-events.ts';
import { VpnStatusView } from './vpn-status-view.tsx';

/** Peers answer or stop answering without any event: look again this often. */
const STATUS_REFRESH_MS = 5000;
/** The module name cloudyd files join operations under (VPN_OPERATIONS in vpn-member.ts). */
const VPN_OPERATIONS = 'vpn';

/** A join started before this page opened (another tab, a reload) is followed here too. */
function useJoinUnderWay(setOperationId: (id: string) => void): void {
  useEffect(() => {
    api.operations().then(
      (operations) => {
        const running = operations.find((operation) => operation.module === VPN_OPERATIONS && operation.kind === 'join' && !isOperationFinished(operation));
        if (running !== undefined) setOperationId(running.id);
      },
      () => undefined,
    );
  }, []);
}

export function VpnPage({ joinUrl }: { joinUrl?: string }) {
  const admin = useSession().session.role === 'admin';
  const { data: status, error, reload } = useApiData(vpnApi.status, []);
  useVpnEvents(reload, STATUS_REFRESH_MS);
  const [operationId, setOperationId] = useState<string | null>(null);
  const [joinActive, setJoinActive] = useState(false);
  const [prefill, setPrefill] = useState<JoinPrefill | null>(null);
  useEffect(() => {
    if (joinUrl !== undefined) setPrefill((current) => ({ url: joinUrl, serial: (current?.serial ?? 0) + 1 }));
  }, [joinUrl]);
  const follow = (id: string): void => {
    setOperationId(id);
    setJoinActive(true);
  };
  useJoinUnderWay(follow);

  const network = status?.network ?? null;
  // A node that hosts the network cannot leave its own membership of it.
  const hostsNetwork = network !== null && status?.local === true;
  // A join that stopped half-way (still `joining`) or a revoked membership may be joined again.
  const canJoin = status !== null && !joinActive && (network === null || status.state === 'revoked' || status.state === 'joining');
  return (
    <section data-testid="vpn">
      <p>
        <a href={routeHref({ page: 'vpn-server' })} data-testid="vpn-server-link">
          {t('vpn.serverLink')}
        </a>
      </p>
      <h1>{t('vpn.title')}</h1>
      <p>{t('vpn.intro')}</p>
      <h2>{t('vpn.statusTitle')}</h2>
      {status === null ? <LoadStatus error={error} retry={reload} /> : <VpnStatusView status={status} hostsNetwork={hostsNetwork} />}
      {status !== null && error !== null ? (
        <p class="message message-error" role="alert" data-testid="vpn-refresh-error">
          {error.message}
        </p>
      ) : null}
      {operationId === null ? null : (
        <JoinProgress
          operationId={operationId}
          onFinished={() => {
            setJoinActive(false);
            reload();
          }}
        />
      )}
      {hostsNetwork ? (
        <p class="muted" data-testid="vpn-hosted-note">
          {t('vpn.hostedNote')}
        </p>
      ) : null}
      {admin && network !== null && !hostsNetwork && !joinActive ? <LeaveControl network={network} onLeft={reload} /> : null}
      {admin && canJoin ? (
        <>
          <JoinForm prefill={prefill} onJoining={follow} />
          <DiscoveredServers onChoose={(url) => setPrefill((current) => ({ url, serial: (current?.serial ?? 0) + 1 }))} />
        </>
      ) : null}
      {network !== null && status?.state !== 'revoked' ? (
        <>
          <h2>{t('logs.title')}</h2>
          <LogsView key={network} source={network} load={vpnApi.logs} />
        </>
      ) : null}
      {!admin ? (
        <p class="muted" data-testid="vpn-admin-only">
          {t('vpn.adminOnly')}
        </p>
      ) : null}
    </section>
  );
}
