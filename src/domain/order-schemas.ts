/**
 * Zod schemas of the order requests. Internal to the domain (except `idSchema`, the id rules):
 * `order-validation.ts` runs them and turns their issues into field errors. Each issue message is "what is wrong, got <value>";
 * the field path is put in front when the issue becomes a FieldError.
 */
import { z } from 'zod';
import { describeValue } from './describe-value';
import { ISO_4217_CURRENCIES, isIso4217Currency } from './currency';
import { ISO_DATE_TIME_PATTERN, parseIsoDateTime } from './iso-date';
import { POSITIVE_MONEY_NUMBER, POSITIVE_MONEY_PATTERN, checkMoney, formatMoney, sumLineItems } from './money';
import { INITIAL_ORDER_STATUS, ORDER_STATUSES, parseStatus, statusSpellingPattern, type OrderStatus } from './order-status';

/** Longest order, customer or item id (the database column and Kafka key stay small). */
export const MAX_ID_LENGTH = 64;
/** Most lines one order may have; also the most items the short form may generate. */
export const MAX_ITEMS = 100;
/** Most units of one item per line. */
export const MAX_QUANTITY = 10_000;

const CONTROL_CHARACTER = /\p{Cc}/u;
const KNOWN_STATUSES = `one of ${ORDER_STATUSES.join(', ')}`;

/** Error message for an input of the wrong type; a missing field reads "is required". */
function expected(what: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined ? 'is required' : `must be ${what}, got ${describeValue(issue.input)}`;
}

/** Error message naming the offending input. */
function got(problem: string) {
  return (issue: { input?: unknown }): string => `${problem}, got ${describeValue(issue.input)}`;
}

/** Matches a UTF-16 surrogate that is not half of a pair (with the `u` flag, a pair is one code point). */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** What String.prototype.trim removes (ECMA-262 WhiteSpace and LineTerminator), as a pattern's character class body. */
const TRIMMED = String.raw`\t\n\u000b\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff`;
// Lone surrogates are refused too, but a pattern cannot name them: JSON Schema strings are
// Unicode scalar values, and validators built on them (jsonschema-rs) refuse such a range.
const CONTROL = String.raw`\u0000-\u001f\u007f-\u009f`;

/**
 * The ids `identifier` accepts, as a JSON Schema pattern: blanks around (trimmed away), then 1 to
 * MAX_ID_LENGTH characters (code points) without control characters, the first and last not blank.
 */
export const IDENTIFIER_PATTERN =
  `^[${TRIMMED}]*[^${CONTROL}${TRIMMED}]` + `(?:[^${CONTROL}]{0,${MAX_ID_LENGTH - 2}}[^${CONTROL}${TRIMMED}])?[${TRIMMED}]*$`;

/** Order, customer and item ids: trimmed (the trimmed id is kept), non-empty, short, printable. */
const identifier = z
  .string({ error: expected('a string') })
  .trim()
  .min(1, { error: 'must not be empty or blank' })
  // Counted in characters (code points), as JSON Schema's maxLength and the pattern below count them.
  .refine((id) => [...id].length <= MAX_ID_LENGTH, { error: got(`must be at most ${MAX_ID_LENGTH} characters`) })
  .refine((id) => !CONTROL_CHARACTER.test(id), { error: got('must not contain control characters') })
  // A lone UTF-16 surrogate is not text: PostgreSQL (rightly) refuses to store it.
  .refine((id) => !LONE_SURROGATE.test(id), { error: got('must be well-formed Unicode text') })
  .meta({ type: 'string', pattern: IDENTIFIER_PATTERN, description: `1 to ${MAX_ID_LENGTH} characters without control characters; blanks around it are trimmed away.` });

/** The id rules above, for other layers that take an order id (e.g. the order service's query API). */
export const idSchema = identifier;

/** A money amount greater than zero, read exactly (see `parseMoney`). */
const positiveMoney = z.unknown().transform((value, ctx) => {
  const checked = checkMoney(value, { positive: true });
  if (checked.ok) return checked.value;
  ctx.addIssue({ code: 'custom', message: checked.problem, input: value });
  return z.NEVER;
}).meta({ oneOf: [{ type: 'string', pattern: POSITIVE_MONEY_PATTERN, examples: ['59.97'] }, POSITIVE_MONEY_NUMBER], description: 'An exact amount above 0 with at most 2 decimals: a string like "59.97", or a JSON number.' });

const orderDate = z.unknown().transform((value, ctx) => {
  const date = parseIsoDateTime(value);
  if (date !== undefined) return date;
  const message =
    value === undefined
      ? 'is required'
      : `must be an ISO 8601 date-time like "2024-05-01T12:00:00Z" or a date like "2024-05-01" that exists on the calendar, in the years 0001-9999 (UTC), got ${describeValue(value)}`;
  ctx.addIssue({ code: 'custom', message, input: value });
  return z.NEVER;
}).meta({
  type: 'string',
  pattern: ISO_DATE_TIME_PATTERN,
  description:
    'An RFC 3339 date-time (upper-case T and Z, an offset required) or a calendar date, that exists on the calendar, in the years 0001-9999 in UTC. ' +
    'On 0001-01-01 a time may carry Z or an offset west of UTC, on 9999-12-31 Z or one east of it, so that it cannot leave those years; the service itself judges the instant.',
  examples: ['2024-05-01T12:00:00Z'],
});

const quantity = z
  .number({ error: expected('a whole number') })
  // abort: 1.5 or 0.5 is reported once, as "not a whole number", not again for its range.
  .int({ error: got('must be a whole number'), abort: true })
  .min(1, { error: got('must be at least 1') })
  .max(MAX_QUANTITY, { error: got(`must be at most ${MAX_QUANTITY}`) });

const currency = z
  .string({ error: expected('a string') })
  .refine(isIso4217Currency, { error: got('must be an active ISO 4217 currency code in upper case, like "USD"') })
  .meta({ enum: [...ISO_4217_CURRENCIES].sort(), description: 'An active ISO 4217 code.' });

/**
 * The currency of an order already accepted: any code of ISO 4217's shape. Today's table of
 * active codes judges new orders only; a code withdrawn since (ANG, say) was valid when written.
 */
const recordedCurrency = z.string({ error: expected('a string') }).regex(/^[A-Z]{3}$/, { error: got('must be a three-letter currency code in upper case') });

/** A status in any accepted spelling, read to its canonical form. */
const status = z.unknown().transform((value, ctx): OrderStatus => {
  const parsed = parseStatus(value);
  if (parsed !== undefined) return parsed;
  const message = value === undefined ? 'is required' : `must be ${KNOWN_STATUSES}, got ${describeValue(value)}`;
  ctx.addIssue({ code: 'custom', message, input: value });
  return z.NEVER;
}).meta({ type: 'string', pattern: statusSpellingPattern(ORDER_STATUSES), description: `One of ${ORDER_STATUSES.join(', ')}, in any case; "new" means pending, "canceled" cancelled.` });

/** The status of a full order: absent means 'pending'. */
const orderStatus = status.default(INITIAL_ORDER_STATUS);

const orderItem = z.object(
  { itemId: identifier, quantity, price: positiveMoney },
  { error: expected('an object with itemId, quantity and price') },
);

const orderItems = z
  .array(orderItem, { error: expected('an array of items') })
  .min(1, { error: 'must contain at least one item' })
  .max(MAX_ITEMS, { error: (issue) => `must contain at most ${MAX_ITEMS} items, got ${describeValue(issue.input)}` });

/** The only status a new order may be created with. */
const NEW_ORDER_STATUS = z
  .literal(INITIAL_ORDER_STATUS, { error: got(`of a new order must be '${INITIAL_ORDER_STATUS}'`) });

const orderFields = {
  orderId: identifier,
  customerId: identifier,
  orderDate,
  items: orderItems,
  totalAmount: positiveMoney,
};

/**
 * A full order. `newOrder` additionally requires status 'pending' (or no status): an order
 * enters the lifecycle at its start and moves on only through status updates.
 */
function order({ newOrder, recorded }: { newOrder: boolean; recorded: boolean }) {
  const statusField = newOrder
    ? orderStatus.pipe(NEW_ORDER_STATUS).meta({ type: 'string', pattern: statusSpellingPattern([INITIAL_ORDER_STATUS]), description: `${INITIAL_ORDER_STATUS} (any case, or "new"), or absent.` })
    : orderStatus;
  return z
    .object({ ...orderFields, currency: recorded ? recordedCurrency : currency, status: statusField }, { error: expected('a JSON object') })
    .superRefine(
      (body, ctx) => {
        const sum = sumLineItems(body.items);
        if (!sum.equals(body.totalAmount)) {
          ctx.addIssue({
            code: 'custom',
            path: ['totalAmount'],
            message: `${formatMoney(body.totalAmount)} does not equal the sum of price x quantity over the items, ${formatMoney(sum)}`,
            input: body.totalAmount,
          });
        }
      },
      {
        // Compare the total whenever the items and the total themselves are valid, even if other
        // fields are broken, so one response lists every error.
        when: (payload) =>
          payload.issues.every((issue) => {
            const field = issue.path?.[0];
            return field !== undefined && field !== 'items' && field !== 'totalAmount';
          }),
      },
    );
}

/** A full order in any status (events, stored orders, fixtures). */
export const orderSchema = order({ newOrder: false, recorded: false });
/** A full order body sent to create an order. */
export const newOrderSchema = order({ newOrder: true, recorded: false });

/** An order recorded in an event already accepted: the same rules, without today's reference data. */
export const recordedOrderSchema = order({ newOrder: false, recorded: true });

/** The short create form: the cart service generates the rest. */
export const generateRequestSchema = z.object(
  {
    orderId: identifier,
    numItems: z
      .number({
        error: (issue) =>
          issue.input === undefined
            ? 'is required, or send a full order with items'
            : `must be a whole number, got ${describeValue(issue.input)}`,
      })
      .int({ error: got('must be a whole number'), abort: true })
      .min(1, { error: got('must be at least 1') })
      .max(MAX_ITEMS, { error: got(`must be at most ${MAX_ITEMS}`) }),
  },
  { error: expected('a JSON object') },
);

/** A status update: the order and the status it should move to. */
export const statusUpdateSchema = z.object({ orderId: identifier, status }, { error: expected('a JSON object') });
