// What this node publishes, and why a record is not published; administrators remove manual records and add new ones.
import { useEffect } from 'preact/hooks';

import type { Publication } from '../../shared/discovery-contract.ts';
import { discoveryApi } from '../api/discovery-api.ts';
import { ColumnHeaders } from '../components/column-headers.tsx';
import { FormError } from '../components/form-messages.tsx';
import { LoadStatus } from '../components/load-status.tsx';
import { useApiData } from '../hooks/use-api-data.ts';
import { useDiscoveryEvents } from '../hooks/use-discovery-events.ts';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';
import { PublishForm } from './publish-form.tsx';

/** A module's record is published or withdrawn as its health changes, which no event announces: look again this often. */
const REFRESH_MS = 5000;

interface PublicationsSectionProps {
  admin: boolean;
  /** A record was added or removed: the status figures change too. */
  onChanged: () => void;
}

export function PublicationsSection({ admin, onChanged }: PublicationsSectionProps) {
  const { data: publications, error, reload, setData } = useApiData(discoveryApi.publications, []);
  useDiscoveryEvents(reload);
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const removal = useSubmission();
  const remove = (publication: Publication): void => {
    void removal.submit(async () => {
      await discoveryApi.unpublish(publication.type, publication.port);
      reload();
      onChanged();
    });
  };
  const published = (next: Publication[]): void => {
    setData(() => next);
    onChanged();
  };
  return (
    <section aria-labelledby="publications-title" data-testid="publications">
      <h2 id="publications-title">{t('publications.title')}</h2>
      <FormError error={removal.error} testId="publication-remove-error" />
      {publications === null ? (
        <LoadStatus error={error} retry={reload} />
      ) : publications.length === 0 ? (
        <p data-testid="publications-empty">{t('publications.empty')}</p>
      ) : (
        <PublicationsTable publications={publications} admin={admin} busy={removal.busy} onRemove={remove} />
      )}
      {admin ? <PublishForm onPublished={published} /> : null}
    </section>
  );
}

interface PublicationsTableProps {
  publications: Publication[];
  admin: boolean;
  busy: boolean;
  onRemove: (publication: Publication) => void;
}

function PublicationsTable({ publications, admin, busy, onRemove }: PublicationsTableProps) {
  const columns = {
    description: t('publications.description'),
    type: t('publications.type'),
    port: t('publications.port'),
    origin: t('publications.origin'),
    state: t('publications.state'),
  };
  return (
    <table class="stack-table" data-testid="publications-table">
      <ColumnHeaders labels={Object.values(columns)} />
      <tbody>
        {publications.map((publication) => {
          const manual = publication.origin === 'manual';
          return (
            <tr key={`${publication.origin}/${publication.type}/${publication.port}`} data-testid="publication-row" data-type={publication.type} data-port={publication.port} data-published={String(publication.published)}>
              <td data-label={columns.description} data-testid="publication-description">
                {publication.description}
              </td>
              <td data-label={columns.type}>{publication.type}</td>
              <td data-label={columns.port}>{publication.port === 0 ? '—' : publication.port}</td>
              <td data-label={columns.origin}>{manual ? t('publications.manual') : publication.origin}</td>
              <td data-label={columns.state}>
                <div class="cell">
                  <span class={publication.published ? 'badge badge-ok' : 'badge badge-warn'}>{publication.published ? t('publications.published') : t('publications.notPublished')}</span>{' '}
                  <span class="muted" data-testid="publication-reason">
                    {publication.reason}
                  </span>
                  {admin && manual ? (
                    <button type="button" class="secondary small" disabled={busy} onClick={() => onRemove(publication)} data-testid="publication-remove">
                      {t('publications.remove')}
                      <span class="visually-hidden">{t('publications.removeWhat', { description: publication.description, port: publication.port })}</span>
                    </button>
                  ) : null}
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
