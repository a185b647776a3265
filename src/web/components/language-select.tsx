// A labelled drop-down of the panel's languages, each named in itself.
import type { Language } from '../../shared/api-contract.ts';
import { LANGUAGES } from '../../shared/http-names.ts';
import { isLanguage, LANGUAGE_NAMES, t } from '../i18n/i18n.ts';

interface LanguageSelectProps {
  id: string;
  value: Language;
  disabled?: boolean;
  onChange: (language: Language) => void;
}

export function LanguageSelect({ id, value, disabled = false, onChange }: LanguageSelectProps) {
  return (
    <div class="field">
      <label for={id}>{t('common.language')}</label>
      <select
        id={id}
        data-testid={id}
        value={value}
        disabled={disabled}
        onChange={(event) => {
          const chosen = event.currentTarget.value;
          if (isLanguage(chosen)) onChange(chosen);
        }}
      >
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {LANGUAGE_NAMES[language]}
          </option>
        ))}
      </select>
    </div>
  );
}
