// Discovery: how this node takes part in the community (status, members, its publications) and, for administrators, the settings.
import { useEffect } from 'preact/hooks';

import { discoveryApi } from '../api/discovery-api.ts';
import { LoadStatus } from '../components/load-status.tsx';
import { routeHref } from '../hash-router.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { useDiscoveryEvents } from '../hooks/use-discovery-events.ts';
import { t } from '../i18n/i18n.ts';
import { useSession } from '../session-context.ts';
import { DiscoveryStatusView } from './discovery-status-view.tsx';
import { PublicationsSection } from './publications-section.tsx';
import { DiscoverySettingsForm } from './settings-form.tsx';

/** Members and backend states change without a records event: look again this often while the page is open. */
const STATUS_REFRESH_MS = 5000;

export function DiscoveryPage() {
  const admin = useSession().session.role === 'admin';
  const { data: status, error, reload } = useApiData(discoveryApi.status, []);
  useDiscoveryEvents(reload);
  useEffect(() => {
    const timer = setInterval(reload, STATUS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <section data-testid="discovery">
      <p>
        <a href={routeHref({ page: 'search' })} data-testid="discovery-search-link">
          {t('discovery.backToSearch')}
        </a>
      </p>
      <h1>{t('discovery.title')}</h1>
      <p>{t('discovery.intro')}</p>
      {status === null ? <LoadStatus error={error} retry={reload} /> : <DiscoveryStatusView status={status} />}
      {status !== null && error !== null ? (
        <p class="message message-error" role="alert" data-testid="discovery-refresh-error">
          {error.message}
        </p>
      ) : null}
      <PublicationsSection admin={admin} onChanged={reload} />
      {admin ? <DiscoverySettingsForm onSaved={reload} /> : <p class="muted" data-testid="discovery-settings-admin-only">{t('discovery.settingsAdminOnly')}</p>}
    </section>
  );
}
