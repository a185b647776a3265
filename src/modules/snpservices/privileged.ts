// SNPServices' root actions: the agent's user, directories and snmpd.conf, and the graph server's pings (fping as the
// module's user, every device of a round in one process).
import path from 'node:path';

import { Type } from '@sinclair/typebox';

import { defineAction } from '../../kit/privileged-action.ts';
import type { ActionContext } from '../../kit/privileged-action.ts';
import { resolveDeclaredPath } from '../../kit/template.ts';
import { parseFpingSummary } from './fping-summary.ts';
import { gnuplotScript, PNG_LIMITS, PngGraphError } from './png-graph.ts';
import { MAX_PINGED, snpservicesManifest } from './manifest.ts';
import { AgentSettingError, snmpdConfig } from './snmpd-config.ts';

const USER = snpservicesManifest.systemUsers[0]!.name;
const settings = snpservicesManifest.configSchema.properties;
/** A 600×200 graph is a few KB; anything near this is not one. */
const MAX_PNG_BYTES = 1024 * 1024;
const TEXT = Type.String({ pattern: '^[A-Za-z0-9 ._:()/%-]*$', maxLength: PNG_LIMITS.textLength });
/** Pings per device and round, as Guifi's graph servers sent. */
const PINGS = 5;

function filesOf(context: ActionContext) {
  const home = resolveDeclaredPath(context.root, snpservicesManifest.paths.home);
  return { home, persist: path.join(home, 'persist'), config: path.join(resolveDeclaredPath(context.root, snpservicesManifest.paths.config), 'snmpd.conf') };
}

export const snpservicesActions = [
  defineAction({
    name: 'snpservices.prepareHome',
    description: 'Create the graphs user, its home (snmpd state) and the root-owned directory of snmpd.conf',
    args: Type.Object({}, { additionalProperties: false }),
    result: Type.Null(),
    async run(_args, context) {
      const files = filesOf(context);
      await context.door.ensureSystemUser(USER, files.home);
      await context.door.ensureDirectory(files.home, { mode: 0o750, user: USER });
      await context.door.ensureDirectory(files.persist, { mode: 0o750, user: USER });
      await context.door.ensureDirectory(path.dirname(files.config), { mode: 0o755 });
      return null;
    },
  }),
  defineAction({
    name: 'snpservices.writeConfig',
    description: 'Write snmpd.conf: read-only access to the system and interface tables for the allowed networks only',
    args: Type.Object(
      {
        settings: Type.Pick(snpservicesManifest.configSchema, ['agentPort', 'agentCommunity', 'agentSubnets'], { additionalProperties: false }),
        nodeName: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' }),
      },
      { additionalProperties: false },
    ),
    result: Type.Object({ changed: Type.Boolean() }),
    async run({ settings: agent, nodeName }, context) {
      const { config } = filesOf(context);
      let text: string;
      try {
        text = snmpdConfig({ port: agent.agentPort, community: agent.agentCommunity, subnets: agent.agentSubnets, nodeName });
      } catch (error) {
        if (error instanceof AgentSettingError) throw new Error(`The SNMP agent settings are not valid: ${error.message}`);
        throw error;
      }
      const current = await context.door.readFile(config).catch(() => null);
      if (current === text) return { changed: false };
      // Read-only for snmpd's user and unreadable by others: the community is a (weak) password. The directory is root's,
      // so the daemon cannot swap the file.
      await context.door.writeFileAtomic(config, text, { mode: 0o400, user: USER });
      return { changed: true };
    },
  }),
  defineAction({
    name: 'snpservices.ping',
    description: `Ping devices ${PINGS} times each with fping, as the graphs user, for loss and latency`,
    args: Type.Object({ addresses: Type.Array(settings.chosenAgents.items, { maxItems: MAX_PINGED, uniqueItems: true }) }, { additionalProperties: false }),
    result: Type.Record(Type.String(), Type.Object({ sent: Type.Integer(), received: Type.Integer(), averageMs: Type.Union([Type.Number(), Type.Null()]) })),
    async run({ addresses }, context) {
      if (addresses.length === 0) return {};
      // -C: per-ping times on stderr (`addr : 0.10 - 0.12 …`); -q: nothing else; -p 200: 1 s per device at most for
      // the five; -t 1000: a ping unanswered after 1 s is lost; -r 0: no retries (loss is what we measure).
      // Addresses are IPv4 by the schema: none can be read as an option.
      const result = await context.door.run('fping', ['-C', String(PINGS), '-q', '-p', '200', '-t', '1000', '-r', '0', ...addresses], { user: USER, timeoutMs: 60_000 });
      // fping exits 1 when some device did not answer: that is a figure, not a failure; 2+ is.
      if (result.code !== 0 && result.code !== 1) throw new Error(`fping failed: ${result.stderr.trim().split('\n').slice(-2).join('; ')}`);
      return Object.fromEntries(parseFpingSummary(result.stderr));
    },
  }),
  defineAction({
    name: 'snpservices.renderPng',
    description: 'Draw one graph as a PNG with gnuplot, as the graphs user, from numbers and plain words only',
    args: Type.Object(
      {
        title: TEXT,
        unit: Type.Union([Type.Literal('B/s'), Type.Literal('ms'), Type.Literal('%')]),
        from: Type.Integer({ minimum: 0 }),
        to: Type.Integer({ minimum: 0 }),
        lines: Type.Array(
          Type.Object({ label: TEXT, points: Type.Array(Type.Tuple([Type.Number(), Type.Number()]), { maxItems: PNG_LIMITS.pointsPerLine }) }, { additionalProperties: false }),
          { minItems: 1, maxItems: PNG_LIMITS.lines },
        ),
      },
      { additionalProperties: false },
    ),
    result: Type.Object({ pngBase64: Type.String() }),
    async run(spec, context) {
      let script: string;
      try {
        script = gnuplotScript(spec);
      } catch (error) {
        if (error instanceof PngGraphError) throw new Error(`The graph cannot be drawn: ${error.message}`);
        throw error;
      }
      // The script on standard input, the image on standard output: no file, no argv from the request.
      const drawn = await context.door.run('gnuplot', [], { user: USER, input: script, timeoutMs: 20_000, binaryStdout: { maxBytes: MAX_PNG_BYTES } });
      if (drawn.code !== 0 || drawn.stdout === '') throw new Error(`gnuplot failed: ${drawn.stderr.trim().split('\n').slice(-2).join('; ')}`);
      return { pngBase64: drawn.stdout };
    },
  }),
];
