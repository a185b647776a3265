// Shown for a hash route the panel does not know.
import { t } from '../i18n/i18n.ts';

export function NotFoundPage() {
  return (
    <section data-testid="not-found">
      <h1>{t('notFound.title')}</h1>
      <p>
        <a href="#/" data-testid="not-found-home">
          {t('notFound.home')}
        </a>
      </p>
    </section>
  );
}
