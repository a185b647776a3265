// Discovery status: this node's identity on the community network, each backend's state, the 2015 tag, the members.
import type { DiscoveryStatus } from '../../shared/discovery-contract.ts';
import { countText } from '../format.ts';
import { t } from '../i18n/i18n.ts';
import { BackendStateBadge } from './backend-state-badge.tsx';
import { MembersTable } from './members-table.tsx';

export function DiscoveryStatusView({ status }: { status: DiscoveryStatus }) {
  const { mdns, serf } = status.backends;
  const address = status.communityInterface === '' ? status.communityAddress : t('discovery.addressOn', { address: status.communityAddress, interface: status.communityInterface });
  return (
    <>
      <section aria-labelledby="discovery-node-title">
        <h2 id="discovery-node-title">{t('discovery.nodeTitle')}</h2>
        <dl class="facts">
          <dt>{t('discovery.nodeName')}</dt>
          <dd data-testid="discovery-node-name">{status.nodeName}</dd>
          <dt>{t('discovery.nodeId')}</dt>
          <dd>
            <code data-testid="discovery-node-id">{status.nodeId}</code>
          </dd>
          <dt>{t('discovery.communityAddress')}</dt>
          <dd data-testid="discovery-community-address">{address}</dd>
          <dt>{t('discovery.microcloud')}</dt>
          <dd data-testid="discovery-microcloud">{status.microcloud}</dd>
          <dt>{t('discovery.visible')}</dt>
          <dd data-testid="discovery-visible">
            {t('search.summary', { services: countText(status.visible.services, 'count.servicesOne', 'count.servicesOther'), nodes: countText(status.visible.nodes, 'count.nodesOne', 'count.nodesOther') })}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="discovery-backends-title">
        <h2 id="discovery-backends-title">{t('discovery.backendsTitle')}</h2>
        <dl class="facts">
          <dt>{t('discovery.backendMdns')}</dt>
          <dd>
            <BackendStateBadge state={mdns.state} testId="backend-mdns-state" /> <span data-testid="backend-mdns-detail">{mdns.detail}</span>
          </dd>
          <dt>{t('discovery.backendSerf')}</dt>
          <dd>
            <BackendStateBadge state={serf.state} testId="backend-serf-state" /> <span data-testid="backend-serf-detail">{serf.detail}</span>
            <br />
            <span class="muted" data-testid="backend-serf-members">
              {t('discovery.serfMembers', { alive: serf.alive, members: serf.members })} · {serf.encrypted ? t('discovery.encrypted') : t('discovery.notEncrypted')}
            </span>
          </dd>
        </dl>
        <LegacyTagLine legacyTag={status.legacyTag} />
      </section>
      <section aria-labelledby="discovery-members-title">
        <h2 id="discovery-members-title">{t('discovery.membersTitle')}</h2>
        <MembersTable members={status.members} />
      </section>
    </>
  );
}

function LegacyTagLine({ legacyTag }: { legacyTag: DiscoveryStatus['legacyTag'] }) {
  const { enabled, published, total } = legacyTag;
  if (!enabled) return <p data-testid="legacy-tag-line">{t('discovery.legacyOff')}</p>;
  if (published < total) {
    return (
      <p class="message" role="status" data-testid="legacy-tag-warning">
        {t('discovery.legacyShort', { published, total })}
      </p>
    );
  }
  return <p data-testid="legacy-tag-line">{t('discovery.legacyAll', { published, total })}</p>;
}
