// What this node can do with a found service, as the consuming modules say: a button, a state, or a link to set the module up.
import { useContext, useState } from 'preact/hooks';

import type { ConsumeView, ServiceRecord } from '../../shared/discovery-contract.ts';
import { discoveryApi } from '../api/discovery-api.ts';
import { FormError } from '../components/form-messages.tsx';
import { routeHref } from '../hash-router.ts';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';
import { localized } from '../i18n/localized-text.ts';
import { ConsumeRefresh } from './use-consume-views.ts';

interface ConsumeActionCellProps {
  record: ServiceRecord;
  views: ConsumeView[];
  /** Ids of the modules this node ships: the only ones the panel links to. */
  knownModules: ReadonlySet<string>;
  admin: boolean;
}

export function ConsumeActionCell({ record, views, knownModules, admin }: ConsumeActionCellProps) {
  if (views.length === 0) return <NoAction />;
  return (
    <ul class="plain consume-actions">
      {views.map((view) => (
        <li key={`${view.module}/${view.action}`}>
          <ConsumeViewControl record={record} initial={view} knownModules={knownModules} admin={admin} />
        </li>
      ))}
    </ul>
  );
}

const NoAction = () => (
  <span data-testid="consume-none">
    <span aria-hidden="true">—</span>
    <span class="visually-hidden">{t('search.noAction')}</span>
  </span>
);

interface ConsumeViewControlProps {
  record: ServiceRecord;
  initial: ConsumeView;
  knownModules: ReadonlySet<string>;
  admin: boolean;
}

function ConsumeViewControl({ record, initial, knownModules, admin }: ConsumeViewControlProps) {
  // The answer of our own click is newer than the list the row was drawn from, until that list changes.
  const [answered, setAnswered] = useState<{ from: ConsumeView; view: ConsumeView } | null>(null);
  const view = answered !== null && answered.from === initial ? answered.view : initial;
  const { busy, error, submit } = useSubmission();
  const refresh = useContext(ConsumeRefresh);
  const run = (mode: 'do' | 'undo'): void => {
    void submit(async () => {
      const updated = await discoveryApi.consume({ module: view.module, action: view.action, key: view.key, mode });
      setAnswered({ from: initial, view: updated });
      refresh();
    });
  };
  const context = <span class="visually-hidden">{t('search.actionFor', { description: record.description, node: record.node })}</span>;
  const button = (label: string, mode: 'do' | 'undo', testId: string) =>
    admin ? (
      <button type="button" class={mode === 'do' ? 'small' : 'secondary small'} disabled={busy} onClick={() => run(mode)} data-testid={testId}>
        {label}
        {context}
      </button>
    ) : null;
  const undo = view.undoLabel === null ? null : button(localized(view.undoLabel), 'undo', 'consume-undo');
  const setupLink = (message: string) =>
    knownModules.has(view.module) ? (
      <a href={routeHref({ page: 'module', moduleId: view.module })} data-testid={`consume-${view.state}`}>
        {message}
      </a>
    ) : (
      <span data-testid={`consume-${view.state}`}>{message}</span>
    );

  let control;
  switch (view.state) {
    case 'self':
      control = <span class="muted" data-testid="consume-self">{t('search.actionSelf')}</span>;
      break;
    case 'show':
      // Lines to read and copy (how to open a share from each kind of computer), for everyone who can search.
      control = (
        <details class="consume-show" data-testid="consume-show">
          <summary>
            {localized(view.label)}
            {context}
          </summary>
          <dl class="facts">
            {view.instructions.map((line) => (
              <div key={line.value} class="fact">
                <dt>{localized(line.label)}</dt>
                <dd class="detail-id">
                  <code>{line.value}</code>
                </dd>
              </div>
            ))}
          </dl>
        </details>
      );
      break;
    case 'install':
      control = setupLink(t('search.actionInstall', { title: view.moduleTitle }));
      break;
    case 'start':
      control = setupLink(t('search.actionStart', { title: view.moduleTitle }));
      break;
    case 'available':
      control = admin ? button(localized(view.label), 'do', 'consume-do') : <span class="muted" data-testid="consume-admin-only">{t('search.adminOnly', { action: localized(view.label) })}</span>;
      break;
    case 'waiting':
      control = (
        <span class="consume-state">
          <span data-testid="consume-waiting">{localized(view.waitingLabel ?? view.label)}</span> {undo}
        </span>
      );
      break;
    case 'done':
      control = (
        <span class="consume-state">
          <span class="badge badge-ok" data-testid="consume-done">{localized(view.doneLabel ?? view.label)}</span> {undo}
        </span>
      );
      break;
    default:
      control = <NoAction />;
  }
  return (
    <>
      {control}
      <FormError error={error} testId="consume-error" />
    </>
  );
}
