// Our compact Serf tags: a digest of the service list and where to fetch it. The list itself never fits in 512 bytes.
import { cleanMicrocloud } from '../service-record.ts';

/** `cy` = "<protocol> <HTTPS port> <digest> <count>", `fp` = certificate pin, `mc` = microcloud. */
export interface CloudyTags {
  apiPort: number;
  digest: string;
  count: number;
  pin: string;
  microcloud: string;
}

export const CLOUDY_TAG = 'cy';
export const LEGACY_TAG = 'services';
const TAG_PROTOCOL = '1';

export function formatCloudyTags(tags: CloudyTags): Record<string, string> {
  return { [CLOUDY_TAG]: `${TAG_PROTOCOL} ${tags.apiPort} ${tags.digest} ${tags.count}`, fp: tags.pin, ...(tags.microcloud ? { mc: tags.microcloud } : {}) };
}

/** Null for a member that is not a Cloudy node of our protocol (a 2015 node, a plain agent, a malformed tag). */
export function parseCloudyTags(tags: Record<string, string>): CloudyTags | null {
  const match = /^1 (\d{1,5}) ([0-9a-f]{12}) (\d{1,5})$/.exec(tags[CLOUDY_TAG] ?? '');
  const pin = tags.fp ?? '';
  if (!match || !/^[A-Za-z0-9_-]{16}$/.test(pin)) return null;
  const apiPort = Number(match[1]);
  if (apiPort < 1 || apiPort > 65535) return null;
  return { apiPort, digest: match[2]!, count: Number(match[3]), pin, microcloud: cleanMicrocloud(tags.mc) };
}
