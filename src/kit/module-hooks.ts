// What a module may add to the generic lifecycle; cloudyd calls these hooks, unprivileged.
import type { DiagnosticCheck } from '../shared/api-contract.ts';
import type { LocalizedText, ModuleManifest } from './manifest.ts';
import type { ModuleTranslations } from './module-translations.ts';

export interface ModuleRuntime {
  root: string;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  /** Every item of each of the manifest's collections, in the order they were added. */
  collections: Record<string, CollectionItem[]>;
  /** The node's host name (one DNS label), e.g. for a daemon that must name itself (squid's visible_hostname). */
  nodeName(): Promise<string>;
  /** The node's own ports: the panel's HTTPS and the plain HTTP one, where `publicFiles` are served too. */
  nodePorts: { http: number; https: number };
  /**
   * Changes some settings as the owner would (validated, saved, applied if running, then resolved), for an action the
   * owner took elsewhere, e.g. "Use as this node's upstream" in Search adding a parent proxy.
   */
  saveConfig(values: Record<string, unknown>): Promise<void>;
  /**
   * What discovery knows now: the node's microcloud (empty if none), its community address, and every live record
   * (this node's own included), already cleaned and bounded by discovery (e.g. the DNS module's zone).
   */
  discovered(): Promise<DiscoveredView>;
  /** Calls one of the module's own root actions declared in its privileged.ts. */
  callPrivileged<T = unknown>(action: string, args?: Record<string, unknown>): Promise<T>;
  /**
   * The module's own time series, in the node's store next to its monitoring (minute points for 8 days, hourly
   * averages beyond): names are the module's own (`[A-Za-z0-9_.@-]`, `:` allowed inside), kept apart from others'.
   */
  series: ModuleSeries;
  log(line: string): void;
}

export interface ModuleSeries {
  /** Values at `atSeconds` (default now), stored at the minute they fall in; non-finite values are skipped. */
  record(values: Record<string, number>, atSeconds?: number): void;
  /** Points between `from` and `to` (Unix seconds), as `[t, value]`, with the step the store kept them at. */
  history(names: string[], from: number, to: number): { step: number; series: Record<string, Array<[number, number]>> };
}

/** A graph on the module's page, drawn by the panel from the module's series. */
export interface ModuleGraph {
  id: string;
  /** Graphs of one thing (a device) share a group; the panel shows one group at a time. */
  group: string;
  /** For things that can be down (a polled device): shown with the group. */
  groupStatus?: 'up' | 'down';
  /** What it shows: an interface's name (data, as the device says it) or a word in every language. */
  title: string | LocalizedText;
  unit: 'bytesPerSecond' | 'milliseconds' | 'percent';
  lines: Array<{ series: string; label: LocalizedText }>;
}

/** What a module serves to anyone under `/<module id>/` while it runs (graph images, badges, JSON). */
export interface PublicData {
  contentType: string;
  body: string | Uint8Array;
  /** How long a browser or cache may keep it. */
  maxAgeSeconds?: number;
}

/** One item of a collection: its values (checked against the item schema) and, if the collection has passwords, the hash. */
export interface CollectionItem {
  key: string;
  values: Record<string, unknown>;
  /** bcrypt, `$2y$…`; null until a password was set. */
  passwordHash: string | null;
}

export interface ModuleDetailLine {
  /** From the module's translations: `translations.text('detail.…')`. */
  label: LocalizedText;
  value: string;
  kind?: 'id' | 'path' | 'text';
}

export interface ModuleHooks {
  /**
   * Checks what a schema cannot (a network address with host bits set, a choice that needs another setting), after the
   * schema passed: a sentence per bad setting, in every language. Nothing is saved when it returns any.
   */
  checkConfig?(config: Record<string, unknown>): Record<string, LocalizedText>;
  /** Idempotent root-side preparation; runs after install and before every start. */
  setup?(runtime: ModuleRuntime, oldVersion: number): Promise<void>;
  /** Runs while the daemons are stopped, just before they start: for settings that must hold from their first second. */
  beforeStart?(runtime: ModuleRuntime): Promise<void>;
  /** Brings a running daemon in line with the saved config; returns 'restart' when only a restart can. */
  applyConfig?(runtime: ModuleRuntime, previous: Record<string, unknown> | null): Promise<'applied' | 'restart'>;
  details?(runtime: ModuleRuntime): Promise<ModuleDetailLine[]>;
  diagnose?(runtime: ModuleRuntime): Promise<DiagnosticCheck[]>;
  /**
   * The text of one of the manifest's `publicFiles`, for a request that reached the node as `host` (the name or
   * address the client used, checked); null answers 404.
   */
  publicFile?(runtime: ModuleRuntime, path: string, request: { host: string }): Promise<string | null>;
  /** TXT entries only the running daemon knows (e.g. Syncthing's device ID), added to every published record. */
  publishedTxt?(runtime: ModuleRuntime): Promise<Record<string, string>>;
  /** For each discovered record (by key) of a consume action's type: can it be done, is it waiting, or done. */
  consumeStates?(runtime: ModuleRuntime, actionId: string, records: DiscoveredService[]): Promise<Record<string, ConsumeState>>;
  /** Performs (or undoes) a consume action on one discovered record. */
  consume?(runtime: ModuleRuntime, actionId: string, record: DiscoveredService, mode: 'do' | 'undo'): Promise<void>;
  /** What peers ask of this node right now (e.g. Syncthing's pending devices). */
  incomingRequests?(runtime: ModuleRuntime): Promise<IncomingRequest[]>;
  acceptRequest?(runtime: ModuleRuntime, kind: string, id: string): Promise<void>;
  /**
   * While the module runs: discovery's records changed (called at most once per few seconds, never two at once).
   * For a module that serves what discovery found (the DNS module's zone).
   */
  discoveryChanged?(runtime: ModuleRuntime): Promise<void>;
  /**
   * The module's own work in cloudyd while it runs (a graph server's polling rounds): started once the module runs,
   * again after each settings change (with the new settings), and aborted through `signal` when it stops. It should
   * return only when aborted; if it fails, cloudyd logs why and starts it again a minute later.
   */
  whileRunning?(runtime: ModuleRuntime, signal: AbortSignal): Promise<void>;
  /** The module's graphs on its page: each line one of its series (see `runtime.series`). */
  graphs?(runtime: ModuleRuntime): Promise<ModuleGraph[]>;
  /**
   * Anything under `/<module id>/` (path after it, query), to anyone, over HTTPS and the plain HTTP port, while the
   * module runs; null answers 404. Untrusted input: check the path and query as strictly as an API route would.
   */
  publicData?(runtime: ModuleRuntime, path: string, query: URLSearchParams): Promise<PublicData | null>;
}

/** A discovered service as modules see it: already cleaned and bounded by discovery. */
export interface DiscoveredService {
  key: string;
  type: string;
  description: string;
  node: string;
  address: string;
  port: number;
  txt: Record<string, string>;
}

export interface DiscoveredView {
  /** The discovery microcloud name (lower-case DNS label) or empty. */
  microcloud: string;
  communityAddress: string;
  services: DiscoveredService[];
  /** Other Cloudy nodes alive in the Serf cluster, services or not: their host names and community addresses. */
  nodes: Array<{ node: string; address: string }>;
}

/** `unavailable`: the record lacks what the action needs (e.g. a device ID). */
export type ConsumeState = 'available' | 'waiting' | 'done' | 'unavailable';

export interface IncomingRequest {
  kind: string;
  id: string;
  name: string;
  address: string;
}

export interface ModuleDefinition {
  manifest: ModuleManifest;
  hooks: ModuleHooks;
  /** The module's words in every panel language (src/modules/<id>/translations.ts). */
  translations: ModuleTranslations;
}
