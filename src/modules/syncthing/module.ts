// Syncthing beyond the generic lifecycle: config applied through its REST API, device ID and folders shown.
import type { ModuleDefinition, ModuleRuntime } from '../../kit/module-hooks.ts';
import { acceptsConnections } from '../../kit/tcp-probe.ts';
import { resolveDeclaredPath } from '../../kit/template.ts';
import type { DiagnosticCheck } from '../../shared/api-contract.ts';
import { syncthingManifest } from './manifest.ts';
import { OPTION_SETTINGS, syncthingOptions } from './config.ts';
import { acceptDevice, connectDevice, pairingStates, pendingDevices, SHARED_FOLDER_ID } from './device-pairing.ts';
import { SyncthingRestClient } from './syncthing-rest-client.ts';
import { syncthingTranslations } from './translations.ts';

const words = syncthingTranslations;


function restClient(runtime: ModuleRuntime): SyncthingRestClient {
  return new SyncthingRestClient(`http://127.0.0.1:${runtime.config.guiPort}`, runtime.secrets.apiKey ?? '');
}

async function applyConfig(runtime: ModuleRuntime, previous: Record<string, unknown> | null): Promise<'applied' | 'restart'> {
  // The GUI port is part of the daemon's argv: only a restart moves it.
  if (previous && previous.guiPort !== runtime.config.guiPort) return 'restart';
  const client = restClient(runtime);
  const { myID } = await client.status();
  await client.patchOptions(syncthingOptions(runtime.config));
  await client.patchDevice(myID, { name: String(runtime.config.deviceName) });
  const folderPath = String(runtime.config.sharedFolderPath);
  await runtime.callPrivileged('syncthing.ensureFolder', { folderPath });
  const existing = (await client.folders()).find((folder) => folder.id === SHARED_FOLDER_ID);
  await client.putFolder({
    ...(existing ?? {}),
    id: SHARED_FOLDER_ID,
    label: 'Shared',
    path: resolveDeclaredPath(runtime.root, folderPath),
    type: existing?.type ?? 'sendreceive',
    devices: existing?.devices ?? [{ deviceID: myID }],
  });
  runtime.log(`applied config: device name ${runtime.config.deviceName}, sync port ${runtime.config.listenPort}, folder ${folderPath}`);
  return (await client.restartRequired()).requiresRestart ? 'restart' : 'applied';
}

async function diagnose(runtime: ModuleRuntime): Promise<DiagnosticCheck[]> {
  const [checkRest, checkListening] = syncthingManifest.diagnostics;
  const reachable = await restClient(runtime).ping().then(() => true, () => false);
  const listening = await acceptsConnections('127.0.0.1', Number(runtime.config.listenPort), 2000);
  return [
    { checkId: checkRest!.checkId, description: checkRest!.description, result: reachable ? 'passed' : 'failed', parameters: { port: String(runtime.config.guiPort) } },
    { checkId: checkListening!.checkId, description: checkListening!.description, result: listening ? 'passed' : 'failed', parameters: { port: String(runtime.config.listenPort) } },
  ];
}

export const syncthingModule: ModuleDefinition = {
  manifest: syncthingManifest,
  translations: syncthingTranslations,
  hooks: {
    async setup(runtime) {
      await runtime.callPrivileged('syncthing.prepareHome');
    },
    async beforeStart(runtime) {
      const settings = Object.fromEntries(OPTION_SETTINGS.map((key) => [key, runtime.config[key]]));
      await runtime.callPrivileged('syncthing.writeOptions', { settings });
    },
    applyConfig,
    async details(runtime) {
      const client = restClient(runtime);
      const [{ myID }, folders, devices, { version }] = await Promise.all([client.status(), client.folders(), client.devices(), client.version()]);
      return [
        { label: words.text('detail.deviceId'), value: myID, kind: 'id' as const },
        { label: words.text('detail.version'), value: version },
        { label: words.text('detail.knownDevices'), value: String(devices.filter((device) => device.deviceID !== myID).length) },
        ...folders.map((folder) => ({ label: words.text('detail.folder', { name: folder.label || folder.id }), value: folder.path, kind: 'path' as const })),
      ];
    },
    diagnose,
    // The 2015 Cloudy published the device ID as TXT node_id; peers of both generations read it.
    publishedTxt: async (runtime) => ({ node_id: (await restClient(runtime).status()).myID }),
    consumeStates: (runtime, _action, records) => pairingStates(restClient(runtime), records),
    consume: (runtime, _action, record, mode) => connectDevice(restClient(runtime), record, mode),
    incomingRequests: (runtime) => pendingDevices(restClient(runtime)),
    acceptRequest: (runtime, _kind, id) => acceptDevice(restClient(runtime), id),
  },
};
