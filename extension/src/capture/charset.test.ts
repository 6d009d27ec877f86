import { describe, expect, it } from 'vitest';
import { decideCharset, declaredCharset, htmlContentType } from './charset.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('decideCharset', () => {
  it('believes a byte order mark first', () => {
    expect(decideCharset(Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes('<meta charset="iso-8859-1">')]))).toBe('utf-8');
    expect(decideCharset(Uint8Array.from([0xff, 0xfe, 0x3c, 0]))).toBe('utf-16le');
    expect(decideCharset(Uint8Array.from([0xfe, 0xff, 0, 0x3c]))).toBe('utf-16be');
  });

  it('reads <meta charset> and http-equiv anywhere in the head, past the first 1024 bytes', () => {
    const padding = `<script>${'x'.repeat(4000)}</script>`;
    expect(decideCharset(latin1(`<html><head>${padding}<meta charset="windows-1251"><title>Ч</title></head>`))).toBe('windows-1251');
    expect(decideCharset(latin1(`<head>${padding}<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-2"></head>`))).toBe('iso-8859-2');
    expect(declaredCharset(latin1('<head><meta charset=Shift_JIS></head>'))).toBe('shift_jis');
  });

  it('maps Latin-1 and ASCII labels to windows-1252 and ignores unknown labels and commented-out tags', () => {
    expect(declaredCharset(bytes('<meta charset="ISO-8859-1">'))).toBe('windows-1252');
    expect(declaredCharset(bytes('<meta charset="us-ascii">'))).toBe('windows-1252');
    expect(declaredCharset(bytes('<meta charset="no-such-thing">'))).toBeNull();
    expect(declaredCharset(bytes('<!-- <meta charset="koi8-r"> --><title>x</title>'))).toBeNull();
  });

  it('ignores a charset named only in the body', () => {
    expect(declaredCharset(bytes('<head><title>x</title></head><body><meta charset="koi8-r"></body>'))).toBeNull();
  });

  it('takes undeclared valid UTF-8 as UTF-8, and leaves any other undeclared page to the browser\'s own detection', () => {
    expect(decideCharset(bytes('<html><body><h1>Käse – 4,99 €</h1></body></html>'))).toBe('utf-8');
    expect(decideCharset(latin1('<html><body><h1>K\u00e4se 4,99 \u0080</h1></body></html>'))).toBeNull();
    expect(decideCharset(bytes('<p>plain ascii</p>'))).toBe('utf-8');
    expect(htmlContentType(latin1('<h1>K\u00e4se</h1>'))).toBe('text/html');
    expect(htmlContentType(bytes('<h1>Käse</h1>'))).toBe('text/html; charset=utf-8');
  });
});
