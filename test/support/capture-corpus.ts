/** The capture corpus: saved-style shop pages under test/fixtures/capture with the product each shows. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CapturedProduct } from '../../extension/src/capture/index.ts';
import { capturePages } from '../../extension/scripts/capture-runner.ts';

const folder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/capture');
export const FIELDS = ['title', 'priceMinor', 'currency', 'imageUrl'] as const;
export type Field = (typeof FIELDS)[number];

export interface CorpusPage {
  readonly file: string;
  readonly url: string;
  readonly platform: string;
  /** The product the page shows, or null for a page that is not a product page (it must show nothing). */
  readonly expected: Record<Field, string | number | null> | null;
}

export interface PageOutcome {
  readonly page: CorpusPage;
  readonly product: CapturedProduct | null;
  readonly right: Record<Field, boolean>;
}

export async function runCorpus(): Promise<PageOutcome[]> {
  const pages = JSON.parse(await readFile(path.join(folder, 'corpus.json'), 'utf8')) as CorpusPage[];
  const products = await capturePages(await Promise.all(pages.map(async (page) => ({
    url: page.url, html: await readFile(path.join(folder, page.file)),
  }))));
  return pages.map((page, i) => {
    const product = products[i] ?? null;
    const expected = page.expected;
    const right = Object.fromEntries(FIELDS.map((field) => [field, expected === null ? product === null : product !== null && product[field] === expected[field]])) as Record<Field, boolean>;
    return { page, product, right };
  });
}

export function scoreCorpus(outcomes: readonly PageOutcome[]) {
  const share = (count: number, of = outcomes.length) => (of === 0 ? 0 : Math.round((count / of) * 1000) / 1000);
  const notProducts = outcomes.filter((o) => o.page.expected === null);
  const perField = Object.fromEntries(FIELDS.map((field) => [field, share(outcomes.filter((o) => o.right[field]).length)]));
  return {
    pages: outcomes.length,
    title_accuracy: perField.title, price_accuracy: perField.priceMinor, currency_accuracy: perField.currency, image_accuracy: perField.imageUrl,
    all_four_share: share(outcomes.filter((o) => FIELDS.every((field) => o.right[field])).length),
    non_product_pages: notProducts.length,
    non_product_shown_nothing_share: share(notProducts.filter((o) => o.product === null).length, notProducts.length),
    misses: outcomes.filter((o) => !FIELDS.every((field) => o.right[field])).map((o) => ({
      file: o.page.file,
      wrong: FIELDS.filter((field) => !o.right[field]).map((field) => ({ field, expected: o.page.expected?.[field] ?? null, got: o.product?.[field] ?? null })),
    })),
  };
}
