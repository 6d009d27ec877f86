/**
 * The one collection the cart needs. Few collections on purpose: RxDB's open core allows 13 open
 * collections per process, across all databases (see ../shared/FACTS.md).
 */
import type { RxJsonSchema } from 'rxdb';
import type { CartItem } from '../cart/cart-types.ts';

const nullableString = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;

export const itemSchema: RxJsonSchema<CartItem> = {
  title: 'cart item',
  version: 0,
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
  },
  required: ['id', 'listId', 'url', 'shop', 'title', 'priceMinor', 'currency', 'imageUrl', 'variant', 'quantity',
    'note', 'addedAt', 'addedBy', 'updatedAt', 'updatedBy', 'deleted'],
  additionalProperties: false,
};
