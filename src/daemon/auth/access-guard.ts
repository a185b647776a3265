// Every route needs a session unless it says otherwise; every state change also needs the CSRF token.
import { timingSafeEqual } from 'node:crypto';

import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { CSRF_HEADER, SESSION_COOKIE } from '../../shared/http-names.ts';
import { ApiError } from '../api-error.ts';
import { acceptedLanguage } from '../request-language.ts';
import type { AccountStore, Session } from './account-store.ts';

export type RouteAccess = 'public' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Default 'user'. */
    access?: RouteAccess;
    /** Proxied third-party UIs cannot send our CSRF header: a same-origin Origin header stands in for it. */
    sameOriginSuffices?: boolean;
  }
  interface FastifyRequest {
    session?: Session;
    sessionToken?: string;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function isSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin === `https://${request.headers.host}`;
}

/** @param cliToken a token in a file only root and cloudyd can read; it stands for the admin. */
export function installAccessGuard(app: FastifyInstance, accounts: AccountStore, cliToken: string): void {
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const access = config?.access ?? 'user';
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const cookieToken = request.cookies[SESSION_COOKIE];
    if (bearer && sameText(bearer, cliToken)) {
      // The CLI says which language its user reads in Accept-Language (from LANG and friends).
      request.session = { username: 'root', role: 'admin', language: acceptedLanguage(request.headers['accept-language']), csrfToken: '' };
    } else if (cookieToken) {
      const session = accounts.findSession(cookieToken);
      if (session) {
        request.session = session;
        request.sessionToken = cookieToken;
      }
    }
    if (access === 'public') return;
    if (!request.session) throw new ApiError(401, 'unauthenticated', 'Log in first.');
    if (!SAFE_METHODS.has(request.method) && request.sessionToken) {
      const sent = request.headers[CSRF_HEADER];
      const tokenOk = typeof sent === 'string' && sameText(sent, request.session.csrfToken);
      if (!tokenOk && !(config?.sameOriginSuffices && isSameOrigin(request))) {
        throw new ApiError(403, 'csrf', 'The request lacks a valid CSRF token: reload the page and try again.');
      }
    }
    if (access === 'admin' && request.session.role !== 'admin') {
      throw new ApiError(403, 'forbidden', 'Only an administrator can do this.');
    }
  });
}
