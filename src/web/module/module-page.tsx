// A module's page: state, actions with live progress, web UI link, details, configuration, diagnostics and logs.
import { useCallback, useEffect, useState } from 'preact/hooks';

import type { ModuleState } from '../../shared/api-contract.ts';
import { moduleWebUiPath } from '../../shared/http-names.ts';
import { api } from '../api/cloudy-api.ts';
import { isOperationFinished } from '../api/operation-watcher.ts';
import { LoadStatus } from '../components/load-status.tsx';
import { StateBadges } from '../components/state-badges.tsx';
import { routeHref } from '../hash-router.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { useModuleStateEvents } from '../hooks/use-module-state-events.ts';
import { useOperation } from '../hooks/use-operation.ts';
import { t } from '../i18n/i18n.ts';
import { CollectionSection } from './collection-section.tsx';
import { ConfigForm } from './config-form.tsx';
import { DiagnosticsTable } from './diagnostics-table.tsx';
import { LogsView } from '../components/logs-view.tsx';
import { HistoryCharts } from '../monitoring/history-charts.tsx';
import { ModuleActions } from './module-actions.tsx';
import { ModuleDetails } from './module-details.tsx';
import { OperationProgress } from './operation-progress.tsx';

export function ModulePage({ moduleId }: { moduleId: string }) {
  const { data: module, error, reload, setData } = useApiData(() => api.module(moduleId), [moduleId]);
  const onState = useCallback(
    (id: string, state: ModuleState) => {
      if (id === moduleId) setData((current) => (current === null ? null : { ...current, state }));
    },
    [moduleId, setData],
  );
  useModuleStateEvents(onState);

  const [operationId, setOperationId] = useState<string | null>(null);
  // Details (device ID, folders…) change with install and start: fetch them again when an operation ends.
  const watched = useOperation(operationId, reload);
  const operationActive = operationId !== null && (watched.operation === null || !isOperationFinished(watched.operation));
  useEffect(() => {
    // Pick up an install still running from an earlier visit; without it the page just shows no progress.
    api.operations().then(
      (operations) => {
        const unfinished = operations.find((operation) => operation.module === moduleId && !isOperationFinished(operation));
        if (unfinished !== undefined) setOperationId((current) => current ?? unfinished.id);
      },
      () => undefined,
    );
  }, [moduleId]);

  if (module === null) return <LoadStatus error={error} retry={reload} />;
  const { installed, running } = module.state;
  return (
    <section data-testid="module-page" data-module={module.id}>
      <p>
        <a href={routeHref({ page: 'services' })} data-testid="back-to-services">
          {t('module.back')}
        </a>
      </p>
      <h1 data-testid="module-title">{module.title}</h1>
      <StateBadges state={module.state} />
      <p>{module.description}</p>
      {module.hasWebUi && running ? (
        <p>
          <a class="button" href={moduleWebUiPath(module.id)} target="_blank" rel="noopener" data-testid="open-web-ui">
            {t('module.openWebUi', { title: module.title })}
          </a>
        </p>
      ) : null}
      <ModuleActions module={module} operationActive={operationActive} onOperation={setOperationId} />
      {operationId === null ? null : <OperationProgress operation={watched.operation} error={watched.error} />}
      {installed ? (
        <>
          {module.details.length > 0 ? (
            <section>
              <h2>{t('module.details')}</h2>
              <ModuleDetails details={module.details} />
            </section>
          ) : null}
          {module.collections.map((collection) => (
            <CollectionSection key={collection.name} moduleId={module.id} collection={collection} onOperation={setOperationId} />
          ))}
          <section>
            <h2>{t('module.configuration')}</h2>
            <ConfigForm module={module} onSaved={(updated) => setData(() => updated)} />
          </section>
          <section>
            <h2>{t('module.diagnostics')}</h2>
            <DiagnosticsTable key={String(running)} moduleId={module.id} />
          </section>
          <section>
            <h2>{t('logs.title')}</h2>
            <LogsView key={String(running)} source={module.id} load={() => api.logs(module.id)} />
          </section>
          <HistoryCharts moduleId={module.id} />
        </>
      ) : null}
    </section>
  );
}
