import { describe, expect, it } from 'vitest';
import { shownVariantImage, variantPrices } from './variants.ts';

const page = (body: string) => new DOMParser().parseFromString(`<!doctype html><html lang="pt-BR"><body>${body}</body></html>`, 'text/html');
const voltage = (selected = '') => `<select><option value="" disabled>Selecione</option>
  <option value="558200"${selected === '558200' ? ' selected' : ''}>110v | R$ 289,90</option>
  <option value="558201"${selected === '558201' ? ' selected' : ''}>220v | R$ 259,90</option></select>`;
const hints = { hostname: 'www.casafria.example' };

describe('variantPrices', () => {
  it('the selected option is the variant shown; the other options are other variants', () => {
    const found = variantPrices(page(voltage('558201')), 'https://www.casafria.example/p/ventilador-558200.html', hints);
    expect(found.shown).toBe(25990);
    expect([...found.others]).toEqual([28990]);
  });

  it('without a selection, the option the URL\'s path names, before one its campaign parameters name', () => {
    const found = variantPrices(page(voltage()), 'https://www.casafria.example/p/ventilador-558200.html?utm_content=558201', hints);
    expect(found.shown).toBe(28990);
  });

  it('says nothing when no option is selected or named, or when the options carry no prices', () => {
    expect(variantPrices(page(voltage()), 'https://www.casafria.example/p/ventilador', hints).shown).toBeNull();
    const sizes = '<select><option value="s" selected>S</option><option value="m">M</option></select>';
    expect(variantPrices(page(sizes), 'https://www.casafria.example/p/ventilador?size=s', hints).shown).toBeNull();
  });

  it('reads no variant in a quantity list, whose options are the totals of several ("2 tyres – £285.00" chosen)', () => {
    const qty = `<select id="qty" name="qty"><option value="1">1 tyre – £142.50</option><option value="2" selected>2 tyres – £285.00</option>
      <option value="4">4 tyres – £570.00</option></select>`;
    expect(variantPrices(page(qty), 'https://www.tyres.example/michelin-pilot-sport-5', { hostname: 'www.tyres.example' }).shown).toBeNull();
  });

  it('reads WooCommerce\'s chosen variation from the price box under its options: the sale\'s <ins>, else its one amount', () => {
    const box = (inner: string) => `<form class="variations_form cart"><select name="attribute_pa_size"><option value="m">M</option><option value="l" selected>L</option></select>
      <div class="single_variation_wrap"><div class="woocommerce-variation single_variation"><div class="woocommerce-variation-price">${inner}</div></div></div></form>`;
    const bd = { hostname: 'www.shop.example.com.bd' };
    const sale = box('<span class="price"><del aria-hidden="true">৳&nbsp;1,800.00</del> <ins aria-hidden="true">৳&nbsp;1,450.00</ins></span>');
    expect(variantPrices(page(sale), 'https://www.shop.example.com.bd/product/panjabi/', bd).shown).toBe(145000);
    expect(variantPrices(page(box('<span class="price">৳&nbsp;1,450.00</span>')), 'https://www.shop.example.com.bd/product/panjabi/', bd).shown).toBe(145000);
    // Before a variation is chosen the box is empty: the page shows its range.
    expect(variantPrices(page(box('')), 'https://www.shop.example.com.bd/product/panjabi/', bd).shown).toBeNull();
  });

  it('reads no price from an option\'s name without a currency of its own, even where the markup states one ("3+1+1 Seater")', () => {
    const form = `<form class="variations_form cart"><select name="attribute_pa_configuration"><option value="3-seater">3 Seater</option><option value="3-1-1-seater" selected>3+1+1 Seater</option></select>
      <div class="single_variation_wrap"><div class="woocommerce-variation single_variation"><div class="woocommerce-variation-price"><span class="price"><del aria-hidden="true">₹1,64,999.00</del> <ins aria-hidden="true">₹1,12,499.00</ins></span></div></div></div></form>`;
    expect(variantPrices(page(form), 'https://www.sofas.example.in/product/jodhpur-sofa/', { hostname: 'www.sofas.example.in', currency: 'INR' }).shown).toBe(11249900);
  });
});


describe('shownVariantImage: the chosen colour', () => {
  const gallery = `<div class="gallery"><img src="https://cdn.example/files/MARE_VestidoLinho_OffWhite_01.jpg?width=1080">
    <img src="https://cdn.example/files/MARE_VestidoLinho_Terracota_01.jpg?width=1800"><img src="https://cdn.example/files/OTHER_Terracota_01.jpg"></div>`;
  const markup = ['https://cdn.example/files/MARE_VestidoLinho_OffWhite_01.jpg'];

  it('takes the photo named as the markup\'s with the colour the picker has checked, or the address names, in its place', () => {
    const checked = page(`<input type="radio" name="Cor" value="Terracota" checked><input type="radio" name="Cor" value="OffWhite">${gallery}`);
    expect(shownVariantImage(checked, 'https://www.ateliemare.example.com.br/products/vestido', markup)).toBe('https://cdn.example/files/MARE_VestidoLinho_Terracota_01.jpg?width=1800');
    const addressed = page(gallery);
    expect(shownVariantImage(addressed, 'https://www.ateliemare.example.com.br/products/vestido?dwvar_MARE_color=Terracota', markup)).toBe('https://cdn.example/files/MARE_VestidoLinho_Terracota_01.jpg?width=1800');
  });

  it('takes nothing when no colour is chosen, or no photo is named as the markup\'s with it', () => {
    expect(shownVariantImage(page(gallery), 'https://www.ateliemare.example.com.br/products/vestido', markup)).toBeNull();
    const otherName = page(`<input type="radio" name="Cor" value="Terracota" checked><img src="https://cdn.example/files/OTHER_Terracota_01.jpg">`);
    expect(shownVariantImage(otherName, 'https://www.ateliemare.example.com.br/products/vestido', markup)).toBeNull();
  });
});
