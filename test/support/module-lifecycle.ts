// The lifecycle every module goes through in tests: install → configure → start → status → stop → uninstall.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import type { PanelSession } from './panel-session.ts';

export function dpkgInstalled(packageName: string): boolean {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}', packageName], { encoding: 'utf8' }).startsWith('ii');
  } catch {
    return false;
  }
}

export async function runOperation(session: PanelSession, moduleId: string, verb: string): Promise<any> {
  const accepted = await session.request('POST', `/api/modules/${moduleId}/${verb}`);
  assert.equal(accepted.status, 202, `${verb}: ${JSON.stringify(accepted.body)}`);
  const operation = await session.waitForOperation(accepted.body.operationId);
  assert.equal(operation.state, 'completed', `${verb} failed: ${operation.error}\n${operation.log.join('\n')}`);
  return operation;
}

export async function moduleState(session: PanelSession, moduleId: string): Promise<any> {
  const reply = await session.request('GET', `/api/modules/${moduleId}`);
  assert.equal(reply.status, 200);
  return reply.body;
}

/** Starts from "not installed" so the install really runs apt. */
export async function ensureUninstalled(session: PanelSession, moduleId: string): Promise<void> {
  if ((await moduleState(session, moduleId)).state.installed) await runOperation(session, moduleId, 'uninstall');
}

export function processUid(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return state !== 'Z';
  } catch {
    return false;
  }
}

/** uid and gid of a system account, from /etc/passwd. */
export function systemAccount(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith(`${name}:`));
  assert.ok(line, `account ${name} exists`);
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}
