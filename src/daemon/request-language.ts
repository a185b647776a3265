// Which panel language a request is answered in: the signed-in user's, else the one its Accept-Language prefers.
import type { FastifyRequest } from 'fastify';

import type { Language } from '../shared/api-contract.ts';
import { isLanguage } from '../shared/http-names.ts';

/** The first of our languages in an Accept-Language header, by quality then order (RFC 9110 §12.5.4); else English. */
export function acceptedLanguage(header: string | undefined): Language {
  const ranges = (header ?? '')
    .split(',')
    .slice(0, 32)
    .map((part, order) => {
      const [range = '', ...parameters] = part.trim().split(';');
      const quality = parameters.map((parameter) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(parameter)?.[1]).find((value) => value !== undefined);
      return { code: range.trim().toLowerCase().split('-')[0] ?? '', quality: quality === undefined ? 1 : Number(quality), order };
    })
    .filter((range) => range.quality > 0 && isLanguage(range.code))
    .sort((a, b) => b.quality - a.quality || a.order - b.order);
  return (ranges[0]?.code as Language | undefined) ?? 'en';
}

export function requestLanguage(request: FastifyRequest): Language {
  return request.session?.language ?? acceptedLanguage(request.headers['accept-language']);
}
