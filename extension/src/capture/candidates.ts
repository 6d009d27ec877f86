/**
 * What the capture's sources propose: for each field (title, price, image) any number of candidates,
 * each with where it came from and the evidence for it. The scorer (scorer.ts) weighs them; nothing
 * here decides. Spec: docs/capture.md, rules 1 to 8.
 */
import type { FieldSource } from './sources/source-types.ts';

export type CandidateField = 'title' | 'price' | 'image';

/** Evidence about a candidate; absent means "not known", never "no". */
export interface Evidence {
  /** Inside a related/recommended/sponsored block, header, footer, navigation or a cart widget. */
  readonly elsewhere?: boolean;
  /** Tree levels to the product's main heading / buy control (0 = same element; 99 = far). */
  readonly toHeading?: number;
  readonly toBuy?: number;
  /** Font size in CSS pixels (titles, prices). */
  readonly fontSize?: number;
  /** Rendered or declared area in CSS pixels² (images). */
  readonly area?: number;
  /** Its id/class/itemprop says what it is ("price", "product-title", "main-image"). */
  readonly labelled?: boolean;
  /** Its id/class says it is the product's own (productTitle, product-name, landingImage, main-image). */
  readonly productLabelled?: boolean;
  /** <h1>, or the first heading of the page. */
  readonly h1?: boolean;
  /** Share of its words found in the page's <title>/og:title (0..1). */
  readonly inPageTitle?: number;
  /** A price not to pay now: struck out, "was", "list price", "RRP", savings, shipping. */
  readonly old?: boolean;
  /** A conditional price: members, store card, subscription, instalments, unit price, before tax. */
  readonly conditional?: boolean;
  /** Said to be the sale / current price (class "sale", "Now", "Por:"). */
  readonly current?: boolean;
  /** Promotion or status text where a name should be ("15% sparen", "Adding to Cart..."). */
  readonly promo?: boolean;
  /** Titles: one word of a longer heading (a range's or brand's name, "MOSHULT"), not the whole name. */
  readonly fragment?: boolean;
  /** Titles: one of several headings of the same tag and class (a grid's tile titles, Squarespace's `<h1 class="grid-title">`). */
  readonly alike?: boolean;
  /** Prices: the price of the variant the page shows (selected, or named by its URL), or of another variant. Images: the photo of the variant the URL names. */
  readonly variant?: 'shown' | 'other';
  /** Prices: written on an option of a picker the page shows not chosen (another colour's swatch, another size's tile). */
  readonly option?: boolean;
  /** Prices: an amount before tax the page shows beside the same price with tax ("Netto: …" over "Brutto: …"). */
  readonly beforeTax?: boolean;
  /** Markup values: how the page shows the same value ('yes', only as an old price, only before tax beside the price with it, or not at all). */
  readonly shown?: 'yes' | 'old' | 'beforeTax' | 'no';
  /** Markup prices: the lowest of a range ("from"), not one offer's price. */
  readonly lowest?: boolean;
  /** Page prices: one end of a range the page shows ("9,90 € – 36,90 €" over a variable product's options). */
  readonly rangeEnd?: boolean;
  /** Looks like a logo, icon, sprite, placeholder or tracking pixel (images). */
  readonly notProduct?: boolean;
  /** Position in the document, 0 (top) to 1 (bottom). */
  readonly order?: number;
}

export interface Candidate {
  readonly field: CandidateField;
  readonly source: FieldSource;
  /** Title text, image URL, or the price in minor units. */
  readonly value: string | number;
  /** Prices: ISO code, or 'unknown'. */
  readonly currency?: string;
  readonly evidence: Evidence;
}
