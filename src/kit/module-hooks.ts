// What a module may add to the generic lifecycle; cloudyd calls these hooks, unprivileged.
import type { DiagnosticCheck } from '../shared/api-contract.ts';
import type { ModuleManifest } from './manifest.ts';

export interface ModuleRuntime {
  root: string;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  /** Calls one of the module's own root actions declared in its privileged.ts. */
  callPrivileged<T = unknown>(action: string, args?: Record<string, unknown>): Promise<T>;
  log(line: string): void;
}

export interface ModuleDetailLine {
  label: string;
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
}

export interface ModuleDefinition {
  manifest: ModuleManifest;
  hooks: ModuleHooks;
}
