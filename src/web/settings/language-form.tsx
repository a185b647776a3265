// The panel's language for this account, stored on the node and applied at once.
import { api } from '../api/cloudy-api.ts';
import { FormError } from '../components/form-messages.tsx';
import { LanguageSelect } from '../components/language-select.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';
import { useSession } from '../session-context.ts';

export function LanguageForm() {
  const { session, languageChanged } = useSession();
  const { busy, error, submit } = useSubmission();
  return (
    <div class="card" data-testid="language-form">
      <h2>{t('settings.languageTitle')}</h2>
      <FormError error={error} />
      <LanguageSelect
        id="settings-language"
        value={session.language}
        disabled={busy}
        onChange={(language) =>
          void submit(async () => {
            await api.changeLanguage(language);
            languageChanged(language);
          })
        }
      />
    </div>
  );
}
