// WebDAV beyond the generic lifecycle: apache2.conf and the password file written from the settings, shares and users.
import type { CollectionItem, ModuleDefinition, ModuleRuntime } from '../../kit/module-hooks.ts';
import { webdavManifest } from './manifest.ts';
import { webdavTranslations } from './translations.ts';
import { diagnoseWebdav } from './webdav-diagnostics.ts';

interface ShareValues {
  name: string;
  readWriteUsers: string[];
  readOnlyUsers: string[];
  public: boolean;
}

const shareOf = ({ values }: CollectionItem) => values as unknown as ShareValues;

/** Everything apache reads, from data: the shares with their users, the users with their bcrypt hashes. */
function writeConfig(runtime: ModuleRuntime, reload: boolean) {
  const shares = (runtime.collections.shares ?? []).map((item) => {
    const share = shareOf(item);
    return { name: share.name, readWriteUsers: share.readWriteUsers, readOnlyUsers: share.readOnlyUsers, public: share.public };
  });
  // A user added without a password yet cannot log in: leave it out of the file rather than write an empty hash.
  const users = (runtime.collections.users ?? []).filter((item) => item.passwordHash !== null).map((item) => ({ name: item.key, passwordHash: item.passwordHash! }));
  return runtime.callPrivileged<{ changed: boolean; reloaded: boolean }>('webdav.writeConfig', {
    port: runtime.config.port,
    uploadLimitMiB: runtime.config.uploadLimitMiB,
    shares,
    users,
    reload,
  });
}

/** The share the community sees: the chosen one if it exists, else the first public share, else none. */
export function publishedShare(config: Record<string, unknown>, shares: CollectionItem[]): string | null {
  const chosen = shares.find((item) => item.key === config.publishedShare);
  return (chosen ?? shares.find((item) => shareOf(item).public))?.key ?? null;
}

export const webdavModule: ModuleDefinition = {
  manifest: webdavManifest,
  translations: webdavTranslations,
  hooks: {
    async setup(runtime) {
      await runtime.callPrivileged('webdav.prepareHome');
    },
    async beforeStart(runtime) {
      await writeConfig(runtime, false);
    },
    async applyConfig(runtime, previous) {
      // The port is where apache listens: only a restart moves it. Everything else reloads gracefully, same PID.
      if (previous && previous.port !== runtime.config.port) return 'restart';
      const { changed, reloaded } = await writeConfig(runtime, true);
      runtime.log(changed ? `apache2.conf rewritten${reloaded ? ' and reloaded' : ''}` : 'password file rewritten; apache2.conf unchanged');
      return 'applied';
    },
    async details(runtime) {
      const shares = runtime.collections.shares ?? [];
      const users = runtime.collections.users ?? [];
      const published = publishedShare(runtime.config, shares);
      return [
        { label: webdavTranslations.text('detail.shares'), value: shares.map((item) => item.key).join(', ') || '—' },
        { label: webdavTranslations.text('detail.users'), value: String(users.length) },
        { label: webdavTranslations.text('detail.published'), value: published ?? '—' },
      ];
    },
    diagnose: diagnoseWebdav,
    async publishedTxt(runtime): Promise<Record<string, string>> {
      const share = publishedShare(runtime.config, runtime.collections.shares ?? []);
      return share === null ? {} : { path: `/${share}` };
    },
  },
};
