import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { ImageRejectedError, prepareImage, sniffImageType, variantWidths, type PreparedImage } from '../../src/services/media.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nashra-media-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function filesIn(d: string): string[] {
  if (!existsSync(d)) return [];
  return readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

/** A photo-like picture (noise compresses like a photo, unlike a flat colour). */
function photo(width: number, height: number) {
  return sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 120, sigma: 35 } } });
}

const FORMATS = {
  jpeg: (s: Sharp) => s.jpeg(),
  png: (s: Sharp) => s.png(),
  webp: (s: Sharp) => s.webp(),
  avif: (s: Sharp) => s.avif({ effort: 0 }),
  gif: (s: Sharp) => s.gif(),
} as const;

async function rejection(data: Buffer, name: string): Promise<ImageRejectedError> {
  const err = await prepareImage(dir, data, name).catch((e: unknown) => e);
  expect(err, name).toBeInstanceOf(ImageRejectedError);
  expect(err, name).toBeInstanceOf(ValidationError);
  expect(filesIn(dir), `${name} wrote files`).toEqual([]);
  return err as ImageRejectedError;
}

describe('prepareImage: the type comes from the content', () => {
  it.each(Object.keys(FORMATS) as (keyof typeof FORMATS)[])('accepts %s whatever the file is called', async (format) => {
    const data = await FORMATS[format](photo(400, 300)).toBuffer();
    const img = await prepareImage(dir, data, 'upload.jpg');
    expect(img.mime).toBe(`image/${format}`);
    expect(img.storageKey).toMatch(new RegExp(`^[0-9a-f]{2}/[0-9a-f]{24}\\.${format === 'jpeg' ? 'jpg' : format}$`));
    expect([img.width, img.height]).toEqual([400, 300]);
    const master = await sharp(join(dir, img.storageKey)).metadata();
    expect(master.format).toBe(format === 'avif' ? 'heif' : format);
    expect(img.variants.map((v) => `${v.w}x${v.h}.${v.format}`)).toEqual(
      ['320x240', '400x300'].flatMap((s) => ['avif', 'webp', 'jpeg'].map((f) => `${s}.${f}`)),
    );
  });

  it('stores a PNG named photo.jpg as a PNG, under its hash, never its name', async () => {
    const png = await photo(300, 200).png().toBuffer();
    const img = await prepareImage(dir, png, 'photo.jpg');
    expect(img.mime).toBe('image/png');
    expect(img.storageKey).toMatch(/\.png$/);
    expect(filesIn(dir).some((f) => f.includes('photo'))).toBe(false);
    expect(img.originalName).toBe('photo.jpg');
  });

  it('tells AVIF from HEIC inside the HEIF container by its brands', () => {
    const ftyp = (...brands: string[]) => {
      const box = Buffer.alloc(16 + 4 * brands.length);
      box.writeUInt32BE(box.length, 0);
      box.write('ftyp', 4, 'latin1');
      box.write(brands[0]!, 8, 'latin1');
      brands.slice(1).forEach((b, i) => box.write(b, 16 + 4 * i, 'latin1'));
      return Buffer.concat([box, Buffer.alloc(16)]);
    };
    expect(sniffImageType(ftyp('avif', 'mif1', 'miaf'))).toBe('avif');
    expect(sniffImageType(ftyp('mif1', 'avif'))).toBe('avif');
    expect(sniffImageType(ftyp('heic', 'mif1'))).toBe('heif'); // refused later unless its codec is AV1
    expect(sniffImageType(ftyp('isom', 'mp41'))).toBeNull(); // an MP4 video
  });

  it('keeps only a safe label of the name given: no folders, no bidi overrides', async () => {
    const img = await prepareImage(dir, await photo(50, 50).jpeg().toBuffer(), '../../etc/\u202Egpj.exe');
    expect(img.originalName).toBe('gpj.exe');
  });
});

describe('prepareImage refuses bad files with a clear message and writes nothing', () => {
  let bomb: Buffer;
  beforeAll(async () => {
    // 64 megapixels of one colour: a 200 KB file that would decode to 192 MB.
    bomb = await sharp({ create: { width: 8000, height: 8000, channels: 3, background: '#fff' } }).png({ compressionLevel: 9 }).toBuffer();
  });

  it('an HTML file named .png', async () => {
    const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');
    const e = await rejection(html, 'photo.png');
    expect(e.reason).toBe('unsupported_type');
    expect(e.message).toBe(
      'photo.png: not a JPEG, PNG, WebP, AVIF or GIF image (the type is read from the content, not the file name)',
    );
    expect(e.issues).toEqual([{ path: 'file', message: expect.stringContaining('غير مدعوم') }]);
  });

  it('a text file, an SVG named .jpg, a TIFF, an empty file', async () => {
    expect((await rejection(Buffer.from('مرحبا بالعالم\n'.repeat(20)), 'notes.txt')).reason).toBe('unsupported_type');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    expect((await rejection(svg, 'logo.jpg')).reason).toBe('unsupported_type');
    expect((await rejection(await photo(20, 20).tiff().toBuffer(), 'scan.jpg')).reason).toBe('unsupported_type');
    expect((await rejection(Buffer.alloc(0), 'empty.jpg')).message).toBe('empty.jpg: the file is empty');
  });

  it('a truncated JPEG, cut in the middle or short of its last rows', async () => {
    // (One missing only its 2-byte end marker, with every pixel present, is shown whole by
    // browsers; libjpeg may accept it too, and that is fine.)
    const jpeg = await photo(800, 600).jpeg().toBuffer();
    for (const cut of [jpeg.subarray(0, jpeg.length >> 1), jpeg.subarray(0, jpeg.length - 100)]) {
      const e = await rejection(cut, 'cut.jpg');
      expect(e.reason).toBe('corrupt');
      expect(e.message).toMatch(/^cut\.jpg: the image is damaged or incomplete/);
    }
  });

  it('a decompression bomb, by its header, before decoding', async () => {
    // The message names the declared size: it comes from the header check, not a failed decode.
    const e = await rejection(bomb, 'bomb.png');
    expect(e.reason).toBe('too_many_pixels');
    expect(e.message).toBe('bomb.png: the image is 8000×8000 pixels (64.0 megapixels); the limit is 50.0 megapixels');
  });

  it('a file over 20 MB, before looking inside', async () => {
    const big = Buffer.concat([await photo(10, 10).jpeg().toBuffer(), Buffer.alloc(20 * 1024 * 1024)]);
    const e = await rejection(big, 'big.jpg');
    expect(e.reason).toBe('too_large');
    expect(e.message).toBe('big.jpg: the file is larger than 20 MB');
  });
});

describe('prepareImage output', () => {
  it('applies the EXIF orientation and strips metadata from master and variants', async () => {
    const shot = await photo(800, 400)
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExifMerge({ IFD0: { Artist: 'Secret Photographer', Copyright: 'Agency' } })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">Secret Location</rdf:RDF></x:xmpmeta>')
      .withIccProfile('p3')
      .toBuffer();
    const source = await sharp(shot).metadata();
    expect([source.orientation, !!source.exif, !!source.xmp, !!source.icc]).toEqual([6, true, true, true]);
    const img = await prepareImage(dir, shot, 'phone.jpg');
    expect([img.width, img.height]).toEqual([400, 800]);
    for (const key of [img.storageKey, ...img.variants.map((v) => v.key)]) {
      const bytes = readFileSync(join(dir, key));
      const m = await sharp(bytes).metadata();
      expect(m.height, key).toBeGreaterThan(m.width);
      expect([m.orientation, m.exif, m.xmp, m.iptc, m.icc], key).toEqual([undefined, undefined, undefined, undefined, undefined]);
      expect(bytes.includes('Secret'), key).toBe(false);
    }
  });

  it('makes every ladder width below the source, plus the source width up to 1920', async () => {
    expect(variantWidths(4000)).toEqual([320, 640, 960, 1280, 1920]);
    expect(variantWidths(1920)).toEqual([320, 640, 960, 1280, 1920]);
    expect(variantWidths(1200)).toEqual([320, 640, 960, 1200]);
    expect(variantWidths(1000)).toEqual([320, 640, 1000]); // 960 would nearly repeat 1000
    expect(variantWidths(200)).toEqual([200]);

    const img = await prepareImage(dir, await photo(2400, 1000).jpeg().toBuffer(), 'wide.jpg');
    expect(img.variants).toHaveLength(15);
    for (const v of img.variants) {
      const m = await sharp(join(dir, v.key)).metadata();
      expect([m.width, m.height], v.key).toEqual([v.w, v.h]);
      expect(m.format === 'heif' ? m.compression : m.format, v.key).toBe(v.format === 'avif' ? 'av1' : v.format);
      expect(v.key).toBe(`${img.storageKey.slice(0, -4)}-${v.w}.${v.format === 'jpeg' ? 'jpg' : v.format}`);
    }
    expect(img.variants.filter((v) => v.format === 'jpeg').map((v) => [v.w, v.h])).toEqual([
      [320, 133],
      [640, 267],
      [960, 400],
      [1280, 533],
      [1920, 800],
    ]);
  });

  it('keeps transparency in AVIF and WebP, and puts the JPEG fallback on white', async () => {
    const logo = await sharp({ create: { width: 100, height: 100, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const img = await prepareImage(dir, logo, 'logo.png');
    for (const v of img.variants) {
      const { data, info } = await sharp(join(dir, v.key)).raw().toBuffer({ resolveWithObject: true });
      if (v.format === 'jpeg') expect([...data.subarray(0, 3)], v.key).toEqual([255, 255, 255]);
      else expect([info.channels, data[3]], v.key).toEqual([4, 0]);
    }
  });

  it('keeps an animated GIF animated in the master; variants show the first frame', async () => {
    const frame = (c: string) => sharp({ create: { width: 400, height: 200, channels: 4, background: c } }).png().toBuffer();
    const gif = await sharp([await frame('#f00'), await frame('#00f')], { join: { animated: true } }).gif().toBuffer();
    const img = await prepareImage(dir, gif, 'anim.gif');
    expect([img.width, img.height]).toEqual([400, 200]);
    expect((await sharp(join(dir, img.storageKey)).metadata()).pages).toBe(2);
    const still = img.variants.find((v) => v.format === 'jpeg' && v.w === 400)!;
    const { data } = await sharp(join(dir, still.key)).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(200); // red, the first frame
    expect(data[2]).toBeLessThan(60);
  });

  it('stores the same bytes once; discarding a second copy keeps the first', async () => {
    const data = await photo(500, 300).jpeg().toBuffer();
    const first = await prepareImage(dir, data, 'a.jpg');
    const files = filesIn(dir).sort();
    const second: PreparedImage = await prepareImage(dir, data, 'b.jpg');
    expect(second.storageKey).toBe(first.storageKey);
    await second.discard();
    expect(filesIn(dir).sort()).toEqual(files);
    await first.discard();
    expect(filesIn(dir)).toEqual([]);
  });
});
