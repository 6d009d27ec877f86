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
  readonly expected: Record<Field, string | number | null>;
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
    const right = Object.fromEntries(FIELDS.map((field) => [field, product !== null && product[field] === page.expected[field]])) as Record<Field, boolean>;
    return { page, product, right };
  });
}

export function scoreCorpus(outcomes: readonly PageOutcome[]) {
  const share = (count: number) => Math.round((count / outcomes.length) * 1000) / 1000;
  const perField = Object.fromEntries(FIELDS.map((field) => [field, share(outcomes.filter((o) => o.right[field]).length)]));
  return {
    pages: outcomes.length,
    title_accuracy: perField.title, price_accuracy: perField.priceMinor, currency_accuracy: perField.currency, image_accuracy: perField.imageUrl,
    all_four_share: share(outcomes.filter((o) => FIELDS.every((field) => o.right[field])).length),
    misses: outcomes.filter((o) => !FIELDS.every((field) => o.right[field])).map((o) => ({
      file: o.page.file,
      wrong: FIELDS.filter((field) => !o.right[field]).map((field) => ({ field, expected: o.page.expected[field], got: o.product?.[field] ?? null })),
    })),
  };
}
