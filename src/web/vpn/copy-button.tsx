// Copies a text with the clipboard API; where the browser refuses, it selects the field instead so the person can copy it.
import { useState } from 'preact/hooks';

import { t } from '../i18n/i18n.ts';

interface CopyButtonProps {
  text: string;
  /** The field holding the same text, selected when copying is not allowed. */
  fieldId: string;
  testId: string;
}

export function CopyButton({ text, fieldId, testId }: CopyButtonProps) {
  const [outcome, setOutcome] = useState<'copied' | 'select' | null>(null);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome('copied');
    } catch {
      const field = document.getElementById(fieldId) as HTMLTextAreaElement | HTMLInputElement | null;
      field?.focus();
      field?.select();
      setOutcome('select');
    }
  };
  return (
    <span class="copy">
      <button type="button" class="secondary small" onClick={() => void copy()} aria-describedby={`${testId}-outcome`} data-testid={testId}>
        {t('vpnServer.copy')}
      </button>{' '}
      <span id={`${testId}-outcome`} role="status" class="muted" data-testid={`${testId}-outcome`}>
        {outcome === 'copied' ? t('vpnServer.copied') : outcome === 'select' ? t('vpnServer.copySelect') : ''}
      </span>
    </span>
  );
}
