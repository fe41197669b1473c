/**
 * HTTP errors of the service: a status, a stable machine-readable code and a one-line message,
 * sent as `{ "error": { "code", "message" } }`.
 */

/** A request failure with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The JSON body of an error response. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
