/**
 * The theme's colour pairs meet WCAG 2.1 contrast in both themes (docs/design.md rule 2): text 4.5:1 on
 * every surface it is used on (1.4.3), control borders and the focus ring 3:1 against what they sit on
 * (1.4.11, which axe does not check). Read from ui/src/theme.css itself, so a changed token is checked.
 */
import { describe, expect, it } from 'vitest';
import theme from './theme.css?raw';

/** The custom properties of the first block that follows `marker` (`:root` alone, or the dark one). */
function tokens(marker: RegExp): Map<string, string> {
  const start = theme.search(marker);
  if (start < 0) throw new Error(`no ${marker} in theme.css (${theme.length} characters)`);
  const open = theme.indexOf('{', theme.indexOf(':root', start));
  const block = theme.slice(open + 1, theme.indexOf('}', open));
  return new Map([...block.matchAll(/(--tote-[a-z0-9-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((match) => [match[1]!, match[2]!.toLowerCase()]));
}

const light = tokens(/^:root \{/m);
const dark = new Map([...light, ...tokens(/@media \(prefers-color-scheme: dark\)/)]);

/** WCAG 2.1 relative luminance and contrast ratio (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const channel = parseInt(hex.slice(at, at + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high! + 0.05) / (low! + 0.05);
}

const TEXT = ['--tote-text', '--tote-muted', '--tote-accent', '--tote-danger'];
const SURFACES = ['--tote-bg', '--tote-surface', '--tote-surface-2', '--tote-hover', '--tote-selected', '--tote-field',
  '--tote-accent-soft', '--tote-danger-soft', '--tote-warn-soft'];

describe.each([['light', light], ['dark', dark]] as const)('the %s theme', (_name, colours) => {
  const ratio = (a: string, b: string) => {
    const [x, y] = [colours.get(a), colours.get(b)];
    if (!x || !y) throw new Error(`${a} or ${b} is not a hex colour in theme.css`);
    return contrast(x, y);
  };

  it('gives every text colour at least 4.5:1 on every surface', () => {
    const low = TEXT.flatMap((text) => SURFACES.map((surface) => [text, surface, ratio(text, surface)] as const)).filter(([, , r]) => r < 4.5);
    expect(low.map(([text, surface, r]) => `${text} on ${surface}: ${r.toFixed(2)}`)).toEqual([]);
  });

  it('gives the primary button\'s text at least 4.5:1 on the accent', () => {
    expect(ratio('--tote-on-accent', '--tote-accent')).toBeGreaterThanOrEqual(4.5);
    expect(ratio('--tote-on-accent', '--tote-accent-hover')).toBeGreaterThanOrEqual(4.5);
  });

  it('gives control borders and the focus ring at least 3:1 against what they sit on', () => {
    for (const surface of ['--tote-bg', '--tote-surface', '--tote-surface-2', '--tote-field']) {
      expect(ratio('--tote-control-border', surface), `control border on ${surface}`).toBeGreaterThanOrEqual(3);
      expect(ratio('--tote-focus', surface), `focus ring on ${surface}`).toBeGreaterThanOrEqual(3);
    }
  });
});

it('has a dark value for every colour of the light theme', () => {
  const darkOnly = tokens(/@media \(prefers-color-scheme: dark\)/);
  expect([...light.keys()].filter((name) => !darkOnly.has(name))).toEqual([]);
});
