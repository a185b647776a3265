// bcrypt hashes in the form the daemons modules drive read them (Apache's password files, squid's basic_ncsa_auth).
import bcrypt from 'bcryptjs';

/** Apache's and squid's bcrypt readers know `$2y$`; bcryptjs writes `$2b$`, the same algorithm under a newer name. */
export async function bcryptHash(password: string, cost: number): Promise<string> {
  return (await bcrypt.hash(password, cost)).replace(/^\$2b\$/, '$2y$');
}
