// The standalone apache2 configuration Cloudy generates for the WebDAV module, from validated data only.
import path from 'node:path';

export class WebdavConfigError extends Error {
  override name = 'WebdavConfigError';
}

/** Share names become a URL segment and a folder name: lower-case letters, digits, `_` and `-`; no dots (`..`, `.ht*`). */
export const SHARE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** User names go into `Require user` lists and the password file: no space, colon, quote or dot-only names. */
export const USER_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
/** Absolute, normalised paths of plain characters: nothing a directive parser could read as syntax. */
const SAFE_PATH_PATTERN = /^(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/;
const HOSTNAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** Apache's LimitRequestBody takes at most 2147483647 bytes. */
export const MAX_UPLOAD_LIMIT_MIB = 2047;

/** The only methods a read-only user (or anyone, on a public share) may use. */
export const READ_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PROPFIND'] as const;

export interface WebdavShare {
  name: string;
  readOnlyUsers: string[];
  readWriteUsers: string[];
  /** Anyone may read without a password; writing still needs a read-write user. */
  public: boolean;
}

export interface ApacheConfigInput {
  serverName: string;
  port: number;
  uploadLimitMiB: number;
  /** The declared shares path; share `x` is served from `<sharesDir>/x` at `/x/`. */
  sharesDir: string;
  shares: WebdavShare[];
  usersFile: string;
  certificateFile: string;
  keyFile: string;
  /** PidFile, Mutex files, DefaultRuntimeDir, the TLS session cache: writable by the daemon's user only. */
  runDir: string;
  /** DavLockDB's base name (mod_dav_fs adds its own suffixes). */
  lockDatabase: string;
  /** An empty directory served at `/`, so nothing outside a share is ever mapped. */
  emptyRoot: string;
  /**
   * A file, or absent: then errors go to apache's standard output, which the supervisor collects. `ErrorLog /dev/stderr`
   * cannot work: apache, not root, reopens the supervisor's pipe (owned by root, mode 0600) by path and gets EACCES.
   */
  errorLog?: string;
  modulesDir?: string;
}

const MODULES = [
  ['mpm_event_module', 'mod_mpm_event.so'],
  ['authn_core_module', 'mod_authn_core.so'],
  ['authn_file_module', 'mod_authn_file.so'],
  ['authz_core_module', 'mod_authz_core.so'],
  ['authz_user_module', 'mod_authz_user.so'],
  ['auth_basic_module', 'mod_auth_basic.so'],
  ['alias_module', 'mod_alias.so'],
  ['mime_module', 'mod_mime.so'],
  ['socache_shmcb_module', 'mod_socache_shmcb.so'],
  ['ssl_module', 'mod_ssl.so'],
  ['dav_module', 'mod_dav.so'],
  ['dav_fs_module', 'mod_dav_fs.so'],
] as const;

/** Mozilla "intermediate" TLS 1.2 suites, the same profile cloudyd serves (src/daemon/served-certificate.ts). */
const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

function safePath(field: string, value: string): string {
  if (typeof value !== 'string' || !SAFE_PATH_PATTERN.test(value) || path.posix.normalize(value) !== value || value.split('/').includes('..')) {
    throw new WebdavConfigError(`${field} must be an absolute path of letters, digits, ".", "_" and "-" (got ${JSON.stringify(value)}).`);
  }
  return value;
}

function integerIn(field: string, value: number, minimum: number, maximum: number): number {
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new WebdavConfigError(`${field} must be a whole number from ${minimum} to ${maximum} (got ${JSON.stringify(value)}).`);
  }
  return value;
}

export function assertShareName(name: string): string {
  if (typeof name !== 'string' || !SHARE_NAME_PATTERN.test(name)) {
    throw new WebdavConfigError(`Share name ${JSON.stringify(name)} is not allowed: use 1 to 32 lower-case letters, digits, "_" or "-", starting with a letter or digit.`);
  }
  return name;
}

export function assertUserName(name: string): string {
  if (typeof name !== 'string' || !USER_NAME_PATTERN.test(name)) {
    throw new WebdavConfigError(`User name ${JSON.stringify(name)} is not allowed: use 1 to 32 lower-case letters, digits, "_" or "-", starting with a letter.`);
  }
  return name;
}

function validatedShares(shares: WebdavShare[]): WebdavShare[] {
  const seen = new Set<string>();
  return shares.map((share) => {
    assertShareName(share.name);
    if (seen.has(share.name)) throw new WebdavConfigError(`Share ${share.name} is listed twice.`);
    seen.add(share.name);
    if (typeof share.public !== 'boolean') throw new WebdavConfigError(`Share ${share.name}: "public" must be true or false.`);
    const readWriteUsers = [...new Set(share.readWriteUsers.map(assertUserName))].sort();
    // A user with both rights is a read-write user.
    const readOnlyUsers = [...new Set(share.readOnlyUsers.map(assertUserName))].filter((user) => !readWriteUsers.includes(user)).sort();
    return { name: share.name, public: share.public, readOnlyUsers, readWriteUsers };
  });
}

function requireUsers(users: string[]): string {
  return users.length === 0 ? 'Require all denied' : `Require user ${users.join(' ')}`;
}

function shareBlock(share: WebdavShare, sharesDir: string, usersFile: string): string {
  const folder = `${sharesDir}/${share.name}`;
  const readers = share.public ? 'Require all granted' : requireUsers([...share.readOnlyUsers, ...share.readWriteUsers].sort());
  return `
Alias "/${share.name}" "${folder}"
<Directory "${folder}">
    Dav On
    Options None
    AllowOverride None
    AuthType Basic
    AuthName "Cloudy WebDAV ${share.name}"
    AuthBasicProvider file
    AuthUserFile "${usersFile}"
    # A known user without the right gets 403, not 401: clients stop asking again for a password that is correct.
    AuthzSendForbiddenOnFailure On
    <Limit ${READ_METHODS.join(' ')}>
        ${readers}
    </Limit>
    <LimitExcept ${READ_METHODS.join(' ')}>
        ${requireUsers(share.readWriteUsers)}
    </LimitExcept>
</Directory>`;
}

/** The complete apache2 configuration; throws WebdavConfigError on any value it would not write verbatim. */
export function apacheConfig(input: ApacheConfigInput): string {
  const serverName = input.serverName;
  if (typeof serverName !== 'string' || !HOSTNAME_PATTERN.test(serverName)) {
    throw new WebdavConfigError(`serverName must be a host name (got ${JSON.stringify(serverName)}).`);
  }
  const port = integerIn('port', input.port, 1024, 65535);
  const uploadLimitBytes = integerIn('uploadLimitMiB', input.uploadLimitMiB, 1, MAX_UPLOAD_LIMIT_MIB) * 1024 * 1024;
  const paths = {
    sharesDir: safePath('sharesDir', input.sharesDir),
    usersFile: safePath('usersFile', input.usersFile),
    certificateFile: safePath('certificateFile', input.certificateFile),
    keyFile: safePath('keyFile', input.keyFile),
    runDir: safePath('runDir', input.runDir),
    lockDatabase: safePath('lockDatabase', input.lockDatabase),
    emptyRoot: safePath('emptyRoot', input.emptyRoot),
    modulesDir: safePath('modulesDir', input.modulesDir ?? '/usr/lib/apache2/modules'),
  };
  const shares = validatedShares(input.shares);
  // A piped logger, spawned without a shell ("|", not "|$"); it inherits apache's standard output.
  const errorLog = input.errorLog === undefined ? '|/bin/cat' : safePath('errorLog', input.errorLog);
  const loads = MODULES.map(([name, file]) => `LoadModule ${name} ${paths.modulesDir}/${file}`).join('\n');
  return `# Generated by Cloudy (webdav module); changes here are overwritten.
${loads}

ServerRoot "${paths.runDir}"
ServerName ${serverName}
DefaultRuntimeDir "${paths.runDir}"
PidFile "${paths.runDir}/apache2.pid"
Mutex file:${paths.runDir} default
ErrorLog "${errorLog}"
LogLevel warn
ServerTokens Prod
ServerSignature Off
TraceEnable Off
FileETag MTime Size

StartServers 1
ServerLimit 4
ThreadsPerChild 16
MaxRequestWorkers 64
MinSpareThreads 8
MaxSpareThreads 32

TypesConfig /etc/mime.types
LimitRequestBody ${uploadLimitBytes}
DavLockDB "${paths.lockDatabase}"
DavDepthInfinity Off

Listen ${port} https
SSLEngine on
SSLCertificateFile "${paths.certificateFile}"
SSLCertificateKeyFile "${paths.keyFile}"
SSLProtocol -all +TLSv1.2 +TLSv1.3
SSLCipherSuite ${TLS12_CIPHERS}
SSLHonorCipherOrder off
SSLSessionTickets off
SSLSessionCache "shmcb:${paths.runDir}/ssl_scache(512000)"

DocumentRoot "${paths.emptyRoot}"
<Directory />
    Options None
    AllowOverride None
    Require all denied
</Directory>
# No name with a control character (newline, tab...) is created or reached, also as a COPY/MOVE destination: such
# names break logs and the scripts that read the folders. An <If> is merged last, so its Require replaces the share's.
<If "%{REQUEST_URI} =~ /[\\x00-\\x1f\\x7f]/ || %{HTTP:Destination} =~ /%[01][0-9a-f]|%7f/i">
    Require all denied
</If>
${shares.map((share) => shareBlock(share, paths.sharesDir, paths.usersFile)).join('\n')}
`;
}
