// Administrators change how this node joins the community: address, gossip port and key, join list, microcloud, profile, mDNS, 2015 tag.
import { useEffect, useState } from 'preact/hooks';

import type { DiscoverySettings, DiscoverySettingsUpdate } from '../../shared/discovery-contract.ts';
import { discoveryApi } from '../api/discovery-api.ts';
import { ApiError } from '../api/http-client.ts';
import { CheckboxField } from '../components/checkbox-field.tsx';
import { FieldDescription, fieldAria } from '../components/field-description.tsx';
import { FormError, SuccessMessage } from '../components/form-messages.tsx';
import { TextAreaField } from '../components/text-area-field.tsx';
import { TextField } from '../components/text-field.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';
import { generateGossipKey, parseLines, parsePort } from './form-values.ts';

type SerfProfile = DiscoverySettings['serfProfile'];
type FormValues = Omit<DiscoverySettings, 'serfPort' | 'joinAddresses'> & { serfPort: string; joinAddresses: string };

const PROFILES: SerfProfile[] = ['lan', 'wan', 'local'];
const PROFILE_LABELS = { lan: 'discoverySettings.profileLan', wan: 'discoverySettings.profileWan', local: 'discoverySettings.profileLocal' } as const;

const toFormValues = (settings: DiscoverySettings): FormValues => ({ ...settings, serfPort: String(settings.serfPort), joinAddresses: settings.joinAddresses.join('\n') });

function toUpdate(values: FormValues): DiscoverySettingsUpdate {
  const serfPort = parsePort(values.serfPort);
  if (serfPort === null) throw new ApiError(0, 'invalid_settings', t('form.fixFields'), { serfPort: t('discoverySettings.serfPortInvalid') });
  return { ...values, communityAddress: values.communityAddress.trim(), microcloud: values.microcloud.trim(), encryptKey: values.encryptKey.trim(), serfPort, joinAddresses: parseLines(values.joinAddresses) };
}

export function DiscoverySettingsForm({ onSaved }: { onSaved: () => void }) {
  const [values, setValues] = useState<FormValues | null>(null);
  const [saved, setSaved] = useState(false);
  const { busy, error, submit } = useSubmission();
  useEffect(() => {
    void submit(async () => setValues(toFormValues(await discoveryApi.settings())));
  }, []);
  if (values === null) {
    return (
      <section class="card" data-testid="discovery-settings-form">
        <h2>{t('discoverySettings.title')}</h2>
        {error === null ? <p class="muted">{t('common.loading')}</p> : <FormError error={error} />}
      </section>
    );
  }
  const set =
    <K extends keyof FormValues>(name: K) =>
    (value: FormValues[K]): void => {
      setSaved(false);
      setValues({ ...values, [name]: value });
    };
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    setSaved(false);
    void submit(async () => {
      setValues(toFormValues(await discoveryApi.saveSettings(toUpdate(values))));
      setSaved(true);
      onSaved();
    });
  };
  return (
    <form class="card" onSubmit={onSubmit} noValidate aria-labelledby="discovery-settings-title" data-testid="discovery-settings-form">
      <h2 id="discovery-settings-title">{t('discoverySettings.title')}</h2>
      <FormError error={error} testId="discovery-settings-error" />
      <TextField name="communityAddress" id="settings-communityAddress" label={t('discoverySettings.communityAddress')} help={t('discoverySettings.communityAddressHelp')} placeholder={t('discoverySettings.communityAddressPlaceholder')} value={values.communityAddress} onInput={set('communityAddress')} error={error} autoComplete="off" />
      <TextField name="serfPort" id="settings-serfPort" label={t('discoverySettings.serfPort')} help={t('discoverySettings.serfPortHelp')} value={values.serfPort} onInput={set('serfPort')} error={error} autoComplete="off" inputMode="numeric" />
      <TextAreaField name="joinAddresses" id="settings-joinAddresses" label={t('discoverySettings.joinAddresses')} help={t('discoverySettings.joinAddressesHelp')} placeholder={'10.1.2.3\n10.1.2.4:7946'} value={values.joinAddresses} onInput={set('joinAddresses')} error={error} />
      <TextField name="microcloud" id="settings-microcloud" label={t('discoverySettings.microcloud')} help={t('discoverySettings.microcloudHelp')} value={values.microcloud} onInput={set('microcloud')} error={error} autoComplete="off" />
      <TextField name="encryptKey" id="settings-encryptKey" label={t('discoverySettings.encryptKey')} help={t('discoverySettings.encryptKeyHelp')} value={values.encryptKey} onInput={set('encryptKey')} error={error} autoComplete="off" />
      <p class="button-row">
        <button type="button" class="secondary" onClick={() => set('encryptKey')(generateGossipKey())} data-testid="settings-generate-key">
          {t('discoverySettings.generateKey')}
        </button>
      </p>
      <div class="field">
        <label for="settings-serfProfile">{t('discoverySettings.serfProfile')}</label>
        <select
          id="settings-serfProfile"
          name="serfProfile"
          value={values.serfProfile}
          {...fieldAria({ name: 'serfProfile', id: 'settings-serfProfile', error })}
          onChange={(event) => set('serfProfile')(event.currentTarget.value as SerfProfile)}
          data-testid="settings-serfProfile"
        >
          {PROFILES.map((profile) => (
            <option key={profile} value={profile}>
              {t(PROFILE_LABELS[profile])}
            </option>
          ))}
        </select>
        <FieldDescription name="serfProfile" id="settings-serfProfile" error={error} />
      </div>
      <CheckboxField name="mdns" id="settings-mdns" label={t('discoverySettings.mdns')} help={t('discoverySettings.mdnsHelp')} checked={values.mdns} onChange={set('mdns')} error={error} />
      <CheckboxField name="legacyTag" id="settings-legacyTag" label={t('discoverySettings.legacyTag')} help={t('discoverySettings.legacyTagHelp')} checked={values.legacyTag} onChange={set('legacyTag')} error={error} />
      {saved ? <SuccessMessage text={t('discoverySettings.saved')} testId="discovery-settings-saved" /> : null}
      <button type="submit" disabled={busy} data-testid="discovery-settings-save">
        {busy ? t('common.saving') : t('discoverySettings.save')}
      </button>
    </form>
  );
}
