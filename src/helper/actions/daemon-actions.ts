// Generic root actions that start, stop and inspect a module's declared daemons under the supervisor.
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

import type { ModuleManifest } from '../../kit/manifest.ts';
import { defineAction, type ActionContext } from '../../kit/privileged-action.ts';
import { expandRecord, expandTemplate, isInside, resolveDeclaredPath, type TemplateValues } from '../../kit/template.ts';
import { MODULE_ID_PATTERN } from '../../shared/http-names.ts';
import { HelperRejection } from '../action-registry.ts';
import type { Supervisor } from '../supervisor.ts';

const NAME = Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' });
const DaemonArgs = Type.Object({ module: Type.String({ pattern: MODULE_ID_PATTERN }), daemon: NAME }, { additionalProperties: false });
const DaemonStatus = Type.Object({
  id: Type.String(),
  state: Type.String(),
  pid: Type.Union([Type.Integer(), Type.Null()]),
  restarts: Type.Integer(),
  lastExit: Type.Union([Type.String(), Type.Null()]),
});

export function daemonSpec(manifest: ModuleManifest, daemonName: string) {
  const spec = manifest.daemons.find((daemon) => daemon.name === daemonName);
  if (!spec) throw new HelperRejection('not_declared', `module ${manifest.id} declares no daemon "${daemonName}"`);
  return spec;
}

/** The config must satisfy the module's own schema again here: cloudyd is not trusted with argv. */
export function checkedTemplateValues(manifest: ModuleManifest, config: unknown, secrets: Record<string, string>, root: string): TemplateValues {
  if (!Value.Check(manifest.configSchema, config)) {
    const first = Value.Errors(manifest.configSchema, config).First();
    throw new HelperRejection('invalid_arguments', `config ${first?.path ?? ''}: ${first?.message ?? 'does not match the module schema'}`);
  }
  const values = config as Record<string, unknown>;
  for (const [key, pathName] of Object.entries(manifest.pathConfigKeys ?? {})) {
    const base = resolveDeclaredPath(root, manifest.paths[pathName] ?? '/nonexistent');
    const value = values[key];
    if (typeof value === 'string' && !isInside(base, resolveDeclaredPath(root, value))) {
      throw new HelperRejection('not_declared', `config ${key}: ${value} is outside the module's declared ${pathName} path`);
    }
  }
  for (const name of Object.keys(secrets)) {
    if (!manifest.secrets.includes(name)) throw new HelperRejection('not_declared', `module ${manifest.id} declares no secret "${name}"`);
  }
  return { root, paths: manifest.paths, config: values, secrets };
}

export function createDaemonActions(supervisor: Supervisor) {
  const supervisedId = (module: string, daemon: string) => `${module}.${daemon}`;
  return [
    defineAction({
      name: 'daemons.start',
      description: "Start one of a module's declared daemons with schema-checked config values",
      args: Type.Object(
        {
          module: Type.String({ pattern: MODULE_ID_PATTERN }),
          daemon: NAME,
          config: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown()),
          secrets: Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 256 })),
        },
        { additionalProperties: false },
      ),
      result: DaemonStatus,
      secretArgs: ['secrets'],
      async run({ module, daemon, config, secrets }, context: ActionContext) {
        const manifest = context.manifest(module);
        const spec = daemonSpec(manifest, daemon);
        const values = checkedTemplateValues(manifest, config, secrets, context.root);
        const account = await context.door.lookupUser(spec.user);
        if (!account) throw new HelperRejection('failed', `system user ${spec.user} does not exist: set the module up first`);
        const ready = spec.readyWhenListening;
        return supervisor.start({
          id: supervisedId(module, daemon),
          argv: spec.argv.map((part) => expandTemplate(part, values)),
          env: expandRecord(spec.env, values),
          uid: account.uid,
          gid: account.gid,
          ...(spec.capabilities ? { capabilities: spec.capabilities } : {}),
          ...(spec.cwd ? { cwd: expandTemplate(spec.cwd, values) } : {}),
          ...(ready ? { readyWhenListening: { host: expandTemplate(ready.host, values), port: Number(expandTemplate(ready.port, values)) } } : {}),
        });
      },
    }),
    defineAction({
      name: 'daemons.stop',
      description: "Stop one of a module's daemons (SIGTERM, then SIGKILL)",
      args: DaemonArgs,
      result: DaemonStatus,
      async run({ module, daemon }, context) {
        daemonSpec(context.manifest(module), daemon);
        await supervisor.stop(supervisedId(module, daemon));
        return supervisor.status(supervisedId(module, daemon));
      },
    }),
    defineAction({
      name: 'daemons.status',
      description: "Report the state of every daemon a module declares",
      args: Type.Object({ module: Type.String({ pattern: MODULE_ID_PATTERN }) }, { additionalProperties: false }),
      result: Type.Array(DaemonStatus),
      async run({ module }, context) {
        return Promise.all(context.manifest(module).daemons.map((daemon) => supervisor.status(supervisedId(module, daemon.name))));
      },
    }),
    defineAction({
      name: 'daemons.logs',
      description: "Return the last lines a module's daemon wrote",
      args: Type.Object({ module: Type.String({ pattern: MODULE_ID_PATTERN }), daemon: NAME, limit: Type.Integer({ minimum: 1, maximum: 500 }) }, { additionalProperties: false }),
      result: Type.Array(Type.Object({ time: Type.String(), source: Type.String(), text: Type.String() })),
      async run({ module, daemon, limit }, context) {
        daemonSpec(context.manifest(module), daemon);
        return supervisor.logs(supervisedId(module, daemon), limit);
      },
    }),
  ];
}
