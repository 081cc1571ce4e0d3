/**
 * The inventory events as their consumers read them: decoded through the registry and checked,
 * or poison; and the stock state each announces.
 */
export {
  checkInventoryEvent,
  createInventoryRecordDecoder,
  describeShortItem,
  STOCK_STATE_OF,
  type InventoryEventDecoder,
  type StockState,
  type ValidInventoryEvent,
} from './inventory-record-decoder';
