// One service in the catalogue: what it is, its state, and the way to its page.
import type { ModuleSummary } from '../../shared/api-contract.ts';
import { StateBadges } from '../components/state-badges.tsx';
import { routeHref } from '../hash-router.ts';
import { type MessageKey, t } from '../i18n/i18n.ts';

const CATEGORY_LABELS: Record<string, MessageKey> = {
  storage: 'category.storage',
  network: 'category.network',
  media: 'category.media',
  system: 'category.system',
  web: 'category.web',
};

/** The category in the panel's language; a category this panel does not know shows as sent. */
const categoryLabel = (category: string): string => {
  const key = CATEGORY_LABELS[category];
  return key === undefined ? category : t(key);
};

export function ModuleCard({ module }: { module: ModuleSummary }) {
  const headingId = `module-card-title-${module.id}`;
  return (
    <article class="card module-card" aria-labelledby={headingId} data-testid={`module-card-${module.id}`}>
      <h2 id={headingId}>{module.title}</h2>
      <p class="muted" data-testid={`module-category-${module.id}`}>
        {t('services.category', { category: categoryLabel(module.category) })}
      </p>
      <StateBadges state={module.state} />
      <p>{module.description}</p>
      <a class="button" href={routeHref({ page: 'module', moduleId: module.id })} data-testid={`module-link-${module.id}`}>
        {t('services.open', { title: module.title })}
      </a>
    </article>
  );
}
