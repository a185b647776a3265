// WebDAV: the node's folders as network drives, served over HTTPS by Debian's Apache with mod_dav_fs.
import { Type } from '@sinclair/typebox';

import { defineManifest } from '../../kit/manifest.ts';

/** Share names become a URL segment and a folder name (apache-config.ts checks again): no dots, so no `..` or `.ht*`. */
const SHARE_NAME = '^[a-z0-9][a-z0-9_-]{0,31}$';
/** User names go into `Require user` lists and the password file. */
const USER_NAME = '^[a-z][a-z0-9_-]{0,31}$';
const userList = (title: string, description: string) =>
  Type.Array(Type.String({ pattern: USER_NAME, maxLength: 32 }), { title, description, maxItems: 200, uniqueItems: true, default: [] });

export const webdavManifest = defineManifest({
  id: 'webdav',
  version: 1,
  title: 'WebDAV',
  description: 'Open the node’s shared folders as network drives from any computer or phone, with a password per person.',
  category: 'storage',
  packages: ['apache2'],
  systemUsers: [{ name: 'cloudy-webdav', home: '{path:home}' }],
  // home: apache2.conf, the password file, the copy of the node's key, run and lock files. shares: one folder per share.
  paths: { home: '/var/lib/cloudy-webdav', shares: '/srv/cloudy/webdav' },
  daemons: [
    {
      name: 'apache2',
      // Apache runs as its own user from the first instruction: no root parent, so the port must be 1024 or more.
      user: 'cloudy-webdav',
      // -DFOREGROUND: one parent process whose PID the supervisor owns; reloads are SIGUSR1 to it (webdav.writeConfig).
      argv: ['apache2', '-f', '{path:home}/apache2.conf', '-DFOREGROUND'],
      env: { LANG: 'C.UTF-8' },
      cwd: '{path:home}',
      ports: [{ port: '{config:port}', protocol: 'tcp', purpose: 'WebDAV over HTTPS' }],
      readyWhenListening: { host: '127.0.0.1', port: '{config:port}' },
    },
  ],
  configSchema: Type.Object(
    {
      port: Type.Integer({ title: 'HTTPS port', description: 'TCP port WebDAV clients connect to (1024 or more: Apache does not run as root).', minimum: 1024, maximum: 65535, default: 8443 }),
      uploadLimitMiB: Type.Integer({ title: 'Largest upload (MiB)', description: 'Bigger files are refused (413); Apache allows at most 2047.', minimum: 1, maximum: 2047, default: 1024 }),
      publishedShare: Type.String({
        title: 'Share announced to the community',
        description: 'The share other nodes see in Search (path=/<share>); empty: the first public share.',
        pattern: '^([a-z0-9][a-z0-9_-]{0,31})?$',
        maxLength: 32,
        default: '',
      }),
    },
    { additionalProperties: false },
  ),
  collections: {
    shares: {
      noun: 'share',
      title: 'Shares',
      description: 'Each share is a folder below /srv/cloudy/webdav, opened at https://<node>:<port>/<share>/.',
      itemSchema: Type.Object(
        {
          name: Type.String({ title: 'Name', description: 'Lower-case letters, digits, _ and -; the folder and the address take it.', pattern: SHARE_NAME, maxLength: 32 }),
          readWriteUsers: userList('Can read and write', 'Users who may add, change and delete files, separated by commas.'),
          readOnlyUsers: userList('Can only read', 'Users who may open and copy files, separated by commas.'),
          public: Type.Boolean({ title: 'Anyone may read it, without a password', default: false }),
        },
        { additionalProperties: false },
      ),
      key: 'name',
      maxItems: 200,
      references: [
        { property: 'readWriteUsers', collection: 'users' },
        { property: 'readOnlyUsers', collection: 'users' },
      ],
    },
    users: {
      noun: 'user',
      title: 'Users',
      description: 'People who log in to the shares; each share says who may read or write it.',
      itemSchema: Type.Object(
        { name: Type.String({ title: 'Name', description: 'Lower-case letters, digits, _ and -, starting with a letter.', pattern: USER_NAME, maxLength: 32 }) },
        { additionalProperties: false },
      ),
      key: 'name',
      maxItems: 500,
      // Apache checks the password against the hash at every request (Basic auth has no session): cost 8 takes
      // about 15 ms here, 10 about 60 ms, too slow for a folder of small files on a small board.
      password: { title: 'Password', description: 'At least 8 characters. Only its bcrypt hash is kept.', cost: 8 },
    },
  },
  secrets: [],
  // path= is added by the module (publishedTxt): the chosen share, else the first public one.
  publish: [{ type: '_webdav._tcp', port: '{config:port}', description: 'WebDAV', txt: {} }],
  consume: [
    {
      // Another node's share: how to open it from each kind of computer (nothing to install on this node).
      id: 'open-share',
      forType: '_webdav._tcp',
      label: { en: 'How to open this share', ca: 'Com obrir aquest recurs', es: 'Cómo abrir este recurso' },
      show: [
        {
          label: { en: 'GNOME Files or KDE Dolphin (type it in the address bar)', ca: 'Fitxers del GNOME o Dolphin del KDE (a la barra d’adreces)', es: 'Archivos de GNOME o Dolphin de KDE (en la barra de direcciones)' },
          value: 'davs://{address}:{port}{txt:path}/',
        },
        {
          label: { en: 'macOS Finder (Go › Connect to Server) or Windows (Map network drive)', ca: 'Finder del macOS (Anar › Connectar al servidor) o Windows (Connecta una unitat de xarxa)', es: 'Finder de macOS (Ir › Conectarse al servidor) o Windows (Conectar a unidad de red)' },
          value: 'https://{address}:{port}{txt:path}/',
        },
        {
          label: { en: 'Linux with davfs2 (as root)', ca: 'Linux amb davfs2 (com a root)', es: 'Linux con davfs2 (como root)' },
          value: 'mount -t davfs https://{address}:{port}{txt:path}/ /mnt/webdav',
        },
      ],
    },
  ],
  backupPaths: ['{path:home}/users.htpasswd', '{path:shares}'],
  diagnostics: [
    { checkId: 'webdav-https', description: 'WebDAV answers HTTPS on its port' },
    { checkId: 'webdav-password-file-private', description: 'The password file is readable by the WebDAV user only' },
  ],
});
