// Every module's root actions; imported only by the helper's composition root.
import type { PrivilegedAction } from '../kit/privileged-action.ts';
import { dnsservicesActions } from './dnsservices/privileged.ts';
import { proxy3Actions } from './proxy3/privileged.ts';
import { snpservicesActions } from './snpservices/privileged.ts';
import { syncthingActions } from './syncthing/privileged.ts';
import { webdavActions } from './webdav/privileged.ts';

export const modulePrivilegedActions: PrivilegedAction[] = [...syncthingActions, ...webdavActions, ...proxy3Actions, ...dnsservicesActions, ...snpservicesActions] as PrivilegedAction[];
