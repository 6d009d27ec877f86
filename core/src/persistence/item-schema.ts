/**
 * The one collection the cart needs. Few collections on purpose: RxDB's open core allows 13 open
 * collections per process, across all databases (see ../shared/FACTS.md).
 */
import type { RxJsonSchema } from 'rxdb';
import type { CartItem } from '../cart/cart-types.ts';
import { MERGE_FIELDS, type ClockedItem } from '../merge/item-clocks.ts';

const nullableString = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;

/**
 * RxDB runs a strategy on every stored item of the older version AND on the documents its replication
 * keeps as the server's last known state (its meta storage, rxdb 17.6 migration-schema,
 * rx-migration-state.ts `masterWrite`), which here are sealed envelopes `{ id, enc, fp }`. So a strategy
 * must give back, unchanged, any document it has nothing to add to: adding a field to an envelope would
 * make it one sync refuses (sealed-items.ts, `checkEnvelope`).
 * 2: availability. Existing items keep every field and get none: unknown (cart-types.ts, Availability).
 */
export const itemMigrations = {
  1: (doc: CartItem) => doc,
  2: (doc: CartItem) => doc,
};

export const itemSchema: RxJsonSchema<ClockedItem> = {
  title: 'cart item',
  // 1: field clocks (merge/item-clocks.ts). Version 0 documents need no change: without field clocks
  // every field carries the document's last change.
  // 2: `availability` (optional) and its field clock (docs/cart-manager.md, "Availability").
  version: 2,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 64 },
    listId: { type: 'string', maxLength: 64 },
    url: { type: 'string', maxLength: 2048 },
    shop: { type: 'string', maxLength: 253 },
    title: { type: 'string', maxLength: 300 },
    priceMinor: { type: ['integer', 'null'] },
    currency: { type: 'string', maxLength: 8 },
    imageUrl: nullableString(2048),
    variant: nullableString(120),
    quantity: { type: 'integer', minimum: 1 },
    note: { type: 'string', maxLength: 1000 },
    addedAt: { type: 'integer' },
    addedBy: { type: 'string', maxLength: 64 },
    updatedAt: { type: 'integer' },
    updatedBy: { type: 'string', maxLength: 64 },
    addedPriceMinor: { type: ['integer', 'null'] },
    priceHistory: {
      type: 'array', maxItems: 20,
      items: { type: 'object', properties: { at: { type: 'integer' }, priceMinor: { type: 'integer' } }, required: ['at', 'priceMinor'] },
    },
    deleted: { type: 'boolean' },
    // Optional: absent is unknown.
    availability: { type: 'string', enum: ['in_stock', 'out_of_stock'], maxLength: 12 },
    fieldClocks: {
      type: 'object',
      properties: Object.fromEntries(MERGE_FIELDS.map((field) => [field, { type: 'string', maxLength: 100 }])),
      additionalProperties: false,
    },
  },
  required: ['id', 'listId', 'url', 'shop', 'title', 'priceMinor', 'currency', 'imageUrl', 'variant', 'quantity',
    'note', 'addedAt', 'addedBy', 'updatedAt', 'updatedBy', 'deleted'],
  additionalProperties: false,
};
