// The Search page's tabs: "All" and one per service type with its count; arrow keys move between them (WAI-ARIA tabs pattern).
import type { ComponentChildren } from 'preact';

import { formatNumber } from '../format.ts';
import { t } from '../i18n/i18n.ts';

export interface TypeCount {
  type: string;
  count: number;
}

interface TypeTabsProps {
  types: TypeCount[];
  /** null: "All". */
  selected: string | null;
  onSelect: (type: string | null) => void;
  children: ComponentChildren;
}

const PANEL_ID = 'search-panel';
/** Types are `[a-z0-9-]` by the API's rule; the prefix keeps ids distinct from the panel's own. */
const tabId = (type: string | null): string => (type === null ? 'search-tab-all' : `search-tab-type-${type}`);

export function TypeTabs({ types, selected, onSelect, children }: TypeTabsProps) {
  const total = types.reduce((sum, entry) => sum + entry.count, 0);
  // A chosen type the current filter no longer matches keeps its tab, so the choice stays visible and undoable.
  const shown = selected === null || types.some((entry) => entry.type === selected) ? types : [...types, { type: selected, count: 0 }];
  const tabs: Array<{ type: string | null; label: string; count: number }> = [
    { type: null, label: t('search.allTypes'), count: total },
    ...shown.map((entry) => ({ type: entry.type, label: entry.type, count: entry.count })),
  ];

  const onKeyDown = (event: KeyboardEvent): void => {
    const index = tabs.findIndex((tab) => tab.type === selected);
    const last = tabs.length - 1;
    const target = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: last }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const next = tabs[(target + tabs.length) % tabs.length]!;
    onSelect(next.type);
    // Focus follows the selection once Preact has rendered it.
    requestAnimationFrame(() => document.getElementById(tabId(next.type))?.focus());
  };

  return (
    <div class="tabs">
      <div role="tablist" aria-label={t('search.typesLabel')} onKeyDown={onKeyDown} data-testid="search-tabs">
        {tabs.map((tab) => {
          const isSelected = tab.type === selected;
          return (
            <button
              key={tab.type ?? ''}
              type="button"
              role="tab"
              id={tabId(tab.type)}
              aria-selected={isSelected}
              aria-controls={PANEL_ID}
              tabIndex={isSelected ? 0 : -1}
              onClick={() => onSelect(tab.type)}
              data-testid={tab.type === null ? 'search-tab-all' : `search-tab-${tab.type}`}
              data-count={tab.count}
            >
              {tab.label} <span class="tab-count">({formatNumber(tab.count, 0)})</span>
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={PANEL_ID} aria-labelledby={tabId(selected)} tabIndex={0} data-testid="search-panel">
        {children}
      </div>
    </div>
  );
}
