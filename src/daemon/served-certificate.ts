// The TLS certificate cloudyd serves, the pins derived from it, and the TLS profile it is served with.
import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TlsOptions } from 'node:tls';

import type { NodeLayout } from '../shared/node-layout.ts';
import { certificatePin } from './discovery/peer-document.ts';
import type { HelperClient } from './helper-client.ts';
import { certificateSha256 } from './vpn/join-token.ts';

/**
 * Mozilla's "intermediate" profile (server-side TLS guidelines, version 5.7): TLS 1.2 and 1.3 only, forward-secret
 * AEAD suites only (no CBC), the client picks among them because all are strong. Our key is ECDSA P-256, so of the
 * TLS 1.2 suites only the ECDHE-ECDSA ones can actually be chosen; the RSA ones stay listed as Mozilla lists them.
 */
export const TLS_PROFILE = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: false,
} satisfies TlsOptions;

/** Anything with Node's `tls.Server.setSecureContext` (Fastify's HTTPS server). */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/**
 * Holds the served key and certificate and their pins; `follow` reissues the certificate for a new hostname (same key)
 * and swaps it into the running server, so the pins read afterwards (discovery tags, new join tokens) are the new ones.
 */
export class ServedCertificate {
  private key = Buffer.alloc(0);
  private cert = Buffer.alloc(0);

  constructor(
    private readonly layout: Pick<NodeLayout, 'tlsKeyFile' | 'tlsCertFile'>,
    private readonly helper: HelperClient,
  ) {}

  /** Has the helper make (or reissue, if it names another host) the certificate, then reads it. */
  async ensure(hostname: string): Promise<{ fingerprint: string; created: boolean }> {
    const answer = await this.helper.call<{ fingerprint: string; created: boolean }>('node.ensureTlsCertificate', { hostname });
    this.key = readFileSync(this.layout.tlsKeyFile);
    this.cert = readFileSync(this.layout.tlsCertFile);
    return answer;
  }

  /** After a hostname change: a certificate naming the new host, served to every new connection from now on. */
  async follow(hostname: string, server: SecureContextTarget): Promise<void> {
    const { created, fingerprint } = await this.ensure(hostname);
    if (!created) return;
    // setSecureContext replaces every context option it is not given: the profile must come along.
    server.setSecureContext(this.serverOptions());
    console.log(`cloudyd: certificate reissued for ${hostname} (same key); SHA-256 fingerprint ${fingerprint}`);
  }

  /** Fastify's `https` options. */
  serverOptions(): TlsOptions {
    return { key: this.key, cert: this.cert, ...TLS_PROFILE };
  }

  /** Discovery's `fp` tag: the first 12 bytes of the certificate's SHA-256. */
  get discoveryPin(): string {
    return certificatePin(this.cert);
  }

  /** The pin in VPN join tokens: the certificate's SHA-256. */
  get vpnPin(): string {
    return certificateSha256(this.cert);
  }
}
