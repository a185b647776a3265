// Syncthing's consume actions: connect to a discovered device, accept one that wants to connect, share the folder both ways.
import type { ConsumeState, DiscoveredService, IncomingRequest } from '../../kit/module-hooks.ts';
import type { SyncthingRestClient } from './syncthing-rest-client.ts';

/** The folder Cloudy manages; others the user adds in Syncthing's own UI are left alone. */
export const SHARED_FOLDER_ID = 'cloudy-shared';
export const PENDING_DEVICE = 'pending-device';

const DEVICE_ID = /^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$/;

/** The device ID a record carries: `node_id` is what the 2015 Cloudy published, `deviceID` ours too. */
export function deviceIdOf(record: DiscoveredService): string | null {
  const id = (record.txt.node_id ?? record.txt.deviceID ?? '').toUpperCase();
  return DEVICE_ID.test(id) ? id : null;
}

export async function pairingStates(client: SyncthingRestClient, records: DiscoveredService[]): Promise<Record<string, ConsumeState>> {
  const [devices, { connections }] = await Promise.all([client.devices(), client.connections()]);
  const configured = new Set(devices.map((device) => device.deviceID));
  const states: Record<string, ConsumeState> = {};
  for (const record of records) {
    const id = deviceIdOf(record);
    states[record.key] = !id ? 'unavailable' : !configured.has(id) ? 'available' : connections[id]?.connected ? 'done' : 'waiting';
  }
  return states;
}

/** Puts the device in (or takes it out of) the shared folder's device list, so the folder syncs without a second question. */
async function shareFolder(client: SyncthingRestClient, deviceId: string, shared: boolean): Promise<void> {
  const folder = (await client.folders()).find((candidate) => candidate.id === SHARED_FOLDER_ID);
  if (!folder) return;
  const others = folder.devices.filter((device) => device.deviceID !== deviceId);
  await client.putFolder({ ...folder, devices: shared ? [...others, { deviceID: deviceId }] : others });
}

async function addDevice(client: SyncthingRestClient, deviceId: string, name: string, address: string | null): Promise<void> {
  const known = (await client.devices()).some((device) => device.deviceID === deviceId);
  if (!known) await client.addDevice({ deviceID: deviceId, name, addresses: address ? [address, 'dynamic'] : ['dynamic'] });
  await shareFolder(client, deviceId, true);
}

export async function connectDevice(client: SyncthingRestClient, record: DiscoveredService, mode: 'do' | 'undo'): Promise<void> {
  const deviceId = deviceIdOf(record);
  if (!deviceId) throw new Error(`The service of ${record.node} carries no Syncthing device ID.`);
  if (mode === 'undo') {
    await shareFolder(client, deviceId, false);
    if ((await client.devices()).some((device) => device.deviceID === deviceId)) await client.removeDevice(deviceId);
    return;
  }
  const host = record.address.includes(':') ? `[${record.address}]` : record.address;
  await addDevice(client, deviceId, record.txt.deviceName || record.node, `tcp://${host}:${record.port}`);
}

export async function pendingDevices(client: SyncthingRestClient): Promise<IncomingRequest[]> {
  const pending = await client.pendingDevices();
  return Object.entries(pending)
    .filter(([id]) => DEVICE_ID.test(id))
    .map(([id, device]) => ({ kind: PENDING_DEVICE, id, name: String(device.name ?? '').slice(0, 64) || id.slice(0, 7), address: String(device.address ?? '').slice(0, 64) }));
}

export async function acceptDevice(client: SyncthingRestClient, deviceId: string): Promise<void> {
  const pending = (await client.pendingDevices())[deviceId];
  if (!pending) throw new Error('No device with that ID is waiting to connect.');
  const address = /^[0-9a-fA-F.:[\]]+:\d{1,5}$/.test(pending.address ?? '') ? `tcp://${pending.address}` : null;
  await addDevice(client, deviceId, String(pending.name ?? '').slice(0, 64) || deviceId.slice(0, 7), address);
}
