import { describe, it, expect } from 'vitest';
import { toLatinDigits } from '../../src/text/digits.js';

describe('toLatinDigits', () => {
  it('converts Arabic-Indic digits', () => {
    expect(toLatinDigits('٠١٢٣٤٥٦٧٨٩')).toBe('0123456789');
    expect(toLatinDigits('٢٠٢١.٠٦.٢٨ | ١٧:٣٩ دمشق')).toBe('2021.06.28 | 17:39 دمشق');
  });

  it('converts Persian (extended Arabic-Indic) digits', () => {
    expect(toLatinDigits('۰۱۲۳۴۵۶۷۸۹')).toBe('0123456789');
    expect(toLatinDigits('۱۴۰۰/۰۴/۰۷')).toBe('1400/04/07');
  });

  it('leaves Western digits, letters and punctuation alone', () => {
    expect(toLatinDigits('سنقدم 436 مليون دولار، (رويترز)')).toBe('سنقدم 436 مليون دولار، (رويترز)');
    expect(toLatinDigits('')).toBe('');
  });

  it('handles mixed digit styles in one string', () => {
    expect(toLatinDigits('٢٠21/۰3/٠١')).toBe('2021/03/01');
  });
});
