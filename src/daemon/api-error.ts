// Errors that become an HTTP answer: a status, a code, a sentence for the user and per-field messages.
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} does not exist.`);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);
