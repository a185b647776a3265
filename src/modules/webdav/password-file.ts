// Apache's password file (htpasswd format, one `user:bcrypt-hash` a line): replacing and removing one user's line.
import { assertUserName } from './apache-config.ts';

export class PasswordFileError extends Error {
  override name = 'PasswordFileError';
}

/** bcrypt as htpasswd -B writes it: $2y$, a two-digit cost, 53 characters of salt and hash. */
const BCRYPT_LINE = /^([a-z][a-z0-9_-]{0,31}):(\$2y\$\d\d\$[./A-Za-z0-9]{53})$/;

/** Reads the `user:hash` line `htpasswd -n -B` printed; anything else (an error, another scheme) is refused. */
export function parseHashLine(output: string, user: string): string {
  const line = output.split('\n').filter((candidate) => candidate !== '');
  const match = line.length === 1 ? BCRYPT_LINE.exec(line[0]!) : null;
  if (!match || match[1] !== user) throw new PasswordFileError(`htpasswd did not print a bcrypt line for ${user}.`);
  return line[0]!;
}

function entries(file: string): string[] {
  return file.split('\n').filter((line) => line.trim() !== '');
}

/** The file with `line` (from parseHashLine) replacing the user's old line, or added at the end. */
export function withUserLine(file: string, user: string, line: string): string {
  assertUserName(user);
  if (!line.startsWith(`${user}:`) || line.includes('\n')) throw new PasswordFileError(`Not a password line for ${user}.`);
  const kept = entries(file).map((existing) => (existing.startsWith(`${user}:`) ? line : existing));
  return `${(kept.includes(line) ? kept : [...kept, line]).join('\n')}\n`;
}

export function withoutUser(file: string, user: string): string {
  assertUserName(user);
  const kept = entries(file).filter((existing) => !existing.startsWith(`${user}:`));
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}

export function listUsers(file: string): string[] {
  return entries(file).map((line) => line.slice(0, line.indexOf(':')));
}
