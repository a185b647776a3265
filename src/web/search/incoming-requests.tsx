// Requests from peers for this node's owner to accept ("The device X wants to connect"), polled every few seconds while shown.
import { useEffect } from 'preact/hooks';

import type { IncomingRequestView } from '../../shared/discovery-contract.ts';
import { discoveryApi } from '../api/discovery-api.ts';
import { FormError } from '../components/form-messages.tsx';
import { useApiData } from '../hooks/use-api-data.ts';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';
import { localized } from '../i18n/localized-text.ts';

const POLL_INTERVAL_MS = 5000;

/** @param onAccepted lets the page ask the modules again: accepting changes what the rows' actions say. */
export function IncomingRequests({ admin, onAccepted }: { admin: boolean; onAccepted: () => void }) {
  const { data: requests, reload } = useApiData(discoveryApi.incomingRequests, []);
  useEffect(() => {
    const timer = setInterval(reload, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  // Nothing to ask, or the list cannot be read right now: the Search page stays as it is.
  if (requests === null || requests.length === 0) return null;
  return (
    <section class="card incoming-requests" aria-labelledby="incoming-requests-title" data-testid="incoming-requests">
      <h2 id="incoming-requests-title">{t('search.requestsTitle')}</h2>
      <ul class="plain">
        {requests.map((request) => (
          <IncomingRequestItem key={`${request.module}/${request.kind}/${request.id}`} request={request} admin={admin} onAccepted={() => (reload(), onAccepted())} />
        ))}
      </ul>
    </section>
  );
}

function IncomingRequestItem({ request, admin, onAccepted }: { request: IncomingRequestView; admin: boolean; onAccepted: () => void }) {
  const { busy, error, submit } = useSubmission();
  const values = { name: request.name, address: request.address };
  const accept = (): void => {
    void submit(async () => {
      await discoveryApi.acceptRequest(request.module, request.kind, request.id);
      onAccepted();
    });
  };
  return (
    <li class="incoming-request" data-testid="incoming-request">
      <span data-testid="incoming-request-text">{localized(request.label, values)}</span>
      {admin ? (
        <button type="button" class="small" disabled={busy} onClick={accept} data-testid="incoming-request-accept">
          {localized(request.acceptLabel, values)}
        </button>
      ) : null}
      <FormError error={error} testId="incoming-request-error" />
    </li>
  );
}
