// A tiny hash router: the panel's routes, their links, and a hook that follows location.hash.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'dashboard' }
  | { page: 'services' }
  | { page: 'search' }
  | { page: 'discovery' }
  /** joinUrl: a server's join URL to put into the join form (Search links to it). */
  | { page: 'vpn'; joinUrl?: string }
  | { page: 'vpn-server' }
  | { page: 'module'; moduleId: string }
  | { page: 'settings' }
  | { page: 'login' }
  | { page: 'setup' }
  | { page: 'not-found' };

export function parseRoute(hash: string): Route {
  const location = hash.replace(/^#\/?/, '');
  const queryStart = location.indexOf('?');
  const query = new URLSearchParams(queryStart === -1 ? '' : location.slice(queryStart + 1));
  let parts: string[];
  try {
    parts = (queryStart === -1 ? location : location.slice(0, queryStart)).split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { page: 'not-found' };
  }
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { page: 'not-found' };
  if (first === 'services' && second !== undefined) return { page: 'module', moduleId: second };
  if (second !== undefined) return { page: 'not-found' };
  if (first === 'vpn') {
    const joinUrl = query.get('url');
    return joinUrl === null ? { page: 'vpn' } : { page: 'vpn', joinUrl };
  }
  switch (first) {
    case undefined:
    case 'dashboard':
      return { page: 'dashboard' };
    case 'services':
    case 'search':
    case 'discovery':
    case 'vpn-server':
    case 'settings':
    case 'login':
    case 'setup':
      return { page: first };
    default:
      return { page: 'not-found' };
  }
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case 'module':
      return `#/services/${encodeURIComponent(route.moduleId)}`;
    case 'vpn':
      return route.joinUrl === undefined ? '#/vpn' : `#/vpn?${new URLSearchParams({ url: route.joinUrl }).toString()}`;
    case 'not-found':
    case 'dashboard':
      return '#/';
    default:
      return `#/${route.page}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}
