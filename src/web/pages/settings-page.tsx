// Settings: the node's name and accounts (administrators only), the way to discovery settings, one's password and language.
import { routeHref } from '../hash-router.ts';
import { t } from '../i18n/i18n.ts';
import { HostnameForm } from '../settings/hostname-form.tsx';
import { LanguageForm } from '../settings/language-form.tsx';
import { PasswordForm } from '../settings/password-form.tsx';
import { UsersForm } from '../settings/users-form.tsx';
import { useSession } from '../session-context.ts';

export function SettingsPage() {
  const { session } = useSession();
  return (
    <section data-testid="settings">
      <h1>{t('settings.title')}</h1>
      {session.role === 'admin' ? <HostnameForm /> : null}
      {session.role === 'admin' ? <UsersForm /> : null}
      <div class="card" data-testid="settings-discovery">
        <h2>{t('settings.discoveryTitle')}</h2>
        <p>{t('settings.discoveryText')}</p>
        <a href={routeHref({ page: 'discovery' })} data-testid="settings-discovery-link">
          {t('settings.discoveryLink')}
        </a>
      </div>
      <PasswordForm />
      <LanguageForm />
    </section>
  );
}
