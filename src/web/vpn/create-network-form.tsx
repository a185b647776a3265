// Administrators create an overlay network: name, subnet, mode and, knowingly, legacy enrolment for 2015 clients.
import { useState } from 'preact/hooks';

import type { NetworkView, VpnMode } from '../../shared/vpn-contract.ts';
import { IPV4_CIDR_PATTERN, NETWORK_NAME_PATTERN } from '../../shared/vpn-names.ts';
import { ApiError } from '../api/http-client.ts';
import { vpnApi } from '../api/vpn-api.ts';
import { CheckboxField } from '../components/checkbox-field.tsx';
import { FieldDescription, fieldAria } from '../components/field-description.tsx';
import { FormError } from '../components/form-messages.tsx';
import { TextField } from '../components/text-field.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';

/** Shapes checked here, in the panel's language; the server still decides the rest (a subnet's host bits, a taken name). */
function shapeErrors(name: string, subnet: string): Record<string, string> {
  return {
    ...(new RegExp(NETWORK_NAME_PATTERN).test(name) ? {} : { name: t('vpnServer.nameInvalid') }),
    ...(new RegExp(IPV4_CIDR_PATTERN).test(subnet) ? {} : { subnet: t('vpnServer.subnetInvalid') }),
  };
}

export function CreateNetworkForm({ onCreated }: { onCreated: (network: NetworkView) => void }) {
  const [name, setName] = useState('');
  const [subnet, setSubnet] = useState('');
  const [mode, setMode] = useState<VpnMode>('router');
  const [legacyEnrolment, setLegacyEnrolment] = useState(false);
  const { busy, error, submit } = useSubmission();
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    void submit(async () => {
      const request = { name: name.trim(), subnet: subnet.trim(), mode, legacyEnrolment };
      const fields = shapeErrors(request.name, request.subnet);
      if (Object.keys(fields).length > 0) throw new ApiError(0, 'invalid_request', t('form.fixFields'), fields);
      onCreated(await vpnApi.createNetwork(request));
      setName('');
      setSubnet('');
      setLegacyEnrolment(false);
    });
  };
  return (
    <form class="card" onSubmit={onSubmit} noValidate aria-labelledby="vpn-create-title" data-testid="vpn-create-form">
      <h2 id="vpn-create-title">{t('vpnServer.createTitle')}</h2>
      <FormError error={error} testId="vpn-create-error" />
      <TextField name="name" id="vpn-create-name" label={t('vpnServer.name')} help={t('vpnServer.nameHelp')} value={name} onInput={setName} error={error} autoComplete="off" />
      <TextField name="subnet" id="vpn-create-subnet" label={t('vpnServer.subnet')} help={t('vpnServer.subnetHelp')} value={subnet} onInput={setSubnet} error={error} autoComplete="off" placeholder="10.99.0.0/24" />
      <div class="field">
        <label for="vpn-create-mode">{t('vpnServer.mode')}</label>
        <select id="vpn-create-mode" name="mode" value={mode} {...fieldAria({ name: 'mode', id: 'vpn-create-mode', error, help: t('vpnServer.modeHelp') })} onChange={(event) => setMode(event.currentTarget.value as VpnMode)} data-testid="vpn-create-mode">
          <option value="router">{t('vpnServer.modeRouter')}</option>
          <option value="switch">{t('vpnServer.modeSwitch')}</option>
        </select>
        <FieldDescription name="mode" id="vpn-create-mode" error={error} help={t('vpnServer.modeHelp')} />
      </div>
      <CheckboxField name="legacyEnrolment" id="vpn-create-legacy" label={t('vpnServer.legacy')} checked={legacyEnrolment} onChange={setLegacyEnrolment} error={error} help={t('vpnServer.legacyWarning')} />
      <button type="submit" disabled={busy} data-testid="vpn-create-submit">
        {busy ? t('vpnServer.creating') : t('vpnServer.create')}
      </button>
    </form>
  );
}
