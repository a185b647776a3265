// One service in the catalogue: what it is, its state, and the way to its page.
import type { ModuleSummary } from '../../shared/api-contract.ts';
import { StateBadges } from '../components/state-badges.tsx';
import { routeHref } from '../hash-router.ts';
import { t } from '../i18n/i18n.ts';

export function ModuleCard({ module }: { module: ModuleSummary }) {
  const headingId = `module-card-title-${module.id}`;
  return (
    <article class="card module-card" aria-labelledby={headingId} data-testid={`module-card-${module.id}`}>
      <h2 id={headingId}>{module.title}</h2>
      <p class="muted" data-testid={`module-category-${module.id}`}>
        {t('services.category', { category: module.category })}
      </p>
      <StateBadges state={module.state} />
      <p>{module.description}</p>
      <a class="button" href={routeHref({ page: 'module', moduleId: module.id })} data-testid={`module-link-${module.id}`}>
        {t('services.open', { title: module.title })}
      </a>
    </article>
  );
}
