// WebDAV: the node's folders as network drives, served over HTTPS by Debian's Apache with mod_dav_fs.
import { Type } from '@sinclair/typebox';

import { defineManifest } from '../../kit/manifest.ts';

export const webdavManifest = defineManifest({
  id: 'webdav',
  version: 1,
  title: 'WebDAV',
  description: 'Open the node’s shared folders as network drives from any computer or phone, with a password per person.',
  category: 'storage',
  packages: ['apache2', 'apache2-utils'],
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
        description: 'Its name goes into the discovery record (path=/<share>).',
        pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
        maxLength: 32,
        default: 'public',
      }),
    },
    { additionalProperties: false },
  ),
  secrets: [],
  publish: [{ type: '_webdav._tcp', port: '{config:port}', description: 'WebDAV', txt: { path: '/{config:publishedShare}' } }],
  consume: [],
  backupPaths: ['{path:home}/users.htpasswd', '{path:shares}'],
  diagnostics: [
    { checkId: 'webdav-https', description: 'WebDAV answers HTTPS on its port' },
    { checkId: 'webdav-password-file-private', description: 'The password file is readable by the WebDAV user only' },
  ],
});
