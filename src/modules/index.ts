// The modules this node ships, listed explicitly; imported only by composition roots.
import type { ModuleManifest } from '../kit/manifest.ts';
import type { ModuleDefinition } from '../kit/module-hooks.ts';
import { dnsservicesModule } from './dnsservices/module.ts';
import { syncthingModule } from './syncthing/module.ts';
import { proxy3Module } from './proxy3/module.ts';
import { snpservicesModule } from './snpservices/module.ts';
import { webdavModule } from './webdav/module.ts';

export const cloudyModules: ModuleDefinition[] = [syncthingModule, webdavModule, proxy3Module, dnsservicesModule, snpservicesModule];
export const moduleManifests: ModuleManifest[] = cloudyModules.map((module) => module.manifest);
