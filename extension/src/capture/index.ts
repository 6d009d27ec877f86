export { extractProduct, type CapturedProduct } from './extract-product.ts';
