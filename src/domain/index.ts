/**
 * Pure order logic shared by the cart service and the order service: exact money, shipping,
 * the status lifecycle, currencies, dates, the order model, request validation and order
 * generation. No I/O.
 */
export { Decimal } from 'decimal.js';
export {
  MONEY_SCALE,
  MONEY_MAX_INTEGER_DIGITS,
  parseMoney,
  formatMoney,
  sumLineItems,
  toMinorUnits,
  fromMinorUnits,
  type ParseMoneyOptions,
  type MoneyParseResult,
  type PricedQuantity,
} from './money';
export { SHIPPING_RATE, shippingCost } from './shipping';
export {
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  INITIAL_ORDER_STATUS,
  isOrderStatus,
  parseStatus,
  canTransition,
  assertTransition,
  type OrderStatus,
} from './order-status';
export { ISO_4217_CURRENCIES, isIso4217Currency } from './currency';
export { parseIsoDateTime } from './iso-date';
export { toOrderJson, type Order, type OrderItem, type OrderJson, type OrderItemJson } from './order';
export { IDENTIFIER_PATTERN, MAX_ID_LENGTH, MAX_ITEMS, MAX_QUANTITY, idSchema } from './order-schemas';
export { plainlyValidRecordedStatus, type TypedOrder } from './recorded-order-check';
export {
  BODY_FIELD,
  validateOrder,
  validateStatusUpdate,
  validateCreateRequest,
  type OrderValidation,
  type ValidateOrderOptions,
  type StatusUpdate,
  type StatusUpdateValidation,
  type CreateRequest,
  type CreateRequestValidation,
} from './order-validation';
export { GENERATED_CATALOGUE, GENERATED_CURRENCIES, generateOrder, type RandomSource } from './order-generator';
