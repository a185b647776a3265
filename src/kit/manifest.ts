// The declarative shape of a module: what it installs, runs, exposes and publishes. Data only.
import type { TObject } from '@sinclair/typebox';

/**
 * Strings in daemon argv/env, ports and proxy targets may hold placeholders, filled by
 * `expandTemplate`: `{path:<name>}` (a declared path under the node's root dir),
 * `{config:<key>}` (a schema-validated config value) and `{secret:<key>}` (a secret kept by Cloudy).
 */
export type Template = string;

export interface DaemonSpec {
  /** Unique within the module; the supervisor names it `<module>.<name>`. */
  name: string;
  /** Program and arguments; never interpreted by a shell. */
  argv: Template[];
  env?: Record<string, Template>;
  /** System user the daemon runs as (declared in `systemUsers`). */
  user: string;
  /** Working directory (a `{path:…}` template). */
  cwd?: Template;
  ports?: Array<{ port: Template; protocol: 'tcp' | 'udp'; purpose: string }>;
  /** The daemon counts as running once this TCP endpoint accepts connections. */
  readyWhenListening?: { host: Template; port: Template };
}

export interface PublishRecord {
  /** DNS-SD service type, e.g. `_syncthing._tcp`. */
  type: string;
  port: Template;
  description: string;
  txt?: Record<string, Template>;
}

export interface ConsumeAction {
  id: string;
  /** i18n key of the button label shown next to discovered services of `forType`. */
  labelKey: string;
  forType: string;
}

export interface DiagnosticSpec {
  checkId: string;
  description: string;
}

export interface WebUiSpec {
  /** Base URL of the daemon's own web UI, reachable only from the node itself. */
  target: Template;
  /** Headers the panel's proxy adds (e.g. an API key), so the UI needs no second login. */
  headers?: Record<string, Template>;
}

export interface ModuleManifest {
  id: string;
  /** Integer; bumped when `setup(oldVersion)` gains upgrade steps. */
  version: number;
  title: string;
  description: string;
  category: 'storage' | 'network' | 'media' | 'system' | 'web';
  /** Debian packages, installed and removed with apt. */
  packages: string[];
  systemUsers: Array<{ name: string; home: Template }>;
  /** Every path the module's root actions may touch, relative to the node's root dir. */
  paths: Record<string, string>;
  daemons: DaemonSpec[];
  /** JSON Schema of the configuration; drives validation and the panel's form. */
  configSchema: TObject;
  /** Config keys whose value names a path: their values must stay inside a declared path. */
  pathConfigKeys?: Record<string, string>;
  /** Names of secrets Cloudy generates and keeps for the module (never shown in the panel). */
  secrets: string[];
  publish: PublishRecord[];
  consume: ConsumeAction[];
  backupPaths: Template[];
  diagnostics: DiagnosticSpec[];
  webUi?: WebUiSpec;
}

export function defineManifest<const M extends ModuleManifest>(manifest: M): M {
  return manifest;
}
