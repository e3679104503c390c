import { describe, expect, it } from 'vitest';
import { embedProvider, type Span } from '../../src/domain/blocks.js';
import { newArticleFields } from '../../src/web/newsroom/articleFields.js';
import { fieldsToInput, fromLocalInput, readFields, splitNames } from '../../src/web/newsroom/articleForm.js';
import { markupToSpans, spansToMarkup } from '../../src/web/newsroom/inlineMarkup.js';
import { htmlToBlocks } from '../../src/ingest/html/htmlToBlocks.js';
import { countWords, readingTimeText } from '../../src/web/newsroom/views/stats.js';

const defaults = { city: 'دمشق', timeZone: 'Asia/Damascus', section: 'أخبار' };

describe('inline marks in a textarea', () => {
  it.each<[string, Span[]]>([
    ['plain', [{ text: 'نص عادي' }]],
    ['Arabic clitics', [{ text: 'و' }, { text: 'مائل', italic: true }, { text: ' ب' }, { text: 'عريض', bold: true }]],
    ['both marks, then a link', [{ text: 'x', bold: true, italic: true }, { text: 'ص', href: 'https://ar.wikipedia.org/wiki/Foo_(bar)' }]],
    ['literal mark characters', [{ text: 'a * b _ c [d] \\ e snake_case' }]],
    ['a mailto link', [{ text: 'راسلنا', href: 'mailto:news@nashra.example' }]],
  ])('round-trips %s', (_, spans) => {
    expect(markupToSpans(spansToMarkup(spans))).toEqual(spans);
  });

  it('leaves unmatched marks and unsafe links as typed', () => {
    expect(markupToSpans('**مفتوح و [x](javascript:alert(1))')).toEqual([{ text: '**مفتوح و [x](javascript:alert(1))' }]);
    expect(markupToSpans('file_name_here')).toEqual([{ text: 'file_name_here' }]);
  });
});

describe('embed URLs', () => {
  it.each([
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'youtube'],
    ['https://youtu.be/dQw4w9WgXcQ', 'youtube'],
    ['https://youtube.com/shorts/abcdefghijk', 'youtube'],
    ['https://x.com/AJArabic/status/1409561234567890', 'x'],
    ['https://twitter.com/AJArabic/status/1409561234567890', 'x'],
    ['https://cdn.example.org/live/stream.m3u8', 'hls'],
  ])('%s is %s', (url, provider) => expect(embedProvider(url)).toBe(provider));

  it.each([
    'http://www.youtube.com/watch?v=dQw4w9WgXcQ', // not https
    'https://www.youtube.com/channel/UC123',
    'https://x.com/AJArabic',
    'https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ',
    'https://user:pw@x.com/a/status/1',
    'javascript:alert(1)',
    'http://cdn.example.org/live.m3u8',
  ])('refuses %s', (url) => expect(embedProvider(url)).toBeNull());
});

describe('form fields to article input', () => {
  it('reads the time in the article zone, also across a DST change', () => {
    expect(fromLocalInput('2021-06-28T17:39', 'Asia/Damascus')).toBe('2021-06-28T14:39:00Z');
    expect(fromLocalInput('2021-01-28T17:39', 'Asia/Damascus')).toBe('2021-01-28T15:39:00Z');
    expect(fromLocalInput('28/06/2021 17:39', 'Asia/Damascus')).toBeNull();
  });

  it('splits names on Latin and Arabic commas', () => {
    expect(splitNames('سوريا، العراق ,إيران,, سوريا')).toEqual(['سوريا', 'العراق', 'إيران']);
  });

  it('takes the settings for an empty city, zone and section, and infers a blank slot’s type', () => {
    const f = readFields({ headline: 'عنوان', 'blocks[0][type]': '', 'blocks[0][url]': 'https://youtu.be/dQw4w9WgXcQ', 'blocks[3][text]': 'ثانية' });
    f.city = '';
    f.timeZone = '';
    const r = fieldsToInput(f, defaults);
    expect(r.ok && r.input).toMatchObject({
      city: 'دمشق',
      timeZone: 'Asia/Damascus',
      section: 'أخبار',
      body: [{ type: 'embed', provider: 'youtube' }, { type: 'paragraph', spans: [{ text: 'ثانية' }] }],
    });
  });

  it('names the failing block by its position in the form', () => {
    const f = newArticleFields(defaults, 3);
    f.headline = 'عنوان';
    f.blocks[2] = { ...f.blocks[2]!, type: 'image', caption: 'بلا صورة' };
    const r = fieldsToInput(f, defaults);
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.errors)).toEqual(['blocks[2][mediaId]']);
  });
});

describe('pasting', () => {
  it('keeps line breaks inside a paragraph and collapses the rest of the whitespace', () => {
    expect(htmlToBlocks('<p>  سطر\n  أول<br>سطر&nbsp;ثان </p>')).toEqual([{ type: 'paragraph', spans: [{ text: 'سطر أول\nسطر ثان' }] }]);
  });
  it('drops relative links (they point into the site the text came from)', () => {
    expect(htmlToBlocks('<p><a href="/local">نص</a></p>')).toEqual([{ type: 'paragraph', spans: [{ text: 'نص' }] }]);
  });
});

describe('word count and reading time', () => {
  it('counts Arabic words with ICU and reads at 180 words a minute', () => {
    expect(countWords('وجه وزير الخارجية الأميركي، أنتوني بلينكن، اليوم الإثنين')).toBe(8);
    expect(readingTimeText(0)).toBe('—');
    expect(readingTimeText(100)).toBe('دقيقة واحدة');
    expect(readingTimeText(360)).toBe('دقيقتان');
    expect(readingTimeText(900)).toBe('5 دقائق');
    expect(readingTimeText(2700)).toBe('15 دقيقة');
  });
});
