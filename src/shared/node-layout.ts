// Where a node keeps its files, all below one root dir so several nodes can share a machine.
import path from 'node:path';

export interface NodeLayout {
  root: string;
  etcDir: string;
  dataDir: string;
  runDir: string;
  logDir: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  setupCodeFile: string;
  auditLogFile: string;
  databaseFile: string;
  cliTokenFile: string;
  /** `{listen, httpPort, httpsPort}` of the running cloudyd, for the local CLI. */
  endpointFile: string;
  helperSocket: string;
}

export function nodeLayout(root: string): NodeLayout {
  const at = (...parts: string[]) => path.join(root, ...parts);
  return {
    root,
    etcDir: at('etc/cloudy'),
    dataDir: at('var/lib/cloudy'),
    runDir: at('run/cloudy'),
    logDir: at('var/log/cloudy'),
    tlsCertFile: at('etc/cloudy/tls/cert.pem'),
    tlsKeyFile: at('etc/cloudy/tls/key.pem'),
    setupCodeFile: at('etc/cloudy/setup-code'),
    auditLogFile: at('var/log/cloudy/helper-audit.log'),
    databaseFile: at('var/lib/cloudy/cloudy.db'),
    cliTokenFile: at('var/lib/cloudy/cli-token'),
    endpointFile: at('var/lib/cloudy/endpoint.json'),
    helperSocket: at('run/cloudy/helper.sock'),
  };
}

/** The account cloudyd runs as; the helper's socket is group-owned by it. */
export const CLOUDY_ACCOUNT = 'cloudy';
