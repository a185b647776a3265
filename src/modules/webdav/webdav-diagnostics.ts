// The WebDAV module's own diagnostics (manifest.diagnostics): HTTPS answers on the port; the password file is private.
import https from 'node:https';

import type { ModuleRuntime } from '../../kit/module-hooks.ts';
import type { DiagnosticCheck } from '../../shared/api-contract.ts';
import { webdavManifest } from './manifest.ts';

/** The HTTP status apache gives to OPTIONS / over TLS, or null when nothing answers HTTPS there. */
export function httpsStatus(port: number, timeoutMs = 3000): Promise<number | null> {
  return new Promise((resolve) => {
    // The node's certificate is self-signed and named after the node, not 127.0.0.1: only "does it speak HTTPS" counts.
    const request = https.request({ host: '127.0.0.1', port, method: 'OPTIONS', path: '/', rejectUnauthorized: false, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? null);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(null));
    request.end();
  });
}

/** `stat --format='%a %U %F'` of the password file, as webdav.fileModes reports it. */
export function passwordFileIsPrivate(stat: string, user: string): boolean {
  const [mode, owner, ...kind] = stat.split(' ');
  // stat says "regular empty file" for an empty one (no users yet): a regular file all the same.
  return ['regular file', 'regular empty file'].includes(kind.join(' ')) && owner === user && /^[0-7]*[0-7]00$/.test(mode ?? '');
}

export async function diagnoseWebdav(runtime: ModuleRuntime): Promise<DiagnosticCheck[]> {
  const [httpsCheck, passwordCheck] = webdavManifest.diagnostics;
  const port = Number(runtime.config.port);
  const status = await httpsStatus(port);
  const modes = await runtime.callPrivileged<{ usersFile: string }>('webdav.fileModes');
  const user = webdavManifest.systemUsers[0]!.name;
  return [
    { checkId: httpsCheck!.checkId, description: httpsCheck!.description, result: status === null ? 'failed' : 'passed', parameters: { port: String(port), status: String(status) } },
    {
      checkId: passwordCheck!.checkId,
      description: passwordCheck!.description,
      result: passwordFileIsPrivate(modes.usersFile, user) ? 'passed' : 'failed',
      parameters: { stat: modes.usersFile },
    },
  ];
}
