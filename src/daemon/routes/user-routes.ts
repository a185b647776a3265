// Local accounts, managed by administrators: list, create (admin or user role), remove.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import { replies, UserCreateRequest, UsernameParams, UserSummary } from '../../shared/api-contract.ts';
import { ApiError, conflict, notFound } from '../api-error.ts';
import type { AccountStore } from '../auth/account-store.ts';

export function registerUserRoutes(app: FastifyInstance, accounts: AccountStore): void {
  app.get('/api/users', { config: { access: 'admin' }, schema: { response: replies(Type.Array(UserSummary)) } }, async () => accounts.list());

  app.post<{ Body: UserCreateRequest }>(
    '/api/users',
    { config: { access: 'admin' }, schema: { body: UserCreateRequest, response: replies(UserSummary, 201) } },
    async (request, reply) => {
      const { username, password, role } = request.body;
      if (accounts.exists(username)) throw new ApiError(409, 'user_exists', `An account called ${username} already exists.`, { username: 'This name is taken.' });
      return reply.code(201).send(await accounts.create(username, password, role, request.session!.language));
    },
  );

  app.delete<{ Params: { username: string } }>(
    '/api/users/:username',
    { config: { access: 'admin' }, schema: { params: UsernameParams, response: { 204: Type.Null(), ...replies(Type.Null()) } } },
    async (request, reply) => {
      const outcome = accounts.remove(request.params.username);
      if (outcome === 'missing') throw notFound(`The account ${request.params.username}`);
      if (outcome === 'last_admin') throw conflict('This is the last administrator; make another administrator first.');
      return reply.code(204).send();
    },
  );
}
