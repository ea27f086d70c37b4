import { isMetaseriesError } from '@metaseries/core';
import { fitNumericScaler, applyNumericScaler, numericValue } from './numeric-scaler.js';

const apply = (values: unknown[], options: Parameters<typeof fitNumericScaler>[1], probe: unknown[]) => {
  const s = JSON.parse(JSON.stringify(fitNumericScaler(values, options)));
  return probe.map((p) => applyNumericScaler(s, p));
};

describe('numeric scaler', () => {
  it('z-scores with the training mean and standard deviation', () => {
    const [a, b, c] = apply([1, 2, 3, 4, 5], {}, [3, 5, 1]) as number[];
    expect(a).toBe(0);
    expect(b).toBeCloseTo(2 / Math.sqrt(2), 6);
    expect(c).toBeCloseTo(-2 / Math.sqrt(2), 6);
  });

  it('min-max scales training values to [0, 1]', () => {
    expect(apply([10, 20, 30], { scaling: 'minmax' }, [10, 20, 30, 40])).toEqual([0, 0.5, 1, 1.5]);
  });

  it('robust-scales with the median and interquartile range, so an outlier barely moves it', () => {
    const values = [1, 2, 3, 4, 5, 1e6];
    const s = fitNumericScaler(values, { scaling: 'robust' });
    expect(s.center).toBe(3.5);
    expect(s.scale).toBeCloseTo(4.75 - 2.25, 9);
  });

  it('applies a sign-preserving log1p before scaling', () => {
    const s = fitNumericScaler([0, 1e3], { scaling: 'none', log1p: true, clip: Infinity });
    expect(applyNumericScaler(s, 1e3)).toBeCloseTo(Math.log1p(1e3), 6);
    expect(applyNumericScaler(s, -1e3)).toBeCloseTo(-Math.log1p(1e3), 6);
  });

  it('clips extremes to ±clip after scaling, and not at all with clip Infinity (also after JSON)', () => {
    expect(apply([0, 1], { clip: 3 }, [1e9, -1e9])).toEqual([3, -3]);
    expect(apply([0, 1], { clip: Infinity }, [1e9])[0]).toBeGreaterThan(1e8);
  });

  it('fits on present values only, scales a constant field to 0, and reports the missing rate', () => {
    const s = fitNumericScaler([7, null, 'NA', 7, '']);
    expect(s.missingRate).toBeCloseTo(0.6, 9);
    expect(applyNumericScaler(s, 7)).toBe(0);
    expect(applyNumericScaler(s, 8)).toBe(1);
  });

  it('reads numbers written as text and treats missing tokens as missing', () => {
    expect(numericValue(' 2.5 ')).toBe(2.5);
    for (const m of ['', 'NA', 'n/a', 'NaN', 'null', '?', null, undefined, NaN]) expect(numericValue(m)).toBeUndefined();
  });

  it('refuses text that is not a number with ENCODER_BAD_VALUE naming the field', () => {
    let err: unknown;
    try {
      fitNumericScaler([1, 'forty'], {}, 'age');
    } catch (e) {
      err = e;
    }
    expect(isMetaseriesError(err, 'ENCODER_BAD_VALUE')).toBe(true);
    expect((err as { details: { field: string; value: string } }).details).toMatchObject({ field: 'age', value: 'forty' });
  });

  it('refuses a clip that is not > 0 and an unknown scaling with ENCODER_BAD_OPTION', () => {
    expect(() => fitNumericScaler([1], { clip: 0 })).toThrow(expect.objectContaining({ code: 'ENCODER_BAD_OPTION' }));
    expect(() => fitNumericScaler([1], { scaling: 'log' as never })).toThrow(expect.objectContaining({ code: 'ENCODER_BAD_OPTION' }));
  });
});
