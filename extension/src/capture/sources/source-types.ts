/** What each capture source reports: the fields it found, and whether it says the page is a product. */
export type FieldSource = 'json-ld' | 'microdata' | 'rdfa' | 'open-graph' | 'heuristic';

export interface FoundFields {
  title?: string;
  priceMinor?: number;
  currency?: string;
  imageUrl?: string;
  url?: string;
  brand?: string;
  sku?: string;
  gtin?: string;
  availability?: string;
  variant?: string;
  /** The price is the lowest of a range (an AggregateOffer's `lowPrice`), not one offer's. */
  priceIsLowest?: boolean;
}

export interface SourceResult {
  readonly source: FieldSource;
  /** The source itself says this is a product page (a Product node, og:type=product…). */
  readonly isProduct: boolean;
  /** The source says the page lists products (a JSON-LD ItemList named as its heading): a listing, no product page. */
  readonly listing?: boolean;
  readonly fields: FoundFields;
}

/** Drops undefined, null and empty values so merging only ever sees real findings. */
export function defined(fields: Record<string, unknown>): FoundFields {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== null && value !== '') out[key] = value;
  return out as FoundFields;
}

/** "https://schema.org/InStock" → "InStock". */
export function availabilityName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value.trim().replace(/^https?:\/\/(schema|data-vocabulary)\.org\//i, '').replace(/^schema:/i, '');
}
