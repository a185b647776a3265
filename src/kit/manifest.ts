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
  /**
   * `net_bind_service`: the daemon may bind ports below 1024 (named on 53) while running as its own user from its
   * first instruction; it gets no other privilege (an ambient capability, docs/decisions.md).
   */
  capabilities?: Array<'net_bind_service'>;
}

/** A record discovery publishes while every daemon of the module runs and the port accepts connections. */
export interface PublishRecord {
  /** DNS-SD service type, e.g. `_syncthing._tcp`; its short form (`syncthing`) is the type peers search for. */
  type: string;
  port: Template;
  description: Template;
  txt?: Record<string, Template>;
}

/** A module's own words in every panel language (see `LANGUAGES` in src/shared/http-names.ts). */
export interface LocalizedText {
  en: string;
  ca: string;
  es: string;
}

/** A line of "how to use it": a label, and a value filled from the discovered record. */
export interface ConsumeInstruction {
  label: LocalizedText;
  /**
   * `{address}`, `{port}`, `{node}` and `{txt:<key>}`. A TXT value (written by a peer) is used only when it is plain
   * (letters, digits and `._~/:@-`, at most 200); otherwise the line is left out.
   */
  value: string;
}

/**
 * What a module can do with a discovered service of `forType`, shown on its row in Search. The module's
 * `consumeStates` hook tells per record which label applies; `consume` does it (or undoes it).
 *
 * With `show`, the action only shows those lines (how to open a WebDAV share from each kind of computer): it needs
 * the module neither installed nor running, and no hook; the waiting and done labels are not used.
 */
export interface ConsumeAction {
  id: string;
  forType: string;
  /** The button, e.g. "Connect to this device". */
  label: LocalizedText;
  /** Done, but the other side has not answered yet, e.g. "Waiting for the other device". */
  waitingLabel?: LocalizedText;
  /** Done and working, e.g. "Connected". */
  doneLabel?: LocalizedText;
  /** Undoes it, e.g. "Disconnect"; no undo when absent. */
  undoLabel?: LocalizedText;
  show?: ConsumeInstruction[];
}

/** Something a peer asks of this node that the owner accepts in Search, e.g. a device that wants to connect. */
export interface IncomingRequestSpec {
  kind: string;
  /** `{name}` and `{address}` are replaced by what the module reports. */
  label: LocalizedText;
  acceptLabel: LocalizedText;
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

/**
 * A list the owner manages on the module's page and with `cloudy <module> <noun> add|remove|list|passwd` (WebDAV's
 * shares and users, a proxy's users). cloudyd stores the items in SQLite; the module's hooks get them all in
 * `runtime.collections` and write what their daemon reads (`beforeStart`, `applyConfig` after each change).
 */
export interface CollectionSpec {
  /** The CLI's word for one item, e.g. `share` for `cloudy webdav share add NAME`. */
  noun: string;
  title: string;
  description?: string;
  /**
   * A closed Type.Object with a title on each property, as for configSchema; the panel and the CLI fill strings,
   * integers, booleans, choices, and arrays of strings (written `a,b,c`).
   */
  itemSchema: TObject;
  /** The string property that names an item (unique, the last word of its URL); it cannot change. */
  key: string;
  maxItems: number;
  /**
   * Each item has a password (8–72 bytes, no control characters). cloudyd keeps only its bcrypt hash ($2y$, the variant
   * Apache and squid's helpers read, at `cost`) and gives that to the hooks; the password itself is stored nowhere.
   */
  password?: { title: string; description?: string; cost: number };
  /** Array properties whose values must be keys of another collection; removing such an item takes it out of them. */
  references?: Array<{ property: string; collection: string }>;
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
  /**
   * Files anyone may fetch from the node while the module runs, over HTTPS and plain HTTP (port 7000: browsers fetch
   * proxy.pac and wpad.dat there); the `publicFile` hook writes them. Paths are one segment: `/proxy.pac`.
   */
  publicFiles?: Array<{ path: string; contentType: string }>;
  /** Lists the owner manages (see CollectionSpec), by a name used in URLs and translations. */
  collections?: Record<string, CollectionSpec>;
  /** Names of secrets Cloudy generates and keeps for the module (never shown in the panel). */
  secrets: string[];
  publish: PublishRecord[];
  consume: ConsumeAction[];
  requests?: IncomingRequestSpec[];
  backupPaths: Template[];
  diagnostics: DiagnosticSpec[];
  webUi?: WebUiSpec;
}

export function defineManifest<const M extends ModuleManifest>(manifest: M): M {
  return manifest;
}
