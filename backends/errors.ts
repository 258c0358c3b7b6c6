export const ERROR_CODES = [
  'INVALID_ID',
  'INVALID_SESSION',
  'TOO_LARGE',
  'CONFLICT',
  'UNAVAILABLE',
  'CORRUPT',
  'CLOSED',
] as const;

export type SessionErrorCode = (typeof ERROR_CODES)[number];

export class SessionError extends Error {
  readonly code: SessionErrorCode;

  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionError';
    this.code = code;
  }
}

/**
 * Recognises an error by its code, not its class: plug-in modules throw their own errors
 * with a `code` property and never import this file.
 */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}

export function isSessionError(err: unknown, code?: SessionErrorCode): boolean {
  const actual = errorCode(err);
  return (
    actual !== undefined &&
    (ERROR_CODES as readonly string[]).includes(actual) &&
    (code === undefined || actual === code)
  );
}
