// Health, first-run setup, login/logout and the signed-in account's own settings.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import {
  Health,
  LanguageChangeRequest,
  LoginRequest,
  PasswordChangeRequest,
  replies,
  SessionInfo,
  SetupRequest,
} from '../../shared/api-contract.ts';
import { SESSION_COOKIE } from '../../shared/http-names.ts';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../api-error.ts';
import type { AccountStore, Account } from '../auth/account-store.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import { setupCodeMatches } from '../setup-code.ts';

export interface SessionRouteDeps {
  accounts: AccountStore;
  throttle: LoginThrottle;
  /** Separate from logins: a mistyped setup code must not lock the new admin out of logging in. */
  setupThrottle: LoginThrottle;
  version: string;
  /** The pending setup code, or null once an admin exists. */
  setupCode: () => string | null;
  onSetupDone: () => Promise<void>;
}

const NoContent = { 204: Type.Null(), ...replies(Type.Null()) };

function openSession(accounts: AccountStore, reply: FastifyReply, account: Account): SessionInfo {
  const { token, csrfToken } = accounts.openSession(account.username);
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
  return { ...account, csrfToken };
}

function throttled(throttle: LoginThrottle, request: FastifyRequest, username: string): void {
  const wait = throttle.retryAfterSeconds(request.ip, username);
  if (wait > 0) throw new ApiError(429, 'too_many_attempts', `Too many failed attempts; try again in ${Math.ceil(wait / 60)} minutes.`);
}

export function registerSessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): void {
  const { accounts, throttle } = deps;

  app.get('/api/health', { config: { access: 'public' }, schema: { response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    version: deps.version,
    setupRequired: !accounts.hasAdmin(),
  }));

  app.post<{ Body: SetupRequest }>(
    '/api/setup',
    { config: { access: 'public' }, schema: { body: SetupRequest, response: { ...replies(SessionInfo), 429: replies(SessionInfo)[400]! } } },
    async (request, reply) => {
      const expected = deps.setupCode();
      if (!expected || accounts.hasAdmin()) throw new ApiError(409, 'already_set_up', 'This node already has an administrator; log in instead.');
      throttled(deps.setupThrottle, request, 'setup');
      if (!setupCodeMatches(expected, request.body.setupCode)) {
        deps.setupThrottle.recordFailure(request.ip, 'setup');
        throw new ApiError(400, 'bad_setup_code', 'The setup code is wrong. It is printed on the node’s console.', { setupCode: 'Wrong setup code.' });
      }
      const account = await accounts.createFirstAdmin(request.body.username, request.body.password, request.body.language ?? 'en');
      if (!account) throw new ApiError(409, 'already_set_up', 'This node already has an administrator; log in instead.');
      await deps.onSetupDone();
      return openSession(accounts, reply, account);
    },
  );

  app.post<{ Body: LoginRequest }>(
    '/api/session',
    { config: { access: 'public' }, schema: { body: LoginRequest, response: { ...replies(SessionInfo), 429: replies(SessionInfo)[400]! } } },
    async (request, reply) => {
      const { username, password } = request.body;
      throttled(throttle, request, username);
      const account = await accounts.authenticate(username, password);
      if (!account) {
        throttle.recordFailure(request.ip, username);
        throw new ApiError(401, 'bad_credentials', 'Wrong username or password.');
      }
      throttle.recordSuccess(request.ip, username);
      return openSession(accounts, reply, account);
    },
  );

  app.get('/api/session', { schema: { response: replies(SessionInfo) } }, async (request) => request.session!);

  app.delete('/api/session', { schema: { response: NoContent } }, async (request, reply) => {
    if (request.sessionToken) accounts.closeSession(request.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.put<{ Body: PasswordChangeRequest }>('/api/account/password', { schema: { body: PasswordChangeRequest, response: NoContent } }, async (request, reply) => {
    const { username } = request.session!;
    if (!(await accounts.authenticate(username, request.body.currentPassword))) {
      throw new ApiError(400, 'bad_password', 'The current password is wrong.', { currentPassword: 'Wrong password.' });
    }
    await accounts.changePassword(username, request.body.newPassword);
    return reply.code(204).send();
  });

  app.put<{ Body: LanguageChangeRequest }>('/api/account/language', { schema: { body: LanguageChangeRequest, response: NoContent } }, async (request, reply) => {
    accounts.setLanguage(request.session!.username, request.body.language);
    return reply.code(204).send();
  });
}
