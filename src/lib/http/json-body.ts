import express, { type RequestHandler } from 'express';
import { parse } from 'lossless-json';
import { AppError } from '../../errors';

/** A JSON number token: sign, integer digits, fraction digits, exponent. */
const NUMBER_TOKEN = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Farthest an exponent may move the decimal point when a number is written out plainly. Money has
 * at most 10 integer digits and 2 decimals, a quantity at most 5 digits, so nothing valid needs
 * more; the bound keeps "1e999999" from growing into a million digits. Beyond it the token is
 * kept as sent (still exact, and rejected by the money validation as not a plain decimal).
 */
const MAX_EXPONENT_SHIFT = 100;

/**
 * Reads one JSON number token without going through a binary float: a whole number within
 * ±Number.MAX_SAFE_INTEGER becomes a JS number (`3`, `2.0` and `1e2` alike, exactly as
 * JSON.parse reads them); anything else — a fraction, a huge integer — becomes its exact
 * decimal text, written out without exponent ("19.999999999999999", "1.5e-1" -> "0.15"), so money
 * validation sees the value the client sent, not the nearest double.
 */
export function readJsonNumber(token: string): number | string {
  const match = NUMBER_TOKEN.exec(token);
  if (!match) return token; // lossless-json only hands over valid tokens; keep anything else as text
  const [, sign = '', integerDigits = '', fractionDigits = '', exponentText] = match;
  let integer = integerDigits;
  let fraction = fractionDigits;
  if (exponentText !== undefined) {
    const shift = Number(exponentText);
    if (Math.abs(shift) > MAX_EXPONENT_SHIFT) return token;
    const digits = integer + fraction;
    const point = integer.length + shift;
    if (point <= 0) {
      integer = '0';
      fraction = '0'.repeat(-point) + digits;
    } else if (point >= digits.length) {
      integer = digits + '0'.repeat(point - digits.length);
      fraction = '';
    } else {
      integer = digits.slice(0, point);
      fraction = digits.slice(point);
    }
    integer = integer.replace(/^0+(?=\d)/, '');
  }
  if (/^0*$/.test(fraction)) {
    const value = Number(`${sign}${integer}`);
    if (Number.isSafeInteger(value)) return value;
    return `${sign}${integer}`;
  }
  return exponentText === undefined ? token : `${sign}${integer}.${fraction}`;
}

/**
 * Parses a JSON text like JSON.parse (any JSON value at the top, the last of duplicate keys wins,
 * `__proto__` is an ordinary key) but reads numbers with {@link readJsonNumber}.
 * Throws a SyntaxError for text that is not JSON.
 */
export function parseJsonLosslessly(text: string): unknown {
  return parse(text, null, { parseNumber: readJsonNumber, onDuplicateKey: ({ newValue }) => newValue });
}

/** body-parser's JSON rule (RFC 7159 §8.1): a JSON body is UTF-8, UTF-16 or UTF-32. */
function assertJsonCharset(_req: unknown, _res: unknown, _body: Buffer, encoding: string): void {
  if (!encoding.startsWith('utf-')) {
    throw Object.assign(new Error(`unsupported charset "${encoding.toUpperCase()}"`), { type: 'charset.unsupported' });
  }
}

/** Turns the JSON text body that `express.text` read into its value; '' reads as {} like body-parser. */
const parseJsonText: RequestHandler = (req, _res, next) => {
  const text: unknown = req.body;
  if (typeof text !== 'string') {
    next();
    return;
  }
  if (text.length === 0) {
    req.body = {};
    next();
    return;
  }
  try {
    req.body = parseJsonLosslessly(text);
  } catch (error) {
    // The parser descends recursively: absurd nesting overflows the stack, which is the client's doing too.
    const message = error instanceof RangeError ? 'the request body is nested too deeply' : 'the request body is not valid JSON';
    next(new AppError('MALFORMED_REQUEST', message));
    return;
  }
  next();
};

/**
 * Reads `application/json` bodies like `express.json({ limit, strict: false })` — same size
 * limit (413), content encodings, charsets (415 for a non-UTF one), empty body as {} — but
 * keeps every JSON number's decimal text (see {@link readJsonNumber}).
 */
export function jsonBody(limit: string): RequestHandler[] {
  return [express.text({ type: 'application/json', limit, verify: assertJsonCharset }), parseJsonText];
}
