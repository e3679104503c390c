import { describe, expect, it } from 'vitest';
import { decode, FeedError } from '../../../src/ingest/feeds/fetchFeed.js';
import { parseFeedBody } from '../../../src/ingest/feeds/parseFeed.js';
import { atom, rss } from './feedServer.js';

describe('parseFeedBody', () => {
  it('reads JSON Feed text items, numeric ids, and skips items it cannot key', () => {
    const body = JSON.stringify({
      version: 'https://jsonfeed.org/version/1',
      items: [
        { id: 7, title: 'نص فقط', content_text: 'سطر أول\n\nسطر ثانٍ', date_published: '2026-11-29T10:00:00+03:00' },
        { title: 'بلا معرّف ولا رابط' },
        'not an object',
        { id: 'x', url: 'javascript:alert(1)', summary: 'ملخص' },
      ],
    });
    expect(parseFeedBody(body, 'application/feed+json')).toEqual([
      { key: '7', title: 'نص فقط', link: null, html: null, text: 'سطر أول\n\nسطر ثانٍ', publishedAt: '2026-11-29T07:00:00.000Z' },
      { key: 'x', title: null, link: null, html: null, text: 'ملخص', publishedAt: null },
    ]);
  });

  it('refuses JSON that is not a JSON Feed', () => {
    expect(() => parseFeedBody('{"items": []}', 'application/json')).toThrow(FeedError);
    expect(() => parseFeedBody('{"version": "https://jsonfeed.org/version/1.1", "items": []}', 'application/json')).not.toThrow();
  });

  it('keys RSS items by GUID else link, Atom entries by id', () => {
    expect(parseFeedBody(rss([{ title: 'أ', link: 'https://a.test/1' }, { id: 'g', title: 'ب', link: 'https://a.test/2' }]), '').map((e) => e.key)).toEqual(['https://a.test/1', 'g']);
    expect(parseFeedBody(atom([{ id: 'urn:x:1', title: 'ج', link: 'https://a.test/3', html: '<p>ن</p>' }]), '')).toEqual([
      { key: 'urn:x:1', title: 'ج', link: 'https://a.test/3', html: '<p>ن</p>', text: null, publishedAt: '2026-11-29T10:00:00.000Z' },
    ]);
  });

  it('decodes by the charset the server names, else the XML declaration', () => {
    // «خبر» in windows-1256.
    const bytes = Buffer.from([0xce, 0xc8, 0xd1]);
    expect(decode(bytes, 'text/xml; charset=windows-1256')).toBe('خبر');
    const declared = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="windows-1256"?>'), bytes]);
    expect(decode(declared, 'application/rss+xml')).toContain('خبر');
    expect(decode(Buffer.from('خبر'), 'text/xml; charset=no-such-charset')).toBe('خبر');
  });
});
