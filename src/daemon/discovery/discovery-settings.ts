// Discovery settings: defaults from the start-up options, validation of changes, and the community address.
import { readFileSync } from 'node:fs';
import os from 'node:os';

import { Value } from '@sinclair/typebox/value';

import { DiscoverySettings, type DiscoverySettingsUpdate } from '../../shared/discovery-contract.ts';
import { ApiError } from '../api-error.ts';
import { schemaFieldErrors } from '../config-validation.ts';

/** What `cloudy start` may set for a node that has no saved discovery settings yet. */
export interface DiscoveryStartOptions {
  communityAddress?: string;
  serfPort?: number;
  /** Loopback port of the Serf agent's RPC; not a user setting. */
  serfRpcPort: number;
}

export function defaultSettings(start: DiscoveryStartOptions): DiscoverySettings {
  const defaults = Value.Default(DiscoverySettings, {}) as DiscoverySettings;
  return {
    ...defaults,
    ...(start.communityAddress ? { communityAddress: start.communityAddress } : {}),
    ...(start.serfPort ? { serfPort: start.serfPort } : {}),
  };
}

/** The merged settings, or a 400 naming every bad field; nothing is saved on error. */
export function validateSettingsUpdate(current: DiscoverySettings, update: DiscoverySettingsUpdate): DiscoverySettings {
  const merged = { ...current, ...update } as Record<string, unknown>;
  const known = Object.keys(DiscoverySettings.properties);
  const fields = schemaFieldErrors(DiscoverySettings, merged);
  for (const key of Object.keys(update)) {
    if (!known.includes(key)) fields[key] = `${key} is not a discovery setting.`;
  }
  const joins = merged.joinAddresses;
  if (Array.isArray(joins)) {
    const bad = joins.find((entry) => typeof entry !== 'string' || !/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(entry) || Number(entry.split(':')[1] ?? 1) > 65535);
    if (bad !== undefined) fields.joinAddresses = `Join addresses: "${String(bad).slice(0, 60)}" is not an address or address:port.`;
    else if (joins.length > 32) fields.joinAddresses = 'Join addresses: at most 32.';
  }
  const address = merged.communityAddress;
  if (!fields.communityAddress && typeof address === 'string' && address && !localAddresses().includes(address)) {
    fields.communityAddress = `Community address: ${address} is not an address of this node (it has ${localAddresses().join(', ')}); leave it empty to use the default-route interface.`;
  }
  if (Object.keys(fields).length > 0) throw new ApiError(400, 'invalid_settings', 'Some discovery settings are not valid; nothing was saved.', fields);
  return merged as DiscoverySettings;
}

const localAddresses = (): string[] =>
  Object.values(os.networkInterfaces())
    .flat()
    .filter((entry) => entry?.family === 'IPv4')
    .map((entry) => entry!.address);

export interface CommunityEndpoint {
  address: string;
  interface: string;
}

/** The interface of the IPv4 default route (/proc/net/route), if any. */
function defaultRouteInterface(): string | null {
  try {
    const lines = readFileSync('/proc/net/route', 'utf8').split('\n').slice(1);
    const route = lines.map((line) => line.trim().split(/\s+/)).find((fields) => fields[1] === '00000000' && fields[7] === '00000000');
    return route?.[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * Where discovery binds: the configured address, else the default-route interface's IPv4 address, else the
 * first non-loopback IPv4 address (a lab host has no default route), else loopback.
 */
export function communityEndpoint(configured: string): CommunityEndpoint {
  const interfaces = os.networkInterfaces();
  const ipv4 = (name: string) => interfaces[name]?.find((entry) => entry.family === 'IPv4')?.address;
  if (configured) {
    const name = Object.keys(interfaces).find((candidate) => interfaces[candidate]?.some((entry) => entry.address === configured));
    return { address: configured, interface: name ?? '' };
  }
  const routed = defaultRouteInterface();
  if (routed && ipv4(routed)) return { address: ipv4(routed)!, interface: routed };
  for (const [name, entries] of Object.entries(interfaces)) {
    const entry = entries?.find((candidate) => candidate.family === 'IPv4' && !candidate.internal);
    if (entry) return { address: entry.address, interface: name };
  }
  return { address: '127.0.0.1', interface: 'lo' };
}

export const isLoopback = (address: string): boolean => address.startsWith('127.');
