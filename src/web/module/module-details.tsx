// Module-specific facts reported by the node, such as Syncthing's device ID and shared folders.
import type { ModuleDetail } from '../../shared/api-contract.ts';
import { slug } from '../format.ts';

export function ModuleDetails({ details }: { details: ModuleDetail['details'] }) {
  return (
    <dl class="facts" data-testid="module-details">
      {details.map((detail) => (
        <div key={detail.label} class="fact">
          <dt>{detail.label}</dt>
          <dd class={`detail-${detail.kind ?? 'text'}`} data-testid={`module-detail-${slug(detail.label)}`}>
            {detail.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
