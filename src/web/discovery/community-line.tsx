// The dashboard's line "N services on M nodes visible in the community", a link to Search, kept live by discovery events.
import { useCallback } from 'preact/hooks';

import { discoveryApi } from '../api/discovery-api.ts';
import { countText } from '../format.ts';
import { routeHref } from '../hash-router.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { useDiscoveryEvents, type VisibleCounts } from '../hooks/use-discovery-events.ts';
import { t } from '../i18n/i18n.ts';

export function CommunityLine() {
  const { data: visible, reload, setData } = useApiData(async () => (await discoveryApi.status()).visible, []);
  const onChange = useCallback(
    (counts: VisibleCounts | null) => {
      if (counts === null) reload();
      else setData(() => counts);
    },
    [reload, setData],
  );
  useDiscoveryEvents(onChange);
  // Discovery not answering must not take the dashboard's node figures with it: the line just waits.
  if (visible === null) return null;
  return (
    <p class="community-line">
      <a href={routeHref({ page: 'search' })} data-testid="dashboard-community" data-services={visible.services} data-nodes={visible.nodes}>
        {t('dashboard.community', {
          services: countText(visible.services, 'count.servicesOne', 'count.servicesOther'),
          nodes: countText(visible.nodes, 'count.nodesOne', 'count.nodesOther'),
        })}
      </a>
    </p>
  );
}
