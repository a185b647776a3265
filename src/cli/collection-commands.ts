// `cloudy <module> <noun> add|set|remove|list|passwd …`: the lists a module declares (WebDAV's shares and users …).
import type { CollectionInfo, CollectionItemView, ItemChangeReply, ModuleDetail, Operation } from '../shared/api-contract.ts';
import type { Print } from './operation-follow.ts';
import { itemUrlKey } from '../shared/http-names.ts';
import type { PanelClient } from './panel-client.ts';
import { readPassword } from './password-input.ts';

const SETTLED = new Set(['completed', 'failed']);

function usage(moduleId: string, collection: CollectionInfo): string {
  const key = collection.key.toUpperCase();
  const lines = [
    `usage: cloudy ${moduleId} ${collection.noun} list`,
    `       cloudy ${moduleId} ${collection.noun} add ${key} [FIELD=VALUE...]`,
    `       cloudy ${moduleId} ${collection.noun} set ${key} FIELD=VALUE...`,
    `       cloudy ${moduleId} ${collection.noun} remove ${key}`,
  ];
  if (collection.password) lines.push(`       cloudy ${moduleId} ${collection.noun} passwd ${key}          (the password from standard input or a prompt)`);
  const properties = Object.keys((collection.itemSchema as { properties?: object }).properties ?? {}).filter((name) => name !== collection.key);
  if (properties.length > 0) lines.push(`FIELD: ${properties.join(', ')} (a list is written a,b,c)`);
  return lines.join('\n');
}

function pairs(words: string[]): Record<string, string> {
  return Object.fromEntries(
    words.map((word) => {
      const at = word.indexOf('=');
      if (at < 1) throw new Error(`"${word}" is not FIELD=VALUE`);
      return [word.slice(0, at), word.slice(at + 1)];
    }),
  );
}

const describe = (item: CollectionItemView, key: string): string =>
  [item.key, ...Object.entries(item.values).filter(([name]) => name !== key).map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(',') : String(value)}`)].join('  ');

/** A change made while the module runs is applied in an operation: wait for it, and fail if it fails. */
async function waitForApply(client: PanelClient, operationId: string | null): Promise<Operation | null> {
  if (operationId === null) return null;
  for (const deadline = Date.now() + 180_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
    const operation = await client.request<Operation>('GET', `/api/operations/${operationId}`);
    if (SETTLED.has(operation.state)) {
      if (operation.state === 'failed') throw new Error(`saved, but applying it failed: ${operation.error}`);
      return operation;
    }
  }
  throw new Error('saved; applying it takes longer than 3 minutes: see the module’s page');
}

/** Handles the command when `moduleId` names a module with a list called `noun`; false when it does not. */
export async function collectionCommand(client: PanelClient, moduleId: string, [noun, verb, key, ...rest]: string[], print: Print): Promise<boolean> {
  const detail = await client.request<ModuleDetail>('GET', `/api/modules/${encodeURIComponent(moduleId)}`).catch(() => null);
  const collection = detail?.collections.find((candidate) => candidate.noun === noun);
  if (!detail || !collection) return false;
  const base = `/api/modules/${encodeURIComponent(moduleId)}/collections/${collection.name}`;
  const items = () => client.request<CollectionItemView[]>('GET', base);

  if (verb === 'list') {
    const listed = await items();
    print(listed.map((item) => describe(item, collection.key)).join('\n') || `no ${collection.noun}s`, listed);
    return true;
  }
  if (!key || !['add', 'set', 'remove', 'passwd'].includes(verb ?? '')) throw new Error(usage(moduleId, collection));
  const exists = (await items()).some((item) => item.key === key);
  const itemPath = `${base}/${encodeURIComponent(itemUrlKey(key))}`;

  if (verb === 'remove') {
    if (!exists) throw new Error(`there is no ${collection.noun} ${key}`);
    const reply = await client.request<ItemChangeReply>('DELETE', itemPath);
    await waitForApply(client, reply.operationId);
    print(`${collection.noun} ${key} removed`, reply);
    return true;
  }
  if (verb === 'add' && exists) throw new Error(`${collection.noun} ${key} exists already; change it with "set" or "passwd"`);
  if (verb !== 'add' && !exists) throw new Error(`there is no ${collection.noun} ${key}; add it first`);
  if (verb === 'passwd' && !collection.password) throw new Error(`a ${collection.noun} has no password`);
  if (verb === 'set' && rest.length === 0) throw new Error(usage(moduleId, collection));
  const values = verb === 'passwd' ? {} : pairs(rest);
  const password = collection.password && verb !== 'set' ? await readPassword(`Password for ${collection.noun} ${key}: `) : undefined;
  // The name goes in the body too: a name no list accepts is then refused on its own field (see itemUrlKey).
  const reply = await client.request<ItemChangeReply>('PUT', itemPath, { values: { [collection.key]: key, ...values }, ...(password === undefined ? {} : { password }) });
  await waitForApply(client, reply.operationId);
  print(`${collection.noun} ${key} ${verb === 'add' ? 'added' : verb === 'passwd' ? 'has a new password' : 'changed'}`, reply);
  return true;
}
