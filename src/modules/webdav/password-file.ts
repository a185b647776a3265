// Apache's password file (htpasswd format: one `user:bcrypt-hash` a line), written whole from the module's users.
import { assertUserName } from './apache-config.ts';

export class PasswordFileError extends Error {
  override name = 'PasswordFileError';
}

/** bcrypt as Apache reads it: $2y$, a two-digit cost, 53 characters of salt and hash (cloudyd makes them). */
export const BCRYPT_HASH_PATTERN = /^\$2y\$\d\d\$[./A-Za-z0-9]{53}$/;

export interface PasswordEntry {
  name: string;
  passwordHash: string;
}

/** The whole file; a bad name or anything but a $2y$ hash is refused, so no line can carry a second one. */
export function passwordFile(users: PasswordEntry[]): string {
  const lines = users.map(({ name, passwordHash }) => {
    assertUserName(name);
    if (!BCRYPT_HASH_PATTERN.test(passwordHash)) throw new PasswordFileError(`The password of ${name} is not a bcrypt hash ($2y$).`);
    return `${name}:${passwordHash}`;
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
