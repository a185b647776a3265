// Where the WebDAV module keeps its files below the node's root dir; read by its root actions and its tests.
import path from 'node:path';

import { resolveDeclaredPath } from '../../kit/template.ts';
import { nodeLayout } from '../../shared/node-layout.ts';
import { webdavManifest } from './manifest.ts';

export const WEBDAV_USER = webdavManifest.systemUsers[0]!.name;

export interface WebdavLayout {
  home: string;
  sharesDir: string;
  configFile: string;
  /** Where a new config is written and tested before it replaces configFile. */
  candidateConfigFile: string;
  usersFile: string;
  tlsDir: string;
  certificateFile: string;
  keyFile: string;
  runDir: string;
  pidFile: string;
  lockDir: string;
  lockDatabase: string;
  emptyRoot: string;
  /** The node's own certificate and key (cloudyd's), copied into tlsDir. */
  nodeCertificateFile: string;
  nodeKeyFile: string;
}

export function webdavLayout(root: string): WebdavLayout {
  const home = resolveDeclaredPath(root, webdavManifest.paths.home);
  const node = nodeLayout(root);
  return {
    home,
    sharesDir: resolveDeclaredPath(root, webdavManifest.paths.shares),
    configFile: path.join(home, 'apache2.conf'),
    candidateConfigFile: path.join(home, 'apache2.conf.new'),
    usersFile: path.join(home, 'users.htpasswd'),
    tlsDir: path.join(home, 'tls'),
    certificateFile: path.join(home, 'tls/cert.pem'),
    keyFile: path.join(home, 'tls/key.pem'),
    runDir: path.join(home, 'run'),
    pidFile: path.join(home, 'run/apache2.pid'),
    lockDir: path.join(home, 'locks'),
    lockDatabase: path.join(home, 'locks/davlock'),
    emptyRoot: path.join(home, 'empty'),
    nodeCertificateFile: node.tlsCertFile,
    nodeKeyFile: node.tlsKeyFile,
  };
}
