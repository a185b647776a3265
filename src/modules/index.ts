// The modules this node ships, listed explicitly; imported only by composition roots.
import type { ModuleManifest } from '../kit/manifest.ts';
import type { ModuleDefinition } from '../kit/module-hooks.ts';
import { syncthingModule } from './syncthing/module.ts';
import { webdavModule } from './webdav/module.ts';

export const cloudyModules: ModuleDefinition[] = [syncthingModule, webdavModule];
export const moduleManifests: ModuleManifest[] = cloudyModules.map((module) => module.manifest);
