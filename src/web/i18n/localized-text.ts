// Texts that modules bring in every language ({en, ca, es}): the panel's language picked, `{name}`-style placeholders filled.
import type { LocalizedText } from '../../shared/discovery-contract.ts';
import { activeLocale } from './i18n.ts';

/**
 * The text in the panel's language with each `{name}` replaced by values[name], in one pass, so a value that
 * itself contains `{address}` (a peer's device name, say) is never expanded again. The result is plain text.
 */
export function localized(text: LocalizedText, values: Record<string, string> = {}): string {
  const chosen = text[activeLocale()] || text.en;
  return chosen.replace(/\{(\w+)\}/g, (placeholder, name: string) => (Object.hasOwn(values, name) ? values[name]! : placeholder));
}
