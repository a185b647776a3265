// Every module's root actions; imported only by the helper's composition root.
import type { PrivilegedAction } from '../kit/privileged-action.ts';
import { syncthingActions } from './syncthing/privileged.ts';
import { webdavActions } from './webdav/privileged.ts';

export const modulePrivilegedActions: PrivilegedAction[] = [...syncthingActions, ...webdavActions] as PrivilegedAction[];
