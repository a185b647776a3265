// The Search page's filters: free text over every field of a record, and whether to show services not seen recently.
import { t } from '../i18n/i18n.ts';

interface SearchFiltersProps {
  text: string;
  onText: (text: string) => void;
  includeStale: boolean;
  onIncludeStale: (includeStale: boolean) => void;
}

export function SearchFilters({ text, onText, includeStale, onIncludeStale }: SearchFiltersProps) {
  return (
    <form role="search" class="filters" onSubmit={(event) => event.preventDefault()} data-testid="search-filters">
      <div class="field">
        <label for="search-text">{t('search.textLabel')}</label>
        <input
          id="search-text"
          type="search"
          value={text}
          maxLength={200}
          autocomplete="off"
          spellcheck={false}
          onInput={(event) => onText(event.currentTarget.value)}
          data-testid="search-text"
        />
      </div>
      <div class="field field-checkbox">
        <input
          id="search-include-stale"
          type="checkbox"
          checked={includeStale}
          onChange={(event) => onIncludeStale(event.currentTarget.checked)}
          data-testid="search-include-stale"
        />
        <label for="search-include-stale">{t('search.includeStale')}</label>
      </div>
    </form>
  );
}
