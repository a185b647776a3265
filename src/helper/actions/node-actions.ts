// The helper's own root actions for the node itself: TLS certificate, setup code, hostname.
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, rename } from 'node:fs/promises';
import path from 'node:path';

import { Type } from '@sinclair/typebox';

import { defineAction } from '../../kit/privileged-action.ts';
import { HOSTNAME_PATTERN } from '../../shared/http-names.ts';
import { CLOUDY_ACCOUNT, nodeLayout } from '../../shared/node-layout.ts';

const Empty = Type.Object({}, { additionalProperties: false });

/** Whether the certificate is valid for this hostname (its subject alternative names). */
function namesHost(certificatePem: Buffer, hostname: string): boolean {
  return new X509Certificate(certificatePem).checkHost(hostname, { subject: 'never' }) !== undefined;
}

export const nodeActions = [
  defineAction({
    name: 'helper.ping',
    description: 'Answer with the helper process id, to prove the socket works',
    args: Empty,
    result: Type.Object({ pid: Type.Integer() }),
    run: async () => ({ pid: process.pid }),
  }),
  defineAction({
    name: 'node.ensureTlsCertificate',
    description: "Make the panel's self-signed certificate for this hostname: once, and again with the same key when the hostname changes",
    args: Type.Object({ hostname: Type.String({ pattern: HOSTNAME_PATTERN, maxLength: 63 }) }, { additionalProperties: false }),
    result: Type.Object({ fingerprint: Type.String(), created: Type.Boolean() }),
    async run({ hostname }, context) {
      const layout = nodeLayout(context.root);
      const keyExists = existsSync(layout.tlsKeyFile);
      const created = !keyExists || !existsSync(layout.tlsCertFile) || !namesHost(readFileSync(layout.tlsCertFile), hostname);
      if (created) {
        await context.door.ensureDirectory(path.dirname(layout.tlsCertFile), { mode: 0o755 });
        const stamp = `${process.pid}-${Date.now()}-${randomBytes(4).toString('hex')}`;
        const keyTemp = `${layout.tlsKeyFile}.tmp-${stamp}`;
        const certTemp = `${layout.tlsCertFile}.tmp-${stamp}`;
        // An existing key is kept: clients that pin the public key (VPN members) still recognise the node.
        const key = keyExists ? ['-key', layout.tlsKeyFile] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyTemp];
        const made = await context.door.run('openssl', [
          'req', '-x509', ...key, '-days', '3650',
          '-subj', `/CN=${hostname}`, '-addext', `subjectAltName=DNS:${hostname},DNS:localhost,IP:127.0.0.1`,
          '-out', certTemp,
        ]);
        if (made.code !== 0) throw new Error(`openssl failed: ${made.stderr.trim()}`);
        if (!keyExists) {
          const account = await context.door.lookupUser(CLOUDY_ACCOUNT);
          await chmod(keyTemp, 0o640);
          if (account) await chown(keyTemp, 0, account.gid);
          // Key first, certificate last: a certificate on disk always has its key beside it.
          await rename(keyTemp, layout.tlsKeyFile);
        }
        await chmod(certTemp, 0o644);
        await rename(certTemp, layout.tlsCertFile);
      }
      const fingerprint = new X509Certificate(readFileSync(layout.tlsCertFile)).fingerprint256;
      return { fingerprint, created };
    },
  }),
  defineAction({
    name: 'node.writeSetupCode',
    description: 'Keep the one-time setup code in a root-only file for the owner to read',
    args: Type.Object({ code: Type.String({ pattern: '^[A-Z0-9-]{8,32}$' }) }, { additionalProperties: false }),
    result: Type.Null(),
    secretArgs: ['code'],
    async run({ code }, context) {
      await context.door.writeFileAtomic(nodeLayout(context.root).setupCodeFile, `${code}\n`, { mode: 0o600 });
      return null;
    },
  }),
  defineAction({
    name: 'node.clearSetupCode',
    description: 'Remove the setup code once the admin account exists',
    args: Empty,
    result: Type.Null(),
    async run(_args, context) {
      await context.door.removeTree(nodeLayout(context.root).setupCodeFile);
      return null;
    },
  }),
  defineAction({
    name: 'node.setHostname',
    description: "Write the node's hostname (and apply it when the node is the whole machine)",
    args: Type.Object({ hostname: Type.String({ pattern: HOSTNAME_PATTERN, maxLength: 63 }) }, { additionalProperties: false }),
    result: Type.Null(),
    async run({ hostname }, context) {
      await context.door.writeFileAtomic(path.join(context.root, 'etc/hostname'), `${hostname}\n`, { mode: 0o644 });
      if (path.resolve(context.root) === '/') {
        const applied = await context.door.run('hostname', [hostname]);
        if (applied.code !== 0) throw new Error(`hostname failed: ${applied.stderr.trim()}`);
      }
      return null;
    },
  }),
];
