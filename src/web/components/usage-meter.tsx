// A used/total figure (memory, disk) as text and as a meter bar.
import { formatBytes } from '../format.ts';
import { t } from '../i18n/i18n.ts';

interface UsageMeterProps {
  label: string;
  totalBytes: number;
  availableBytes: number;
  testId: string;
}

export function UsageMeter({ label, totalBytes, availableBytes, testId }: UsageMeterProps) {
  const usedBytes = Math.max(0, totalBytes - availableBytes);
  const text = t('dashboard.usage', { used: formatBytes(usedBytes), total: formatBytes(totalBytes) });
  return (
    <div class="usage" data-testid={testId}>
      <div class="usage-text">
        <span>{label}</span>
        <span data-testid={`${testId}-text`}>{text}</span>
      </div>
      <meter
        min={0}
        max={totalBytes}
        value={usedBytes}
        high={totalBytes * 0.8}
        optimum={0}
        aria-label={`${label}: ${text}`}
      />
    </div>
  );
}
