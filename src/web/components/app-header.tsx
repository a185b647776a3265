// The signed-in panel's header: name, navigation, the user and the logout button.
import { type Route, routeHref } from '../hash-router.ts';
import { t } from '../i18n/i18n.ts';
import { useSession } from '../session-context.ts';

const NAV_ITEMS = [
  { page: 'dashboard', label: 'nav.dashboard' },
  { page: 'services', label: 'nav.services' },
  { page: 'search', label: 'nav.search' },
  { page: 'vpn', label: 'nav.vpn' },
  { page: 'vpn-server', label: 'nav.vpnServer' },
  { page: 'settings', label: 'nav.settings' },
] as const;

/** The module page belongs to the services section, the Discovery page to Search. */
function sectionOf(route: Route): Route['page'] {
  if (route.page === 'module') return 'services';
  return route.page === 'discovery' ? 'search' : route.page;
}

export function AppHeader({ route }: { route: Route }) {
  const { session, signOut } = useSession();
  const section = sectionOf(route);
  return (
    <header class="app-header">
      <a class="brand" href="#/" data-testid="brand">
        Cloudy
      </a>
      <nav aria-label={t('nav.label')}>
        {NAV_ITEMS.map((item) => (
          <a
            key={item.page}
            href={routeHref({ page: item.page })}
            aria-current={section === item.page ? 'page' : undefined}
            data-testid={`nav-${item.page}`}
          >
            {t(item.label)}
          </a>
        ))}
      </nav>
      <span class="user" data-testid="current-user">
        {session.username}
      </span>
      <button type="button" class="secondary" onClick={() => void signOut()} data-testid="logout">
        {t('nav.logout')}
      </button>
    </header>
  );
}
