// One of a module's lists (WebDAV's shares, its users …): the items, and for admins a form that adds or changes one.
import { useMemo, useState } from 'preact/hooks';

import type { CollectionInfo, CollectionItemView } from '../../shared/api-contract.ts';
import { itemUrlKey } from '../../shared/http-names.ts';
import { api } from '../api/cloudy-api.ts';
import { FormError, SuccessMessage } from '../components/form-messages.tsx';
import { LoadStatus } from '../components/load-status.tsx';
import { TextField } from '../components/text-field.tsx';
import { useApiData } from '../hooks/use-api-data.ts';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';
import { useSession } from '../session-context.ts';
import { ConfigField } from './config-field.tsx';
import { configFields, defaultsOf, toConfigValues, toFormValues } from './config-schema.ts';

interface CollectionSectionProps {
  moduleId: string;
  collection: CollectionInfo;
  /** A change may start an operation (the running module applies it): the page follows it. */
  onOperation: (operationId: string) => void;
}

const shown = (value: unknown): string => (Array.isArray(value) ? value.join(', ') : typeof value === 'boolean' ? (value ? '✓' : '—') : String(value ?? ''));

export function CollectionSection({ moduleId, collection, onOperation }: CollectionSectionProps) {
  const admin = useSession().session.role === 'admin';
  const { data: items, error: loadError, reload } = useApiData(() => api.items(moduleId, collection.name), [moduleId, collection.name]);
  const fields = useMemo(() => configFields(collection.itemSchema), [JSON.stringify(collection.itemSchema)]);
  const blank = () => toFormValues(fields, defaultsOf(collection.itemSchema));
  const [values, setValues] = useState(blank);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, submit } = useSubmission();
  const idPrefix = `item-${collection.name}`;
  const keyField = fields.find((field) => field.name === collection.key);

  const after = (reply: { operationId: string | null }, message: string) => {
    if (reply.operationId !== null) onOperation(reply.operationId);
    setDone(message);
    reload();
  };
  const save = (event: Event) => {
    event.preventDefault();
    setDone(null);
    const key = String(values[collection.key] ?? '').trim();
    void submit(async () => {
      after(await api.putItem(moduleId, collection.name, itemUrlKey(key), toConfigValues(fields, values, {}), password || undefined), t('collection.saved', { key }));
      setValues(blank());
      setPassword('');
    });
  };
  const remove = (key: string) => {
    setDone(null);
    void submit(async () => after(await api.removeItem(moduleId, collection.name, key), t('collection.removed', { key })));
  };
  const edit = (item: CollectionItemView) => {
    setDone(null);
    setValues(toFormValues(fields, item.values));
    setPassword('');
  };

  const headingId = `collection-${collection.name}-title`;
  return (
    <section aria-labelledby={headingId} data-testid={`collection-${collection.name}`}>
      <h2 id={headingId}>{collection.title}</h2>
      {collection.description === null ? null : <p class="muted">{collection.description}</p>}
      {items === null ? (
        <LoadStatus error={loadError} retry={reload} />
      ) : items.length === 0 ? (
        <p class="muted" data-testid={`collection-${collection.name}-empty`}>
          {t('collection.empty')}
        </p>
      ) : (
        <div class="table-scroll">
          <table data-testid={`collection-${collection.name}-items`}>
            <thead>
              <tr>
                {fields.map((field) => (
                  <th key={field.name} scope="col">
                    {field.title}
                  </th>
                ))}
                {admin ? <th scope="col">{t('collection.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.key} data-testid={`item-${collection.name}-${item.key}`}>
                  {fields.map((field) => (
                    <td key={field.name}>{shown(item.values[field.name])}</td>
                  ))}
                  {admin ? (
                    <td class="actions">
                      <button type="button" class="secondary" onClick={() => edit(item)} data-testid={`item-${collection.name}-${item.key}-edit`}>
                        {t('collection.edit', { key: item.key })}
                      </button>
                      <button type="button" class="secondary danger" disabled={busy} onClick={() => remove(item.key)} data-testid={`item-${collection.name}-${item.key}-remove`}>
                        {t('collection.remove', { key: item.key })}
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {admin ? (
        <form class="card" onSubmit={save} noValidate data-testid={`collection-${collection.name}-form`}>
          <h3>{t('collection.addOrChange', { title: keyField?.title ?? collection.key })}</h3>
          <FormError error={error} />
          {fields.map((field) => (
            <ConfigField
              key={field.name}
              idPrefix={idPrefix}
              field={field}
              value={values[field.name] ?? ''}
              error={error}
              onChange={(value) => {
                setDone(null);
                setValues((current) => ({ ...current, [field.name]: value }));
              }}
            />
          ))}
          {collection.password === null ? null : (
            <TextField
              name="password"
              id={`${idPrefix}-password`}
              type="password"
              autoComplete="new-password"
              label={collection.password.title}
              help={collection.password.description ?? undefined}
              value={password}
              onInput={setPassword}
              error={error}
            />
          )}
          {done === null ? null : <SuccessMessage text={done} testId={`collection-${collection.name}-done`} />}
          <button type="submit" disabled={busy} data-testid={`collection-${collection.name}-save`}>
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </form>
      ) : null}
    </section>
  );
}
