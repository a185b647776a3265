// Pure: reads the per-host summary that `fping -C <count> -q` prints on stderr into loss and average latency.

export interface PingSummary {
  sent: number;
  received: number;
  averageMs: number | null;
}

/** More probes than anyone asks fping for: a longer line is not a summary. */
const MAX_PROBES = 1000;
const MAX_HOST_LENGTH = 255;

/**
 * fping 5.1 (`-C N -q`) writes one line per host: the host padded to the longest name, " : ", then N results, each a
 * time in ms or "-" for a lost probe: `10.0.0.1     : 0.10 0.12 - 0.11 0.10`. Other lines (names that do not
 * resolve, ICMP errors, per-probe lines without -q) do not have that shape and are skipped. A host listed twice keeps
 * its last line.
 */
export function parseFpingSummary(text: string): Map<string, PingSummary> {
  const summaries = new Map<string, PingSummary>();
  for (const line of text.split('\n')) {
    const match = /^(\S+) +: (\S.*)$/.exec(line.trimEnd());
    if (!match || match[1]!.length > MAX_HOST_LENGTH) continue;
    const results = match[2]!.split(' ');
    if (results.length > MAX_PROBES || !results.every((result) => /^(-|\d{1,9}(\.\d{1,6})?)$/.test(result))) continue;
    const times = results.filter((result) => result !== '-').map(Number);
    const averageMs = times.length > 0 ? times.reduce((sum, time) => sum + time, 0) / times.length : null;
    summaries.set(match[1]!, { sent: results.length, received: times.length, averageMs });
  }
  return summaries;
}
