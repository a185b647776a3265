// The services catalogue: every module this node offers, with its live state.
import { useCallback } from 'preact/hooks';

import type { ModuleState } from '../../shared/api-contract.ts';
import { api } from '../api/cloudy-api.ts';
import { LoadStatus } from '../components/load-status.tsx';
import { useApiData } from '../hooks/use-api-data.ts';
import { useModuleStateEvents } from '../hooks/use-module-state-events.ts';
import { t } from '../i18n/i18n.ts';
import { ModuleCard } from './module-card.tsx';

export function ServicesPage() {
  const { data: modules, error, reload, setData } = useApiData(api.modules, []);
  const onState = useCallback(
    (moduleId: string, state: ModuleState) =>
      setData((current) => current?.map((module) => (module.id === moduleId ? { ...module, state } : module)) ?? null),
    [setData],
  );
  useModuleStateEvents(onState);
  if (modules === null) return <LoadStatus error={error} retry={reload} />;
  return (
    <section data-testid="services">
      <h1>{t('services.title')}</h1>
      {modules.length === 0 ? (
        <p data-testid="services-empty">{t('services.empty')}</p>
      ) : (
        <div class="card-grid">
          {modules.map((module) => (
            <ModuleCard key={module.id} module={module} />
          ))}
        </div>
      )}
    </section>
  );
}
