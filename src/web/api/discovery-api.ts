// One typed function per discovery endpoint the panel uses: search, status, settings, publications, probes, actions, requests.
import type {
  ConsumeRequest,
  ConsumeView,
  DiscoverySettings,
  DiscoverySettingsUpdate,
  DiscoveryStatus,
  IncomingRequestView,
  ProbeResult,
  Publication,
  PublishRequest,
  SearchResult,
} from '../../shared/discovery-contract.ts';
import { request } from './http-client.ts';

export interface ServiceSearch {
  type: string | null;
  text: string;
  includeStale: boolean;
}

/** Most records the Search page asks for at once; the summary still counts them all. */
const SEARCH_LIMIT = 1000;

function searchPath({ type, text, includeStale }: ServiceSearch): string {
  const query = new URLSearchParams({ limit: String(SEARCH_LIMIT) });
  if (type !== null) query.set('type', type);
  if (text.trim() !== '') query.set('text', text.trim());
  if (includeStale) query.set('includeStale', 'true');
  return `/api/discovery/services?${query.toString()}`;
}

export const discoveryApi = {
  search: (search: ServiceSearch) => request<SearchResult>('GET', searchPath(search)),
  status: () => request<DiscoveryStatus>('GET', '/api/discovery/status'),
  settings: () => request<DiscoverySettings>('GET', '/api/discovery/settings'),
  saveSettings: (update: DiscoverySettingsUpdate) => request<DiscoverySettings>('PUT', '/api/discovery/settings', { body: update }),
  publications: () => request<Publication[]>('GET', '/api/discovery/publications'),
  publish: (publication: PublishRequest) => request<Publication[]>('POST', '/api/discovery/publications', { body: publication }),
  unpublish: (type: string, port: number) =>
    request<void>('DELETE', `/api/discovery/publications/${encodeURIComponent(type)}/${encodeURIComponent(String(port))}`),
  probe: (key: string) => request<ProbeResult>('POST', '/api/discovery/probe', { body: { key } }),
  consumeViews: (type: string) => request<ConsumeView[]>('GET', `/api/discovery/actions?${new URLSearchParams({ type }).toString()}`),
  consume: (body: ConsumeRequest) => request<ConsumeView>('POST', '/api/discovery/actions', { body }),
  incomingRequests: () => request<IncomingRequestView[]>('GET', '/api/discovery/requests'),
  acceptRequest: (module: string, kind: string, id: string) => request<void>('POST', '/api/discovery/requests/accept', { body: { module, kind, id } }),
};
