// `cloudy metrics …`: the node's figures over time, and the tokens a Prometheus server scrapes /metrics with.
import { HISTORY_RANGES, type MetricsHistory, type MetricsTokenCreated, type MetricsTokenView } from '../shared/metrics-contract.ts';
import type { Print } from './operation-follow.ts';
import type { PanelClient } from './panel-client.ts';

const USAGE = `usage: cloudy metrics history [SERIES...] [--range 1h|6h|24h|7d|30d|365d]
       cloudy metrics token create NAME
       cloudy metrics token list
       cloudy metrics token revoke ID`;

export async function metricsCommand(client: PanelClient, [noun, ...rest]: string[], flags: { range?: string }, print: Print): Promise<void> {
  if (noun === 'history') {
    const range = flags.range ?? '1h';
    if (!(range in HISTORY_RANGES)) throw new Error(`--range is one of ${Object.keys(HISTORY_RANGES).join(', ')}`);
    const query = new URLSearchParams({ range, ...(rest.length ? { series: rest.join(',') } : {}) });
    const history = await client.request<MetricsHistory>('GET', `/api/metrics/history?${query.toString()}`);
    const lines = Object.entries(history.series).map(([name, points]) => {
      const last = points.at(-1);
      return `${name.padEnd(24)} ${String(points.length).padStart(6)} points${last ? `, last ${last[1].toFixed(2)} at ${new Date(last[0] * 1000).toISOString()}` : ''}`;
    });
    return print(lines.join('\n') || 'no points yet (the first ones come a minute after the start)', history);
  }
  if (noun === 'token' && rest[0] === 'create') {
    const name = rest.slice(1).join(' ');
    if (!name) throw new Error(`a token needs a name: who scrapes with it\n${USAGE}`);
    const created = await client.request<MetricsTokenCreated>('POST', '/api/metrics/tokens', { name });
    return print(`token ${created.id} for ${created.name} (shown only now):\n  ${created.token}\nPrometheus: authorization: { credentials: ${created.token} }, scheme https, path /metrics`, created);
  }
  if (noun === 'token' && rest[0] === 'list') {
    const tokens = await client.request<MetricsTokenView[]>('GET', '/api/metrics/tokens');
    return print(tokens.map((token) => `${token.id}  ${token.name.padEnd(24)} by ${token.createdBy}, last used ${token.lastUsedAt ?? 'never'}`).join('\n') || 'no metrics tokens', tokens);
  }
  if (noun === 'token' && rest[0] === 'revoke') {
    if (!rest[1]) throw new Error(`which token?\n${USAGE}`);
    await client.request('DELETE', `/api/metrics/tokens/${encodeURIComponent(rest[1])}`);
    return print(`token ${rest[1]} revoked: scrapes with it get 401 now`, { revoked: rest[1] });
  }
  throw new Error(USAGE);
}
