// Generated from schemas/ by `npm run schemas:generate` — do not edit.

import type { InventoryCommitted, InventoryCommittedInput, InventoryRejected, InventoryRejectedInput, InventoryReleased, InventoryReleasedInput, InventoryReserved, InventoryReservedInput, OrderCreated, OrderCreatedInput, OrderStatusUpdated, OrderStatusUpdatedInput } from './avro-types';

/** The event records of schemas/ (one folder each). */
export const EVENT_NAMES = ['InventoryCommitted', 'InventoryRejected', 'InventoryReleased', 'InventoryReserved', 'OrderCreated', 'OrderStatusUpdated'] as const;

export type EventName = (typeof EVENT_NAMES)[number];

/** The event records of each namespace; a namespace is the records of one topic (src/lib/registry/event-streams.ts). */
export const EVENT_NAMES_BY_NAMESPACE = {
  'io.orderflow.inventory': ['InventoryCommitted', 'InventoryRejected', 'InventoryReleased', 'InventoryReserved'],
  'io.orderflow.events': ['OrderCreated', 'OrderStatusUpdated'],
} as const;

/** The decoded value of each event record, in its current version. */
export interface EventRecords {
  InventoryCommitted: InventoryCommitted;
  InventoryRejected: InventoryRejected;
  InventoryReleased: InventoryReleased;
  InventoryReserved: InventoryReserved;
  OrderCreated: OrderCreated;
  OrderStatusUpdated: OrderStatusUpdated;
}

/** What encoding accepts for each event record, in its current version. */
export interface EventInputs {
  InventoryCommitted: InventoryCommittedInput;
  InventoryRejected: InventoryRejectedInput;
  InventoryReleased: InventoryReleasedInput;
  InventoryReserved: InventoryReservedInput;
  OrderCreated: OrderCreatedInput;
  OrderStatusUpdated: OrderStatusUpdatedInput;
}

/** The current writer schema of an event record and the rule its subject evolves by. */
export interface EventSchema {
  /** Namespace-qualified record name; the subject is `<topic>-<fullName>`. */
  fullName: string;
  /** The highest version in schemas/<name>/. */
  version: number;
  /** Compatibility mode of the subject, from schemas/compatibility.json. */
  compatibility: string;
  /** The content of schemas/<name>/v<version>.avsc. */
  schema: { type: 'record'; name: string; namespace: string; doc?: string; fields: unknown[] };
}

/** The current writer schema of every event record. */
export const EVENT_SCHEMAS: Readonly<Record<EventName, EventSchema>> = {
  InventoryCommitted: {
    fullName: 'io.orderflow.inventory.InventoryCommitted',
    version: 1,
    compatibility: 'BACKWARD',
    schema: {
      "type": "record",
      "name": "InventoryCommitted",
      "namespace": "io.orderflow.inventory",
      "doc": "A shipped order's reserved units left stock. Kafka key: the order id.",
      "fields": [
        {
          "name": "eventId",
          "type": {
            "type": "string",
            "logicalType": "uuid"
          },
          "doc": "Unique id of this event; consumers use it to ignore duplicates."
        },
        {
          "name": "occurredAt",
          "type": {
            "type": "long",
            "logicalType": "timestamp-millis"
          },
          "doc": "When the inventory service made the change (UTC instant, milliseconds)."
        },
        {
          "name": "orderId",
          "type": "string",
          "doc": "The order the stock is held for; also the Kafka key."
        },
        {
          "name": "causationEventId",
          "type": {
            "type": "string",
            "logicalType": "uuid"
          },
          "doc": "The order event this answers (its eventId), so the answer can be traced to its cause."
        },
        {
          "name": "items",
          "type": {
            "type": "array",
            "items": {
              "type": "record",
              "name": "StockLine",
              "doc": "Units of one item.",
              "fields": [
                {
                  "name": "itemId",
                  "type": "string",
                  "doc": "The item (SKU)."
                },
                {
                  "name": "quantity",
                  "type": "int",
                  "doc": "Units, at least 1."
                }
              ]
            }
          },
          "doc": "What left stock, one line per item."
        }
      ]
    },
  },
  InventoryRejected: {
    fullName: 'io.orderflow.inventory.InventoryRejected',
    version: 1,
    compatibility: 'BACKWARD',
    schema: {
      "type": "record",
      "name": "InventoryRejected",
      "namespace": "io.orderflow.inventory",
      "doc": "An order could not be reserved because some items are short; nothing was reserved. Kafka key: the order id.",
      "fields": [
        {
          "name": "eventId",
          "type": {
            "type": "string",
            "logicalType": "uuid"
          },
          "doc": "Unique id of this event; consumers use it to ignore duplicates."
        },
        {
          "name": "occurredAt",
          "type": {
            "type": "long",
            "logicalType": "timestamp-millis"
          },
          "doc": "When the inventory service made the change (UTC instant, milliseconds)."
        },
        {
          "name": "orderId",
          "type": "string",
          "doc": "The order the stock is held for; also the Kafka key."
        },
        {
          "name": "causationEventId",
          "type": {
            "type": "string",
            "logicalType": "uuid"
          },
          "doc": "The order event this answers (its eventId), so the answer can be traced to its cause."
        },
        {
          "name": "shortItems",
          "type": {
            "type": "array",
            "items": {
              "type": "record",
              "name": "ShortItem",
              "doc": "An item the order asks more of than is available.",
              "fields": [
                {
                  "name": "itemId",
                  "type": "string",
                  "doc": "The item (SKU)."
                },
                {
                  "name": "requested",
                  "type": "int",
                  "doc": "Units the order asks for."
                },
                {
                  "name": "available",
                  "type": "int",
                  "doc": "Units available to reserve when the order was checked (0 for an item never stocked)."
                }
              ]
            }
          },
          "doc": "Each short item, with what was asked and what was there."
        }
      ]
    },
  },
  InventoryReleased: {
    fullName: 'io.orderflow.inventory.InventoryReleased',
    version: 1,
    compatibility: 'BACKWARD',
    schema: {
      "type": "record",
      "name": "InventoryReleased",
      "namespace": "io.orderflow.inventory",
      "doc": "A cancelled order's reservation was released: the units moved from reserved back to available. Kafka key: the order id.",
      "fields": [
        {
          "name": "eventId",
          "type": {
            "type": "string",
            "logicalType": "uuid"
          },
          "doc": "Unique id of this event; consumers use it to ignore duplicates."
        },
        {
          "name": "occurredAt",
          "type": {
            "type": "long",
            "logicalType": "timestamp-millis"
          },
          "doc": "When the inventory service made the change (UTC instant, milliseconds)."
        },
        {
          "name": "orderId",
          "type": "string",
          "doc": "The order the stock is held for; also the Kafka key."
        },
        {
          "name": "causationEventId",
          "type": {
            "type": "string",
            "logicalType": "uuid"
          },
          "doc": "The order event this answers (its eventId), so the answer can be traced to its cause."
        },
        {
          "name": "items",
          "type": {
            "type": "array",
            "items": {
              "type": "record",
              "name": "StockLine",
              "doc": "Units of one item.",
              "fields": [
                {
                  "name": "itemId",
                  "type": "string",
                  "doc": "The item (SKU)."
                },
                {
                  "name": "quantity",
                  "type": "int",
                  "doc": "Units, at least 1."
                }
              ]
            }
          },
          "doc": "What was released, one line per item."
        }
      ]
    },
  },
  InventoryReserved: {
    fullName: 'io.orderflow.inventory.InventoryReserved',
    version: 1,
    compatibility: 'BACKWARD',
    schema: {
      "type": "record",
      "name": "InventoryReserved",
      "namespace": "io.orderflow.inventory",
      "doc": "Every line of an order was reserved, atomically: the units moved from available to reserved. Kafka key: the order id.",
      "fields": [
        {
          "name": "eventId",
          "type": {
            "type": "string",
            "logicalType": "uuid"
          },
          "doc": "Unique id of this event; consumers use it to ignore duplicates."
        },
        {
          "name": "occurredAt",
          "type": {
            "type": "long",
            "logicalType": "timestamp-millis"
          },
          "doc": "When the inventory service made the change (UTC instant, milliseconds)."
        },
        {
          "name": "orderId",
          "type": "string",
          "doc": "The order the stock is held for; also the Kafka key."
        },
        {
          "name": "causationEventId",
          "type": {
            "type": "string",
            "logicalType": "uuid"
          },
          "doc": "The order event this answers (its eventId), so the answer can be traced to its cause."
        },
        {
          "name": "items",
          "type": {
            "type": "array",
            "items": {
              "type": "record",
              "name": "StockLine",
              "doc": "Units of one item.",
              "fields": [
                {
                  "name": "itemId",
                  "type": "string",
                  "doc": "The item (SKU)."
                },
                {
                  "name": "quantity",
                  "type": "int",
                  "doc": "Units, at least 1."
                }
              ]
            }
          },
          "doc": "What was reserved, one line per item (an item ordered on several lines is summed)."
        }
      ]
    },
  },
  OrderCreated: {
    fullName: 'io.orderflow.events.OrderCreated',
    version: 3,
    compatibility: 'FULL',
    schema: {
      "type": "record",
      "name": "OrderCreated",
      "namespace": "io.orderflow.events",
      "doc": "An order was accepted by the cart service; carries the whole order. Kafka key: the order id.",
      "fields": [
        {
          "name": "eventId",
          "type": {
            "type": "string",
            "logicalType": "uuid"
          },
          "doc": "Unique id of this event; consumers use it to ignore duplicates."
        },
        {
          "name": "occurredAt",
          "type": {
            "type": "long",
            "logicalType": "timestamp-millis"
          },
          "doc": "When the order was accepted (UTC instant, milliseconds)."
        },
        {
          "name": "order",
          "doc": "The order as accepted.",
          "type": {
            "type": "record",
            "name": "Order",
            "doc": "An e-commerce order.",
            "fields": [
              {
                "name": "orderId",
                "type": "string",
                "doc": "Business id of the order, e.g. ORDER-001."
              },
              {
                "name": "customerId",
                "type": "string",
                "doc": "Id of the customer who placed the order."
              },
              {
                "name": "orderDate",
                "type": {
                  "type": "long",
                  "logicalType": "timestamp-millis"
                },
                "doc": "When the customer placed the order (UTC instant, milliseconds)."
              },
              {
                "name": "items",
                "doc": "The order lines; never empty.",
                "type": {
                  "type": "array",
                  "items": {
                    "type": "record",
                    "name": "OrderItem",
                    "doc": "One order line.",
                    "fields": [
                      {
                        "name": "itemId",
                        "type": "string",
                        "doc": "Id of the article."
                      },
                      {
                        "name": "quantity",
                        "type": "int",
                        "doc": "How many, at least 1."
                      },
                      {
                        "name": "price",
                        "type": {
                          "type": "bytes",
                          "logicalType": "decimal",
                          "precision": 12,
                          "scale": 2
                        },
                        "doc": "Unit price in the order's currency, exact, greater than 0."
                      }
                    ]
                  }
                }
              },
              {
                "name": "totalAmount",
                "type": {
                  "type": "bytes",
                  "logicalType": "decimal",
                  "precision": 12,
                  "scale": 2
                },
                "doc": "Sum of price x quantity over the items, exact."
              },
              {
                "name": "currency",
                "type": "string",
                "doc": "ISO 4217 code of the prices and total, e.g. EUR."
              },
              {
                "name": "status",
                "doc": "Status of the order when the event was written.",
                "type": {
                  "type": "enum",
                  "name": "OrderStatus",
                  "doc": "Order lifecycle. A symbol this reader does not know reads as 'unknown', which consumers reject as invalid. New symbols go at the end (processing: added in OrderCreated v3 and OrderStatusUpdated v2).",
                  "symbols": [
                    "pending",
                    "confirmed",
                    "paid",
                    "shipped",
                    "delivered",
                    "cancelled",
                    "unknown",
                    "processing"
                  ],
                  "default": "unknown"
                }
              },
              {
                "name": "salesChannel",
                "type": "string",
                "default": "web",
                "doc": "Where the order was placed: web, mobile, marketplace, ... Added in v2; records written before v2 read as web."
              }
            ]
          }
        }
      ]
    },
  },
  OrderStatusUpdated: {
    fullName: 'io.orderflow.events.OrderStatusUpdated',
    version: 2,
    compatibility: 'BACKWARD',
    schema: {
      "type": "record",
      "name": "OrderStatusUpdated",
      "namespace": "io.orderflow.events",
      "doc": "An order moved to a new status. Kafka key: the order id, so it stays behind the order's OrderCreated.",
      "fields": [
        {
          "name": "eventId",
          "type": {
            "type": "string",
            "logicalType": "uuid"
          },
          "doc": "Unique id of this event; consumers use it to ignore duplicates."
        },
        {
          "name": "occurredAt",
          "type": {
            "type": "long",
            "logicalType": "timestamp-millis"
          },
          "doc": "When the status changed (UTC instant, milliseconds)."
        },
        {
          "name": "orderId",
          "type": "string",
          "doc": "Business id of the order, e.g. ORDER-001."
        },
        {
          "name": "status",
          "doc": "The new status.",
          "type": {
            "type": "enum",
            "name": "OrderStatus",
            "doc": "Order lifecycle. A symbol this reader does not know reads as 'unknown', which consumers reject as invalid. New symbols go at the end (processing: added in OrderCreated v3 and OrderStatusUpdated v2).",
            "symbols": [
              "pending",
              "confirmed",
              "paid",
              "shipped",
              "delivered",
              "cancelled",
              "unknown",
              "processing"
            ],
            "default": "unknown"
          }
        },
        {
          "name": "previousStatus",
          "type": [
            "null",
            "OrderStatus"
          ],
          "default": null,
          "doc": "The status before the change, when the producer knew it."
        }
      ]
    },
  },
};
