import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonTextTooDeep, jsonValueTooDeep, MAX_JSON_DEPTH } from './json-depth.ts';

const nested = (levels: number, open = '[', close = ']') => `${open.repeat(levels)}${close.repeat(levels)}`;

/** The same measure, written plainly (recursive: only for small values). */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('jsonTextTooDeep', () => {
  it('allows the limit and refuses one more level, for arrays, objects and both', () => {
    expect(jsonTextTooDeep(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonTextTooDeep(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    const objects = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
    expect(jsonTextTooDeep(objects(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonTextTooDeep(objects(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonTextTooDeep('{"docs":[{"_id":"a","tags":[["x"]]}]}', 5)).toBe(false);
    expect(jsonTextTooDeep('{"docs":[{"_id":"a","tags":[["x"]]}]}', 4)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(jsonTextTooDeep(JSON.stringify({ note: '['.repeat(1000) }))).toBe(false);
    expect(jsonTextTooDeep(JSON.stringify({ note: `say \\"${'{'.repeat(1000)}\\" and "${'['.repeat(1000)}` }))).toBe(false);
    expect(jsonTextTooDeep(`["\\\\", ${nested(MAX_JSON_DEPTH)}]`)).toBe(true);
  });

  it('counts depth after siblings close, and handles a million levels without a stack', () => {
    expect(jsonTextTooDeep(`[${'[],'.repeat(1000)}[]]`, 2)).toBe(false);
    expect(jsonTextTooDeep(nested(1_000_000))).toBe(true);
  });

  it('agrees with the depth of any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, limit) => {
      const text = JSON.stringify(value);
      expect(jsonTextTooDeep(text, limit)).toBe(depthOf(value) > limit);
      expect(jsonValueTooDeep(value, limit)).toBe(depthOf(value) > limit);
    }));
  });
});

describe('jsonValueTooDeep', () => {
  it('walks a value nested far beyond the call stack without overflowing', () => {
    const deep = JSON.parse(nested(200_000)) as unknown;
    expect(jsonValueTooDeep(deep)).toBe(true);
    expect(jsonValueTooDeep({ docs: [{ _id: 'a', items: [{ q: 1 }] }] })).toBe(false);
    expect(jsonValueTooDeep('text')).toBe(false);
  });
});
