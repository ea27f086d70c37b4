import { checkSchema, validateSchema, type DatasetSchema } from './schema.js';
import { isMetaseriesError, type MetaseriesError } from './errors.js';

const valid: DatasetSchema = {
  version: 1,
  channels: ['hr', 'spo2'],
  metadata: {
    ward: { kind: 'categorical', embedding: 4 },
    age: { kind: 'numeric' },
    tags: { kind: 'multiCategorical', separator: ';' },
    note: { kind: 'text' },
    smoker: { kind: 'boolean' },
  },
  context: {
    dose: { kind: 'numeric', align: 'linear', tolerance: 3_600_000 },
    shift: { kind: 'categorical', align: 'asof' },
  },
  label: { name: 'outcome', task: 'binary', classes: ['no', 'yes'] },
  group: 'patient',
  timeUnit: 'ms',
};

/** A deep copy of the valid schema with `edit` applied. */
function withEdit(edit: (s: Record<string, any>) => void): Record<string, any> {
  const s = JSON.parse(JSON.stringify(valid)) as Record<string, any>;
  edit(s);
  return s;
}

function paths(value: unknown): string[] {
  return checkSchema(value).map((p) => p.path);
}

describe('checkSchema', () => {
  it('accepts a schema using every kind, alignment and option', () => {
    expect(checkSchema(valid)).toEqual([]);
    expect(validateSchema(valid)).toEqual(valid);
  });

  it('fills in empty metadata and context when they are left out', () => {
    const s = validateSchema({ version: 1, channels: ['v'], label: { name: 'y', task: 'regression' } });
    expect(s.metadata).toEqual({});
    expect(s.context).toEqual({});
  });

  it('names an unknown metadata kind at its path, with what was seen and expected', () => {
    const problems = checkSchema(withEdit((s) => (s.metadata.ward.kind = 'ordinal')));
    expect(problems).toEqual([
      {
        path: '$.metadata.ward.kind',
        message: 'unknown metadata kind',
        value: 'ordinal',
        expected: 'categorical | numeric | multiCategorical | text | boolean',
      },
    ]);
  });

  it('names an unknown context kind and alignment at their paths', () => {
    expect(paths(withEdit((s) => (s.context.shift.kind = 'text')))).toEqual(['$.context.shift.kind']);
    expect(paths(withEdit((s) => (s.context.shift.align = 'backfill')))).toEqual(['$.context.shift.align']);
  });

  it('refuses linear alignment of a non-numeric context field', () => {
    const problems = checkSchema(withEdit((s) => (s.context.shift.align = 'linear')));
    expect(problems.map((p) => [p.path, p.message])).toEqual([['$.context.shift.align', 'linear interpolation needs a numeric field']]);
  });

  it('reports a name used twice, pointing at both places', () => {
    const problems = checkSchema(withEdit((s) => (s.context.age = { kind: 'numeric', align: 'asof' })));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('$.context.age');
    expect(problems[0]!.message).toContain('$.metadata.age');
    expect(paths(withEdit((s) => (s.channels = ['hr', 'hr'])))).toEqual(['$.channels[1]']);
    expect(paths(withEdit((s) => (s.metadata.hr = { kind: 'numeric' })))).toEqual(['$.metadata.hr']);
  });

  it('refuses a binary label with three classes, duplicate classes and classes on a regression', () => {
    const three = checkSchema(withEdit((s) => (s.label.classes = ['a', 'b', 'c'])));
    expect(three).toEqual([
      { path: '$.label.classes', message: 'a binary label has exactly two classes', value: ['a', 'b', 'c'], expected: '2 classes' },
    ]);
    expect(checkSchema(withEdit((s) => (s.label = { name: 'y', task: 'multiclass', classes: ['a', 'a', 'b'] })))[0]!.message).toBe(
      'classes must be unique',
    );
    expect(checkSchema(withEdit((s) => (s.label = { name: 'y', task: 'regression', classes: ['a'] })))[0]!.message).toBe(
      'a regression label has no classes',
    );
    expect(paths(withEdit((s) => (s.label.classes = ['a', 2])))).toEqual(['$.label.classes']);
  });

  it('names unknown keys at every level, so typos do not pass silently', () => {
    expect(paths(withEdit((s) => (s.chanels = ['x'])))).toEqual(['$.chanels']);
    expect(paths(withEdit((s) => (s.metadata.age.embeding = 3)))).toEqual(['$.metadata.age.embeding']);
    expect(paths(withEdit((s) => (s.context.dose.tolerence = 1)))).toEqual(['$.context.dose.tolerence']);
    expect(paths(withEdit((s) => (s.label.class = 'x')))).toEqual(['$.label.class']);
  });

  it('checks option values: embedding, separator, tolerance, group, timeUnit, version', () => {
    expect(paths(withEdit((s) => (s.metadata.ward.embedding = 0)))).toEqual(['$.metadata.ward.embedding']);
    expect(paths(withEdit((s) => (s.metadata.ward.embedding = 2.5)))).toEqual(['$.metadata.ward.embedding']);
    expect(paths(withEdit((s) => (s.metadata.tags.separator = '')))).toEqual(['$.metadata.tags.separator']);
    expect(paths(withEdit((s) => (s.metadata.ward.separator = '|')))).toEqual(['$.metadata.ward.separator']);
    expect(paths(withEdit((s) => (s.context.dose.tolerance = -1)))).toEqual(['$.context.dose.tolerance']);
    expect(paths(withEdit((s) => (s.group = ' ')))).toEqual(['$.group']);
    expect(paths(withEdit((s) => (s.timeUnit = 'seconds')))).toEqual(['$.timeUnit']);
    expect(paths(withEdit((s) => (s.version = 2)))).toEqual(['$.version']);
  });

  it('reports a missing or malformed top level, channel list and label', () => {
    expect(paths(null)).toEqual(['$']);
    expect(paths([])).toEqual(['$']);
    expect(paths(withEdit((s) => (s.channels = [])))).toEqual(['$.channels']);
    expect(paths(withEdit((s) => (s.channels = ['hr', 3])))).toEqual(['$.channels[1]']);
    expect(paths(withEdit((s) => delete s.label))).toEqual(['$.label']);
    expect(paths(withEdit((s) => (s.label = { name: '', task: 'ranking' })))).toEqual(['$.label.name', '$.label.task']);
    expect(paths(withEdit((s) => (s.metadata = [])))).toEqual(['$.metadata']);
    expect(paths(withEdit((s) => (s.metadata.ward = 'categorical')))).toEqual(['$.metadata.ward']);
    expect(paths(withEdit((s) => (s.context.dose = null)))).toEqual(['$.context.dose']);
  });

  it('lists every problem at once, not just the first', () => {
    const bad = withEdit((s) => {
      s.metadata.ward.kind = 'ordinal';
      s.context.shift.align = 'backfill';
      s.label.classes = ['a', 'b', 'c'];
      s.timeUnit = 'h';
    });
    expect(paths(bad)).toEqual(['$.metadata.ward.kind', '$.context.shift.align', '$.label.classes', '$.timeUnit']);
  });
});

describe('validateSchema', () => {
  it('throws SCHEMA_INVALID naming the file, the first path and every problem', () => {
    const bad = withEdit((s) => {
      s.metadata.ward.kind = 'ordinal';
      s.label.classes = ['a', 'b', 'c'];
    });
    let err: unknown;
    try {
      validateSchema(bad, 'schema.json');
    } catch (e) {
      err = e;
    }
    expect(isMetaseriesError(err, 'SCHEMA_INVALID')).toBe(true);
    const e = err as MetaseriesError;
    expect(e.message).toBe('schema has 2 problems, first at $.metadata.ward.kind: unknown metadata kind');
    expect(e.details.file).toBe('schema.json');
    expect(e.details.field).toBe('$.metadata.ward.kind');
    expect(e.details.problems!.map((p) => p.path)).toEqual(['$.metadata.ward.kind', '$.label.classes']);
    expect(e.format().split('\n')).toEqual([
      'error SCHEMA_INVALID: schema has 2 problems, first at $.metadata.ward.kind: unknown metadata kind (schema.json, field $.metadata.ward.kind: saw "ordinal", expected categorical | numeric | multiCategorical | text | boolean)',
      '  - $.metadata.ward.kind: unknown metadata kind: saw "ordinal", expected categorical | numeric | multiCategorical | text | boolean',
      '  - $.label.classes: a binary label has exactly two classes: saw ["a","b","c"], expected 2 classes',
    ]);
  });

  it('uses the singular for one problem', () => {
    expect(() => validateSchema(withEdit((s) => (s.version = 3)))).toThrow('schema has 1 problem, first at $.version');
  });
});
