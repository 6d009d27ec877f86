import { describe, expect, it } from 'vitest';
import { originAllowed, upgradeOriginAllowed } from './origins.ts';

const allowed = ['chrome-extension://*', 'moz-extension://*', 'app://tote'];

describe('origins', () => {
  it('admits exact origins and every origin of a `<scheme>://*` rule, nothing else', () => {
    expect(originAllowed('chrome-extension://abcdefghijklmnop', allowed)).toBe(true);
    expect(originAllowed('app://tote', allowed)).toBe(true);
    expect(originAllowed('app://tote.evil', allowed)).toBe(false);
    expect(originAllowed('https://evil.example', allowed)).toBe(false);
    expect(originAllowed('null', allowed)).toBe(false);
    expect(originAllowed('https://anything.example', ['*'])).toBe(true);
  });

  it('admits a WebSocket upgrade without Origin (native and Node clients), and one with an admitted Origin', () => {
    expect(upgradeOriginAllowed(undefined, allowed)).toBe(true);
    expect(upgradeOriginAllowed('moz-extension://0f2c-uuid', allowed)).toBe(true);
    expect(upgradeOriginAllowed('https://evil.example', allowed)).toBe(false);
    expect(upgradeOriginAllowed('', allowed)).toBe(false);
  });
});
