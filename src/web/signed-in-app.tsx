// The signed-in panel: header, the page of the current route, and the live event stream.
import { useEffect } from 'preact/hooks';

import { panelEvents } from './api/panel-events.ts';
import { AppHeader } from './components/app-header.tsx';
import { DiscoveryPage } from './discovery/discovery-page.tsx';
import { type Route, useRoute } from './hash-router.ts';
import { ModulePage } from './module/module-page.tsx';
import { DashboardPage } from './pages/dashboard-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { SearchPage } from './search/search-page.tsx';
import { ServicesPage } from './pages/services-page.tsx';
import { SettingsPage } from './pages/settings-page.tsx';
import { SessionContext, type SessionControls } from './session-context.ts';
import { VpnPage } from './vpn/vpn-page.tsx';
import { VpnServerPage } from './vpn/vpn-server-page.tsx';

function RoutePage({ route }: { route: Route }) {
  switch (route.page) {
    case 'dashboard':
    case 'login':
    case 'setup':
      return <DashboardPage />;
    case 'services':
      return <ServicesPage />;
    case 'module':
      return <ModulePage key={route.moduleId} moduleId={route.moduleId} />;
    case 'search':
      return <SearchPage />;
    case 'discovery':
      return <DiscoveryPage />;
    case 'vpn':
      return <VpnPage joinUrl={route.joinUrl} />;
    case 'vpn-server':
      return <VpnServerPage />;
    case 'settings':
      return <SettingsPage />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

export function SignedInApp(controls: SessionControls) {
  const route = useRoute();
  useEffect(() => {
    panelEvents.open();
    return () => panelEvents.close();
  }, []);
  return (
    <SessionContext.Provider value={controls}>
      <AppHeader route={route} />
      <main class="page" id="main">
        <RoutePage route={route} />
      </main>
    </SessionContext.Provider>
  );
}
