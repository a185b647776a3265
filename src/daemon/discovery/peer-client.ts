// Fetches a peer's service list over HTTPS, trusting only the certificate whose pin the peer gossips in its tags.
import https from 'node:https';

import { PEER_SERVICES_PATH, pinOfFingerprint } from './peer-document.ts';

export class PeerFetchError extends Error {
  override name = 'PeerFetchError';
}

// A legitimate list is at most 256 records of a few kilobytes; more than this is a peer trying to exhaust us.
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface PeerTarget {
  address: string;
  port: number;
  /** `certificatePin` of the peer's certificate, from its Serf tags. */
  pin: string;
}

/**
 * Self-signed certificates cannot be checked against a CA, so the connection is accepted first and the
 * certificate compared with the pin before a single byte of the body is read.
 */
export function fetchPeerServices(target: PeerTarget, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: target.address, port: target.port, path: PEER_SERVICES_PATH, method: 'GET', rejectUnauthorized: false, agent: false, timeout: timeoutMs, headers: { accept: 'application/json' } },
      (response) => {
        const certificate = (response.socket as import('node:tls').TLSSocket).getPeerCertificate();
        if (!certificate?.fingerprint256 || pinOfFingerprint(certificate.fingerprint256) !== target.pin) {
          request.destroy();
          return reject(new PeerFetchError(`${target.address}:${target.port} presented a certificate other than the one its tags announce`));
        }
        if (response.statusCode !== 200) {
          request.destroy();
          return reject(new PeerFetchError(`${target.address}:${target.port} answered HTTP ${response.statusCode}`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            request.destroy();
            reject(new PeerFetchError(`${target.address}:${target.port} sent more than ${MAX_BODY_BYTES} bytes`));
          } else chunks.push(chunk);
        });
        response.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new PeerFetchError(`${target.address}:${target.port} sent a list that is not JSON`));
          }
        });
        response.on('error', (error) => reject(new PeerFetchError(error.message)));
      },
    );
    request.on('timeout', () => request.destroy(new PeerFetchError(`${target.address}:${target.port} did not answer within ${timeoutMs} ms`)));
    request.on('error', (error) => reject(error instanceof PeerFetchError ? error : new PeerFetchError(`${target.address}:${target.port}: ${error.message}`)));
    request.end();
  });
}
