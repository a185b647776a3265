// The machine-readable copyright file of the Debian package (DEP-5): Cloudy's own stanza and license texts come from
// packaging/debian/copyright.in, one Files stanza per license of the npm modules shipped is generated from them here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** SPDX names found in package.json files → the DEP-5 short names the license paragraphs in copyright.in use. */
const DEP5_LICENSE: Record<string, string> = {
  MIT: 'Expat',
  ISC: 'ISC',
  'BSD-2-Clause': 'BSD-2-clause',
  'BSD-3-Clause': 'BSD-3-clause',
  'Apache-2.0': 'Apache-2.0',
  WTFPL: 'WTFPL',
};

/** Modules whose package.json names no usable SPDX license: what their own README or LICENSE file says. */
const LICENSE_BY_MODULE: Record<string, string> = {
  // package.json says "GPL"; its README says version 2 "or (at your option) any later version".
  '@ledgerhq/compressjs': 'GPL-2+',
};

export class UnknownLicenseError extends Error {}

interface ShippedModule {
  name: string;
  dir: string;
  license: string;
}

/** `(MIT OR WTFPL)` → `Expat or WTFPL`; a license without a paragraph in copyright.in fails the build. */
function dep5License(name: string, spdx: unknown): string {
  if (LICENSE_BY_MODULE[name]) return LICENSE_BY_MODULE[name];
  if (typeof spdx !== 'string') throw new UnknownLicenseError(`${name}: package.json has no license string`);
  return spdx
    .replace(/^\((.*)\)$/, '$1')
    .split(' OR ')
    .map((part) => {
      const short = DEP5_LICENSE[part.trim()];
      if (!short) throw new UnknownLicenseError(`${name}: license "${spdx}" has no paragraph in packaging/debian/copyright.in`);
      return short;
    })
    .join(' or ');
}

/** Module directories relative to `nodeModules`, nested copies too (ajv/node_modules/fast-uri). */
function moduleDirs(nodeModules: string, prefix = ''): string[] {
  const names = readdirSync(path.join(nodeModules, prefix)).flatMap((entry) =>
    entry.startsWith('@') ? readdirSync(path.join(nodeModules, prefix, entry)).map((sub) => `${prefix}${entry}/${sub}`) : [`${prefix}${entry}`],
  );
  return names.flatMap((name) => {
    const nested = path.join(nodeModules, name, 'node_modules');
    return existsSync(nested) ? [name, ...moduleDirs(nodeModules, `${name}/node_modules/`)] : [name];
  });
}

function shippedModules(nodeModules: string): ShippedModule[] {
  return moduleDirs(nodeModules).sort().map((name) => {
    const dir = path.join(nodeModules, name);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; license?: unknown };
    return { name, dir, license: dep5License(manifest.name, manifest.license) };
  });
}

/** The `Copyright ...` lines of a module's LICENSE file; the file itself ships beside the module. */
function copyrightLines(module: ShippedModule): string[] {
  const licenseFile = readdirSync(module.dir).find((file) => /^licen[cs]e/i.test(file));
  const text = licenseFile ? readFileSync(path.join(module.dir, licenseFile), 'utf8') : '';
  const lines = text
    .split('\n')
    .map((line) => line.trim().replace(/&lt;/g, '<').replace(/&gt;/g, '>'))
    // The GPL's own text carries the FSF's copyright on the license document, not on the module.
    .filter((line) => /^copyright\b/i.test(line) && !/Free Software Foundation/.test(line));
  return lines.length > 0 ? lines : [`the authors of ${module.name}`];
}

/** The whole copyright file for the modules left in `nodeModules` (the staged, pruned tree). */
export function debianCopyright(template: string, nodeModules: string): string {
  const byLicense = new Map<string, ShippedModule[]>();
  for (const module of shippedModules(nodeModules)) byLicense.set(module.license, [...(byLicense.get(module.license) ?? []), module]);
  const stanzas = [...byLicense.entries()].map(([license, modules]) => {
    const files = modules.map((module) => ` node_modules/${module.name}/*`).join('\n');
    const holders = [...new Set(modules.flatMap(copyrightLines))].map((line) => ` ${line}`).join('\n');
    return `\nFiles:\n${files}\nCopyright:\n${holders}\nLicense: ${license}\n`;
  });
  const parts = template.split('@NODE_MODULES@\n');
  if (parts.length !== 2) throw new Error('packaging/debian/copyright.in must contain one @NODE_MODULES@ line');
  return `${parts[0]}${stanzas.join('')}\n${parts[1]}`;
}
