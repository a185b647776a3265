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
  /** Calls one of the module's own root actions declared in its privileged.ts. */
  callPrivileged<T = unknown>(action: string, args?: Record<string, unknown>): Promise<T>;
  log(line: string): void;
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
  /** Idempotent root-side preparation; runs after install and before every start. */
  setup?(runtime: ModuleRuntime, oldVersion: number): Promise<void>;
  /** Runs while the daemons are stopped, just before they start: for settings that must hold from their first second. */
  beforeStart?(runtime: ModuleRuntime): Promise<void>;
  /** Brings a running daemon in line with the saved config; returns 'restart' when only a restart can. */
  applyConfig?(runtime: ModuleRuntime, previous: Record<string, unknown> | null): Promise<'applied' | 'restart'>;
  details?(runtime: ModuleRuntime): Promise<ModuleDetailLine[]>;
  diagnose?(runtime: ModuleRuntime): Promise<DiagnosticCheck[]>;
  /** TXT entries only the running daemon knows (e.g. Syncthing's device ID), added to every published record. */
  publishedTxt?(runtime: ModuleRuntime): Promise<Record<string, string>>;
  /** For each discovered record (by key) of a consume action's type: can it be done, is it waiting, or done. */
  consumeStates?(runtime: ModuleRuntime, actionId: string, records: DiscoveredService[]): Promise<Record<string, ConsumeState>>;
  /** Performs (or undoes) a consume action on one discovered record. */
  consume?(runtime: ModuleRuntime, actionId: string, record: DiscoveredService, mode: 'do' | 'undo'): Promise<void>;
  /** What peers ask of this node right now (e.g. Syncthing's pending devices). */
  incomingRequests?(runtime: ModuleRuntime): Promise<IncomingRequest[]>;
  acceptRequest?(runtime: ModuleRuntime, kind: string, id: string): Promise<void>;
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
