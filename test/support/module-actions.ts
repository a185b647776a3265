// Runs one module's root actions in the test process, through the helper's real door, without a node or a helper.
import path from 'node:path';

import { Value } from '@sinclair/typebox/value';

import { LocalSystemDoor } from '../../src/helper/system-door.ts';
import type { ModuleManifest } from '../../src/kit/manifest.ts';
import type { PrivilegedAction } from '../../src/kit/privileged-action.ts';
import { resolveDeclaredPath } from '../../src/kit/template.ts';
import { nodeLayout } from '../../src/shared/node-layout.ts';

export class ActionArgumentsError extends Error {
  override name = 'ActionArgumentsError';
}

/**
 * `call(name, args)` checks the arguments against the action's schema, as the helper does (`invalid_arguments`), and
 * runs it as root with a door limited to the node's etc/cloudy and the manifest's declared paths.
 */
export function moduleActions(root: string, manifest: ModuleManifest, actions: PrivilegedAction[]) {
  const layout = nodeLayout(root);
  const declared = Object.values(manifest.paths).map((relative) => resolveDeclaredPath(root, relative));
  const door = new LocalSystemDoor([layout.etcDir, path.join(root, 'etc/hostname'), ...declared]);
  const context = { root, door, manifest: () => manifest, progress: () => undefined };
  return {
    door,
    async call<T = unknown>(name: string, args: Record<string, unknown> = {}): Promise<T> {
      const action = actions.find((candidate) => candidate.name === name);
      if (!action) throw new ActionArgumentsError(`no action ${name}`);
      if (!Value.Check(action.args, args)) throw new ActionArgumentsError(`${name}: ${Value.Errors(action.args, args).First()?.message}`);
      return (await action.run(args, context)) as T;
    },
  };
}
