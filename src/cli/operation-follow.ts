// Starts an operation through the API and reports its progress until it settles.
import type { Operation, OperationAccepted } from '../shared/api-contract.ts';
import type { PanelClient } from './panel-client.ts';

export type Print = (human: string, data: unknown) => void;

/** Subscribes before acting so no progress event is missed; sets a failing exit code when the operation fails. */
export async function followOperation(client: PanelClient, start: { path: string; body?: unknown }, verb: string, options: { json: boolean; print: Print }): Promise<Operation> {
  let operationId: string | undefined;
  let final: Operation | undefined;
  const settled = (operation: Operation) => operation.state === 'completed' || operation.state === 'failed';
  const following = client.followEvents((type, data) => {
    if (type !== 'operation') return false;
    const operation = data as Operation;
    if (operation.id !== operationId) return false;
    if (!options.json) process.stderr.write(`\r${String(Math.round(operation.progress)).padStart(3)}% ${operation.message.slice(0, 70).padEnd(70)}`);
    if (settled(operation)) final = operation;
    return final !== undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  ({ operationId } = await client.request<OperationAccepted>('POST', start.path, start.body));
  const current = await client.request<Operation>('GET', `/api/operations/${operationId}`);
  if (settled(current)) final = current;
  else await following;
  final ??= await client.request<Operation>('GET', `/api/operations/${operationId}`);
  if (!options.json) process.stderr.write('\n');
  options.print(final.state === 'completed' ? `${verb}: done` : `${verb} failed: ${final.error}`, final);
  if (final.state !== 'completed') process.exitCode = 1;
  return final;
}
