// Syncthing's root actions: its system user, its home with a generated identity, its folder directories.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { Type } from '@sinclair/typebox';

import { defineAction } from '../../kit/privileged-action.ts';
import { isInside, resolveDeclaredPath } from '../../kit/template.ts';
import { OPTION_SETTINGS, syncthingOptions, withOptions } from './config.ts';
import { syncthingManifest } from './manifest.ts';

const USER = syncthingManifest.systemUsers[0]!.name;

export const syncthingActions = [
  defineAction({
    name: 'syncthing.prepareHome',
    description: 'Create the syncthing system user and its home, and generate its keys and config once',
    args: Type.Object({}, { additionalProperties: false }),
    result: Type.Object({ generated: Type.Boolean() }),
    async run(_args, context) {
      const home = resolveDeclaredPath(context.root, syncthingManifest.paths.home);
      await context.door.ensureSystemUser(USER, home);
      await context.door.ensureDirectory(home, { mode: 0o700, user: USER });
      const configDir = path.join(home, 'config');
      if (existsSync(path.join(configDir, 'config.xml'))) return { generated: false };
      // A GUI login nobody knows: local users must not drive Syncthing; Cloudy uses the API key instead.
      const generated = await context.door.run(
        'syncthing',
        ['generate', `--home=${configDir}`, '--no-default-folder', '--skip-port-probing', '--gui-user=cloudy', '--gui-password=-'],
        { user: USER, env: { HOME: home }, input: randomBytes(24).toString('base64url') },
      );
      if (generated.code !== 0) throw new Error(`syncthing generate failed: ${generated.stderr.trim()}`);
      return { generated: true };
    },
  }),
  defineAction({
    name: 'syncthing.writeOptions',
    description: 'Write the network options into config.xml while Syncthing is stopped, so its first second already obeys them',
    args: Type.Object({ settings: Type.Pick(syncthingManifest.configSchema, [...OPTION_SETTINGS], { additionalProperties: false }) }, { additionalProperties: false }),
    result: Type.Null(),
    async run({ settings }, context) {
      const configFile = path.join(resolveDeclaredPath(context.root, syncthingManifest.paths.home), 'config/config.xml');
      const updated = withOptions(await context.door.readFile(configFile), syncthingOptions(settings));
      await context.door.writeFileAtomic(configFile, updated, { mode: 0o600, user: USER });
      return null;
    },
  }),
  defineAction({
    name: 'syncthing.ensureFolder',
    description: 'Create a shared folder directory owned by the syncthing user, inside the declared folders path',
    args: Type.Object({ folderPath: syncthingManifest.configSchema.properties.sharedFolderPath }, { additionalProperties: false }),
    result: Type.Object({ absolutePath: Type.String() }),
    async run({ folderPath }, context) {
      const base = resolveDeclaredPath(context.root, syncthingManifest.paths.folders);
      const absolutePath = resolveDeclaredPath(context.root, folderPath);
      if (!isInside(base, absolutePath)) throw new Error(`${folderPath} is outside ${syncthingManifest.paths.folders}`);
      await context.door.ensureDirectory(base, { mode: 0o755, user: USER });
      await context.door.ensureDirectory(absolutePath, { mode: 0o755, user: USER });
      return { absolutePath };
    },
  }),
];

