// Fills `{path:…}`, `{config:…}`, `{secret:…}` and (in publish records) `{node:…}` placeholders of manifest templates.
import path from 'node:path';

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export interface TemplateValues {
  /** Node root dir: declared paths are resolved under it. */
  root: string;
  paths: Record<string, string>;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  /** The node's own ports (`{node:httpPort}`, `{node:httpsPort}`): known to cloudyd only, so for publish records. */
  node?: { httpPort: number; httpsPort: number };
}

const PLACEHOLDER = /\{(path|config|secret|node):([A-Za-z][A-Za-z0-9_]*)\}/g;

export function resolveDeclaredPath(root: string, declared: string): string {
  return path.join(root, declared);
}

/** Expands one template; an unknown placeholder is an error, never an empty string. */
export function expandTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_whole, kind: string, key: string) => {
    if (kind === 'path') {
      const declared = values.paths[key];
      if (declared === undefined) throw new TemplateError(`undeclared path "${key}" in "${template}"`);
      return resolveDeclaredPath(values.root, declared);
    }
    if (kind === 'config') {
      const value = values.config[key];
      if (value === undefined || value === null || typeof value === 'object') {
        throw new TemplateError(`config value "${key}" is missing or not a scalar in "${template}"`);
      }
      return String(value);
    }
    if (kind === 'node') {
      const port = key === 'httpPort' || key === 'httpsPort' ? values.node?.[key] : undefined;
      if (port === undefined) throw new TemplateError(`node value "${key}" is unknown here in "${template}"`);
      return String(port);
    }
    const secret = values.secrets[key];
    if (secret === undefined) throw new TemplateError(`secret "${key}" is missing in "${template}"`);
    return secret;
  });
}

export function expandRecord(record: Record<string, string> | undefined, values: TemplateValues): Record<string, string> {
  const expanded: Record<string, string> = {};
  for (const [key, template] of Object.entries(record ?? {})) expanded[key] = expandTemplate(template, values);
  return expanded;
}

/** True when `candidate` (absolute) is `base` itself or lies below it, after normalisation. */
export function isInside(base: string, candidate: string): boolean {
  const relative = path.relative(path.resolve(base), path.resolve(candidate));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
