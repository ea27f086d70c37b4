import { MetaseriesError, isMetaseriesError } from './errors.js';

describe('MetaseriesError', () => {
  it('prints code, message and where, as the CLI shows it', () => {
    const e = new MetaseriesError('ALIGN_UNSORTED_TIMES', 'context times must increase within a record', {
      file: 'context.csv',
      line: 1842,
      recordId: 'u017',
      field: 'time',
      value: '2024-01-03',
      expected: '> 2024-01-04',
    });
    expect(e.format()).toBe(
      'error ALIGN_UNSORTED_TIMES: context times must increase within a record (context.csv:1842, record u017, field time: saw "2024-01-03", expected > 2024-01-04)',
    );
    expect(isMetaseriesError(e, 'ALIGN_UNSORTED_TIMES')).toBe(true);
    expect(isMetaseriesError(e, 'OTHER_CODE')).toBe(false);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'ALIGN_UNSORTED_TIMES', message: e.message, details: e.details });
  });

  it('refuses a code that is not SCREAMING_SNAKE_CASE with a prefix', () => {
    expect(() => new MetaseriesError('bad', 'x')).toThrow(/SCREAMING_SNAKE_CASE/);
    expect(() => new MetaseriesError('NOPREFIX', 'x')).toThrow(/SCREAMING_SNAKE_CASE/);
  });
});
