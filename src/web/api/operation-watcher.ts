// Follows one operation until it ends: live from the event stream, or by polling while the stream is down.
import type { Operation } from '../../shared/api-contract.ts';
import { api } from './cloudy-api.ts';
import { type ApiError, toApiError } from './http-client.ts';
import { panelEvents } from './panel-events.ts';

const POLL_INTERVAL_MS = 1000;

export const isOperationFinished = (operation: Operation): boolean =>
  operation.state === 'completed' || operation.state === 'failed';

/** Calls onUpdate with each newer version of the operation; returns a function that stops watching. */
export function watchOperation(
  operationId: string,
  onUpdate: (operation: Operation) => void,
  onError: (error: ApiError) => void,
): () => void {
  let latest = '';
  let stopped = false;
  const deliver = (operation: Operation): void => {
    // A slow poll reply must not overwrite a newer event.
    if (stopped || operation.id !== operationId || operation.updatedAt < latest) return;
    latest = operation.updatedAt;
    onUpdate(operation);
    if (isOperationFinished(operation)) stop();
  };
  const poll = (): void => {
    api.operation(operationId).then(deliver, (error: unknown) => {
      if (!stopped) onError(toApiError(error));
    });
  };
  const unsubscribe = panelEvents.subscribe((event) => {
    if (event.type === 'operation') deliver(event.operation);
  });
  const timer = setInterval(() => {
    if (!panelEvents.connected) poll();
  }, POLL_INTERVAL_MS);
  function stop(): void {
    stopped = true;
    unsubscribe();
    clearInterval(timer);
  }
  // The operation may have moved before we subscribed: start from its current state.
  poll();
  return stop;
}
