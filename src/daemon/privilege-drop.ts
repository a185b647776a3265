// Lets cloudyd start as root (to read a checkout only root can read) and then become the cloudy user for good.
import { chownSync, existsSync, readFileSync } from 'node:fs';

export function lookupAccount(name: string): { uid: number; gid: number } | null {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  return null;
}

/** Irreversible: supplementary groups, then gid, then uid (in that order, or the later calls fail). */
export function dropPrivileges(account: string): void {
  const ids = lookupAccount(account);
  if (!ids) throw new Error(`the account ${account} does not exist; the helper creates it when it starts`);
  try {
    process.setgroups!([ids.gid]);
    process.setgid!(ids.gid);
    process.setuid!(ids.uid);
  } catch (error) {
    // Debian 13's Node refuses these in a running process (the CVE-2024-22017 guard). The helper starts cloudyd as
    // cloudy directly whenever cloudy can read the code; this start came from a checkout only root can read.
    throw new Error(`${(error as Error).message} Put the checkout where user ${account} can read it (not under /root), or install the package.`);
  }
  if (process.getuid!() !== ids.uid || process.geteuid!() !== ids.uid) throw new Error('could not drop root privileges');
}

/** Gives files made as root to the account cloudyd is about to become. */
export function handOver(account: { uid: number; gid: number }, files: string[]): void {
  for (const file of files) if (existsSync(file)) chownSync(file, account.uid, account.gid);
}
