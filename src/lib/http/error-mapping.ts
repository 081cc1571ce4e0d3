import { AppError, toAppError, type ErrorCode } from '../../errors';

/** body-parser's own errors, by their `type`, mapped onto the project's error kinds. */
const BODY_PARSER_ERRORS = new Map<string, (error: Error) => AppError>([
  ['entity.parse.failed', () => new AppError('MALFORMED_REQUEST', 'the request body is not valid JSON')],
  ['entity.too.large', () => new AppError('PAYLOAD_TOO_LARGE', 'the request body is larger than the service accepts')],
  ['encoding.unsupported', (error) => new AppError('UNSUPPORTED_MEDIA_TYPE', error.message)],
  ['charset.unsupported', (error) => new AppError('UNSUPPORTED_MEDIA_TYPE', error.message)],
]);

/**
 * Client errors (4xx) raised by Express, body-parser, raw-body or http-errors — a URL that does
 * not decode, a corrupt gzip body, an aborted upload — by HTTP status, with the message used when
 * the error does not mark its own message as safe to show (`expose`). Any other 4xx is malformed.
 */
const CLIENT_ERRORS: Partial<Record<number, { code: ErrorCode; message: string }>> = {
  400: { code: 'MALFORMED_REQUEST', message: 'the request could not be read' },
  401: { code: 'UNAUTHORIZED', message: 'authentication is required' },
  403: { code: 'FORBIDDEN', message: 'not allowed' },
  404: { code: 'NOT_FOUND', message: 'not found' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than the service accepts' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'the request body has an unsupported media type' },
  429: { code: 'RATE_LIMITED', message: 'too many requests' },
};
const OTHER_CLIENT_ERROR = { code: 'MALFORMED_REQUEST', message: 'the request could not be read' } as const satisfies { code: ErrorCode; message: string };

/** Longest exposed error message passed on to the client. */
const MAX_EXPOSED_MESSAGE = 200;

/** The 4xx status an error carries (`status` or `statusCode`), unless it says it must not be shown. */
function clientStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode, expose } = error as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 400 || code > 499 || expose === false) return undefined;
  return code;
}

/** The error's own message when it is marked safe to show (`expose === true`): one line, bounded. */
function exposedMessage(error: unknown): string | undefined {
  const { expose, message } = error as { expose?: unknown; message?: unknown };
  if (expose !== true || typeof message !== 'string' || message.trim() === '') return undefined;
  const line = message.split('\n')[0]?.trim() ?? '';
  return line.length > MAX_EXPOSED_MESSAGE ? `${line.slice(0, MAX_EXPOSED_MESSAGE)}…` : line;
}

/**
 * The AppError an HTTP answer is made from: an AppError as is; a body-parser error by its type;
 * a dependency failure as DEPENDENCY_UNAVAILABLE; an error carrying a 4xx status (Express,
 * body-parser, http-errors) as the matching client error kind; anything else INTERNAL.
 */
export function toHttpAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const parserType = (error as { type?: unknown } | null)?.type;
  const fromParser = typeof parserType === 'string' ? BODY_PARSER_ERRORS.get(parserType) : undefined;
  if (fromParser) return fromParser(error as Error);
  const normalised = toAppError(error);
  if (normalised.code !== 'INTERNAL') return normalised;
  const status = clientStatusOf(error);
  if (status === undefined) return normalised;
  const kind = CLIENT_ERRORS[status] ?? OTHER_CLIENT_ERROR;
  // Express raises a URIError (status 400, not exposed) for a path parameter that does not percent-decode.
  const exposed = exposedMessage(error);
  const message = exposed !== undefined ? `${kind.message}: ${exposed}` : error instanceof URIError ? 'the request path is not valid percent-encoding' : kind.message;
  return new AppError(kind.code, message, { cause: error });
}
