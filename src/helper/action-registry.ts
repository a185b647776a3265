// The helper's explicit list of actions, and the checks every request passes before anything runs.
import { Value } from '@sinclair/typebox/value';

import type { ModuleManifest } from '../kit/manifest.ts';
import type { ActionContext, PrivilegedAction } from '../kit/privileged-action.ts';
import type { HelperErrorCode } from '../shared/helper-protocol.ts';

export class HelperRejection extends Error {
  override name = 'HelperRejection';
  constructor(
    readonly code: HelperErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class ActionRegistry {
  private readonly actions = new Map<string, PrivilegedAction>();
  private readonly manifests = new Map<string, ModuleManifest>();

  constructor(manifests: readonly ModuleManifest[], actions: readonly PrivilegedAction[]) {
    for (const manifest of manifests) this.manifests.set(manifest.id, manifest);
    for (const action of actions) {
      if (this.actions.has(action.name)) throw new Error(`action ${action.name} registered twice`);
      this.actions.set(action.name, action);
    }
  }

  manifest(moduleId: string): ModuleManifest {
    const manifest = this.manifests.get(moduleId);
    if (!manifest) throw new HelperRejection('not_declared', `no installed module is called "${moduleId}"`);
    return manifest;
  }

  allManifests(): ModuleManifest[] {
    return [...this.manifests.values()];
  }

  names(): string[] {
    return [...this.actions.keys()].sort();
  }

  /** Returns the action whose arguments are proven well-formed, or throws a HelperRejection. */
  resolve(name: unknown, args: unknown): { action: PrivilegedAction; args: Record<string, unknown> } {
    if (typeof name !== 'string') throw new HelperRejection('bad_request', 'the request has no action name');
    const action = this.actions.get(name);
    if (!action) throw new HelperRejection('unknown_action', `unknown action "${name}"`);
    if (!Value.Check(action.args, args)) {
      const first = Value.Errors(action.args, args).First();
      const where = first?.path ? `argument ${first.path}` : 'arguments';
      throw new HelperRejection('invalid_arguments', `${name}: ${where}: ${first?.message ?? 'do not match the schema'}`);
    }
    const checked = args as Record<string, unknown>;
    // Generic actions name their target module: it must be one whose manifest ships with this node.
    if (typeof checked.module === 'string') this.manifest(checked.module);
    const owner = name.split('.')[0]!;
    if (!this.manifests.has(owner) && !HELPER_AREAS.has(owner)) {
      throw new HelperRejection('not_declared', `action ${name} belongs to no installed module`);
    }
    return { action, args: checked };
  }
}

/** Prefixes of the helper's own (non-module) actions. */
export const HELPER_AREAS = new Set(['helper', 'node', 'packages', 'daemons', 'discovery', 'vpn']);

export type { ActionContext };
