// Turns apt's machine-readable status lines (APT::Status-Fd) into one 0–100 progress figure.

export interface AptProgress {
  percent: number;
  message: string;
}

/**
 * apt writes `dlstatus:<n>:<percent>:<text>` while downloading and `pmstatus:<pkg>:<percent>:<text>`
 * while dpkg unpacks and configures (apt-get's APT::Status-Fd, documented in apt's README.progress-reporting).
 * Downloads fill the first half of the bar, dpkg the second.
 */
export function parseAptStatusLine(line: string): AptProgress | null {
  const match = /^(dlstatus|pmstatus):[^:]*:([0-9.]+):(.*)$/.exec(line.trim());
  if (!match) return null;
  const phasePercent = Math.max(0, Math.min(100, Number(match[2])));
  const percent = match[1] === 'dlstatus' ? phasePercent / 2 : 50 + phasePercent / 2;
  return { percent: Math.round(percent * 10) / 10, message: match[3]!.trim() };
}
