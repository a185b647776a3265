// Administrators list, add and remove the node's local accounts here.
import { useEffect, useState } from 'preact/hooks';

import type { Role, UserSummary } from '../../shared/api-contract.ts';
import { api } from '../api/cloudy-api.ts';
import { FormError } from '../components/form-messages.tsx';
import { TextField } from '../components/text-field.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';

export function UsersForm() {
  const [users, setUsers] = useState<UserSummary[]>([]);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('user');
  const { busy, error, submit } = useSubmission();
  const reload = async () => setUsers(await api.users());
  useEffect(() => {
    void submit(reload);
  }, []);
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    void submit(async () => {
      await api.createUser(username.trim(), password, role);
      setUsername('');
      setPassword('');
      await reload();
    });
  };
  const remove = (name: string) =>
    void submit(async () => {
      await api.removeUser(name);
      await reload();
    });
  return (
    <form class="card" onSubmit={onSubmit} noValidate data-testid="users-form">
      <h2>{t('settings.usersTitle')}</h2>
      <FormError error={error} />
      <ul class="user-list" data-testid="users-list">
        {users.map((user) => (
          <li key={user.username} data-testid={`user-${user.username}`}>
            <span>
              {user.username} — {user.role === 'admin' ? t('settings.roleAdmin') : t('settings.roleUser')}
            </span>
            <button type="button" class="secondary" disabled={busy} onClick={() => remove(user.username)} data-testid={`user-remove-${user.username}`}>
              {t('settings.userRemove')}
            </button>
          </li>
        ))}
      </ul>
      <TextField name="username" id="users-new-username" label={t('settings.userName')} value={username} onInput={setUsername} error={error} autoComplete="off" />
      <TextField name="password" id="users-new-password" label={t('settings.userPassword')} type="password" value={password} onInput={setPassword} error={error} autoComplete="new-password" />
      <div class="field">
        <label for="users-new-role">{t('settings.userRole')}</label>
        <select id="users-new-role" value={role} onChange={(event) => setRole((event.currentTarget as HTMLSelectElement).value as Role)} data-testid="users-new-role">
          <option value="user">{t('settings.roleUser')}</option>
          <option value="admin">{t('settings.roleAdmin')}</option>
        </select>
      </div>
      <button type="submit" disabled={busy} data-testid="users-add">
        {t('settings.userAdd')}
      </button>
    </form>
  );
}
