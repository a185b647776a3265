// Syncthing: continuous file synchronisation between community members' devices.
import { Type } from '@sinclair/typebox';

import { defineManifest } from '../../kit/manifest.ts';

/** Folders live below this path (relative to the node's root dir); the form's pattern enforces it too. */
const FOLDERS_PATH = '/srv/cloudy/syncthing';

export const syncthingManifest = defineManifest({
  id: 'syncthing',
  version: 1,
  title: 'Syncthing',
  description: 'Keep folders in sync with other members’ devices, peer to peer, without a central server.',
  category: 'storage',
  packages: ['syncthing'],
  systemUsers: [{ name: 'cloudy-syncthing', home: '{path:home}' }],
  paths: { home: '/var/lib/cloudy-syncthing', folders: FOLDERS_PATH },
  daemons: [
    {
      name: 'syncthing',
      user: 'cloudy-syncthing',
      // --no-restart plus STMONITORED=yes: one process whose PID the supervisor really owns.
      argv: ['syncthing', 'serve', '--home={path:home}/config', '--no-browser', '--no-restart', '--no-upgrade', '--gui-address=127.0.0.1:{config:guiPort}'],
      // The API key goes by environment, not argv, so other local users cannot read it in /proc.
      env: { HOME: '{path:home}', STMONITORED: 'yes', STNOUPGRADE: '1', STGUIAPIKEY: '{secret:apiKey}' },
      ports: [
        { port: '{config:listenPort}', protocol: 'tcp', purpose: 'sync' },
        { port: '{config:guiPort}', protocol: 'tcp', purpose: 'web UI and REST API on 127.0.0.1' },
      ],
      readyWhenListening: { host: '127.0.0.1', port: '{config:guiPort}' },
    },
  ],
  configSchema: Type.Object(
    {
      deviceName: Type.String({
        title: 'Device name',
        description: 'How other Syncthing devices see this node (letters, digits, space, . _ -).',
        pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$',
        maxLength: 63,
        default: 'cloudy',
      }),
      listenPort: Type.Integer({ title: 'Sync port', description: 'TCP port other devices connect to.', minimum: 1024, maximum: 65535, default: 22000 }),
      guiPort: Type.Integer({
        title: 'Local web UI port',
        description: 'Syncthing’s own web UI listens on 127.0.0.1 only; open it through the panel.',
        minimum: 1024,
        maximum: 65535,
        default: 8384,
      }),
      sharedFolderPath: Type.String({
        title: 'Shared folder',
        description: `A folder below ${FOLDERS_PATH} that this node shares.`,
        pattern: '^/srv/cloudy/syncthing(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}){1,4}$',
        maxLength: 200,
        default: `${FOLDERS_PATH}/shared`,
      }),
      localDiscovery: Type.Boolean({ title: 'Find devices on the local network', default: true }),
      globalDiscovery: Type.Boolean({ title: 'Use the Internet discovery servers', description: 'Off by default: Cloudy’s own discovery finds community devices.', default: false }),
      relays: Type.Boolean({ title: 'Use Internet relays', default: false }),
      maxSendKiBps: Type.Integer({ title: 'Upload limit (KiB/s, 0 = none)', description: 'Keeps a slow wireless link usable.', minimum: 0, maximum: 1_000_000, default: 0 }),
    },
    { additionalProperties: false },
  ),
  pathConfigKeys: { sharedFolderPath: 'folders' },
  secrets: ['apiKey'],
  publish: [{ type: '_syncthing._tcp', port: '{config:listenPort}', description: 'Syncthing {config:deviceName}', txt: { deviceName: '{config:deviceName}' } }],
  consume: [
    {
      id: 'connect-device',
      forType: '_syncthing._tcp',
      label: { en: 'Connect to this device', ca: 'Connecta amb aquest dispositiu', es: 'Conectar con este dispositivo' },
      waitingLabel: { en: 'Waiting for the other device to accept', ca: 'Esperant que l’altre dispositiu accepti', es: 'Esperando a que el otro dispositivo acepte' },
      doneLabel: { en: 'Connected', ca: 'Connectat', es: 'Conectado' },
      undoLabel: { en: 'Disconnect', ca: 'Desconnecta', es: 'Desconectar' },
    },
  ],
  requests: [
    {
      kind: 'pending-device',
      label: { en: 'The device {name} ({address}) wants to connect', ca: 'El dispositiu {name} ({address}) es vol connectar', es: 'El dispositivo {name} ({address}) quiere conectarse' },
      acceptLabel: { en: 'Accept the device {name}', ca: 'Accepta el dispositiu {name}', es: 'Aceptar el dispositivo {name}' },
    },
  ],
  backupPaths: ['{path:home}/config'],
  diagnostics: [
    { checkId: 'syncthing-rest-reachable', description: 'Syncthing answers on its REST API' },
    { checkId: 'syncthing-listening', description: 'Syncthing accepts connections on its sync port' },
  ],
  webUi: { target: 'http://127.0.0.1:{config:guiPort}', headers: { 'X-API-Key': '{secret:apiKey}' } },
});
