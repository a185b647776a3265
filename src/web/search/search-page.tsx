// Search: every service the community announces, by type, filtered, sorted, with what this node can do with each; live.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';

import { api } from '../api/cloudy-api.ts';
import { discoveryApi } from '../api/discovery-api.ts';
import { LoadStatus } from '../components/load-status.tsx';
import { countText } from '../format.ts';
import { routeHref } from '../hash-router.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { useDiscoveryEvents } from '../hooks/use-discovery-events.ts';
import { useNow } from '../hooks/use-now.ts';
import { t } from '../i18n/i18n.ts';
import { useSession } from '../session-context.ts';
import { IncomingRequests } from './incoming-requests.tsx';
import { DEFAULT_SORT, nextSort, type SortColumn } from './record-sort.ts';
import { SearchFilters } from './search-filters.tsx';
import { ServicesTable } from './services-table.tsx';
import { TypeTabs } from './type-tabs.tsx';
import { ConsumeRefresh, useConsumeViews } from './use-consume-views.ts';
import { useProbes } from './use-probes.ts';

/** Typing waits this long before searching, so each keystroke is not a request. */
const TYPING_PAUSE_MS = 250;
const CLOCK_TICK_MS = 30_000;

export function SearchPage() {
  const admin = useSession().session.role === 'admin';
  const [type, setType] = useState<string | null>(null);
  const [typedText, setTypedText] = useState('');
  const [text, setText] = useState('');
  const [includeStale, setIncludeStale] = useState(false);
  const [sort, setSort] = useState(DEFAULT_SORT);
  const [refreshCount, setRefreshCount] = useState(0);
  useEffect(() => {
    const timer = setTimeout(() => setText(typedText), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [typedText]);

  const search = useApiData(() => discoveryApi.search({ type, text, includeStale }), [type, text, includeStale]);
  const reloadSearch = search.reload;
  const refresh = useCallback(() => {
    reloadSearch();
    setRefreshCount((count) => count + 1);
  }, [reloadSearch]);
  useDiscoveryEvents(refresh);
  const { data: modules } = useApiData(api.modules, []);
  const knownModules = useMemo(() => new Set((modules ?? []).map((module) => module.id)), [modules]);
  const records = search.data?.records ?? [];
  const viewsByKey = useConsumeViews(
    records.map((record) => record.type),
    refreshCount,
  );
  const probes = useProbes(refresh);
  const now = useNow(CLOCK_TICK_MS);

  return (
    <section data-testid="search">
      <h1>{t('search.title')}</h1>
      <p>
        <a href={routeHref({ page: 'discovery' })} data-testid="search-discovery-link">
          {t('search.discoveryLink')}
        </a>
      </p>
      <IncomingRequests admin={admin} onAccepted={refresh} />
      <SearchFilters text={typedText} onText={setTypedText} includeStale={includeStale} onIncludeStale={setIncludeStale} />
      {search.data === null ? (
        <LoadStatus error={search.error} retry={search.reload} />
      ) : (
        <>
          <p class="summary" aria-live="polite" data-testid="search-summary" data-services={search.data.total} data-nodes={search.data.nodes}>
            {t('search.summary', {
              services: countText(search.data.total, 'count.servicesOne', 'count.servicesOther'),
              nodes: countText(search.data.nodes, 'count.nodesOne', 'count.nodesOther'),
            })}
          </p>
          {search.error === null ? null : (
            <p class="message message-error" role="alert" data-testid="search-refresh-error">
              {search.error.message}
            </p>
          )}
          {probes.failure === null ? null : (
            <p class="message message-error" role="alert" data-testid="probe-error">
              {probes.failure}
            </p>
          )}
          <TypeTabs types={search.data.types} selected={type} onSelect={setType}>
            {records.length === 0 ? (
              <p data-testid="search-empty">{includeStale ? t('search.empty') : t('search.emptyLive')}</p>
            ) : (
              <ConsumeRefresh.Provider value={refresh}>
              <ServicesTable
                records={records}
                sort={sort}
                onSort={(column: SortColumn) => setSort((current) => nextSort(current, column))}
                viewsByKey={viewsByKey}
                knownModules={knownModules}
                admin={admin}
                probes={probes.results}
                measuring={probes.measuring}
                onMeasure={probes.measure}
                now={now}
              />
              </ConsumeRefresh.Provider>
            )}
          </TypeTabs>
        </>
      )}
    </section>
  );
}
