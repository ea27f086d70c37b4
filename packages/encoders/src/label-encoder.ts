import { MetaseriesError, type LabelSchema, type LabelValue, type TensorData, type Task } from '@metaseries/core';

/** What {@link LabelEncoder.toJSON} returns. */
export interface LabelEncoderState {
  format: 'metaseries.label-encoder';
  version: 1;
  task: Task;
  /** Class names in output order (classification). */
  classes: string[];
  /** Regression: targets are `(y - center) / scale`. */
  center: number;
  scale: number;
}

/** Options of {@link LabelEncoder.fit}. */
export interface LabelEncoderOptions {
  /** Regression only: z-scale targets with the training mean and standard deviation (predictions are scaled back by `decode`). Default: `true`. */
  scaleRegression?: boolean;
}

/** Defaults of {@link LabelEncoderOptions}. */
export const defaultLabelEncoderOptions: Required<LabelEncoderOptions> = { scaleRegression: true };

function labelKey(v: unknown): string {
  return typeof v === 'number' ? String(v) : String(v).trim();
}

/**
 * Class names ↔ model targets. Binary: one sigmoid output, the positive class is `classes[1]`.
 * Multiclass: one-hot over `classes`. Multilabel: multi-hot over `classes` (a label is an array
 * of class names, or a text with `|` between names). Regression: the number, z-scaled with the
 * training mean and standard deviation (predictions are scaled back).
 */
export class LabelEncoder {
  private readonly index: Map<string, number>;

  private constructor(readonly state: LabelEncoderState) {
    this.index = new Map(state.classes.map((c, i) => [c, i]));
  }

  /**
   * Fits on the training labels; `schema.classes`, when given, fixes the class order (and a
   * training label outside it is left for `transform` to report). Missing labels (`null`) are
   * ignored here.
   */
  static fit(schema: LabelSchema, trainLabels: readonly LabelValue[], options: LabelEncoderOptions = {}): LabelEncoder {
    const o = { ...defaultLabelEncoderOptions, ...options };
    const { task } = schema;
    if (task === 'regression') {
      if (!o.scaleRegression) return new LabelEncoder({ format: 'metaseries.label-encoder', version: 1, task, classes: [], center: 0, scale: 1 });
      const ys = trainLabels.filter((v) => v !== null && v !== '').map((v) => Number(v)).filter((n) => Number.isFinite(n));
      const center = ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : 0;
      const sd = ys.length ? Math.sqrt(ys.reduce((a, b) => a + (b - center) ** 2, 0) / ys.length) : 1;
      return new LabelEncoder({ format: 'metaseries.label-encoder', version: 1, task, classes: [], center, scale: sd > 1e-12 ? sd : 1 });
    }
    let classes = schema.classes;
    if (!classes) {
      const seen = new Set<string>();
      for (const v of trainLabels) for (const c of splitLabel(v, task)) seen.add(c);
      classes = [...seen].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    }
    if (task === 'binary' && classes.length !== 2) {
      throw new MetaseriesError('ENCODER_BAD_LABELS', `a binary task needs exactly two classes in the training labels`, {
        field: schema.name,
        value: classes.join(', '),
        expected: '2 classes',
      });
    }
    if (classes.length < 2) {
      throw new MetaseriesError('ENCODER_BAD_LABELS', 'classification needs at least two classes in the training labels', {
        field: schema.name,
        value: classes.join(', '),
        expected: '>= 2 classes',
      });
    }
    return new LabelEncoder({ format: 'metaseries.label-encoder', version: 1, task, classes: [...classes], center: 0, scale: 1 });
  }

  /** Restores an encoder from {@link LabelEncoder.toJSON}; checks it against `schema` when given. */
  static fromJSON(state: LabelEncoderState, schema?: LabelSchema): LabelEncoder {
    if (!state || state.format !== 'metaseries.label-encoder' || !Array.isArray(state.classes)) {
      throw new MetaseriesError('ENCODER_STATE_INVALID', 'not a label encoder state', { value: (state as { format?: unknown })?.format, expected: 'metaseries.label-encoder' });
    }
    if (state.version !== 1) {
      throw new MetaseriesError('ENCODER_STATE_INVALID', 'unsupported label encoder state version', { field: 'version', value: state.version, expected: '1' });
    }
    if (schema) {
      const sameClasses = !schema.classes || (schema.classes.length === state.classes.length && schema.classes.every((c, i) => c === state.classes[i]));
      if (schema.task !== state.task || !sameClasses) {
        throw new MetaseriesError('ENCODER_STATE_MISMATCH', 'the label encoder state was fitted for another label', {
          field: schema.name,
          value: `${state.task} [${state.classes.join(', ')}]`,
          expected: `${schema.task}${schema.classes ? ` [${schema.classes.join(', ')}]` : ''}`,
        });
      }
    }
    return new LabelEncoder({ ...state, classes: [...state.classes] });
  }

  /** Plain JSON state, for a model bundle. */
  toJSON(): LabelEncoderState {
    return this.state;
  }

  get classes(): string[] {
    return this.state.classes;
  }

  /** Model output width: 1 for binary and regression, else the number of classes. */
  get outputs(): number {
    return this.state.task === 'binary' || this.state.task === 'regression' ? 1 : this.state.classes.length;
  }

  /** Index of a class name, or throws `ENCODER_UNKNOWN_LABEL` (`ENCODER_MISSING_LABEL` for `null`). */
  classIndex(label: LabelValue, recordId?: string): number {
    if (label === null || label === undefined || label === '') {
      throw new MetaseriesError('ENCODER_MISSING_LABEL', 'a record to train or score on has no label', { recordId, value: label, expected: this.state.classes.join(', ') });
    }
    const i = this.index.get(labelKey(label));
    if (i === undefined) {
      throw new MetaseriesError('ENCODER_UNKNOWN_LABEL', 'a label is not one of the classes the model was fitted with', {
        recordId,
        value: label,
        expected: this.state.classes.join(', '),
      });
    }
    return i;
  }

  /**
   * Targets `[B, outputs]` for training: binary 0/1 (1 = `classes[1]`), multiclass one-hot,
   * multilabel multi-hot (an empty set is all zeros), regression the (scaled) number. Throws
   * `ENCODER_UNKNOWN_LABEL` for a class outside `classes`, `ENCODER_MISSING_LABEL` for a missing
   * classification label and `ENCODER_BAD_LABEL` for a regression label that is not a finite number.
   */
  transform(labels: readonly LabelValue[], recordIds?: readonly string[]): TensorData {
    const B = labels.length;
    const K = this.outputs;
    const data = new Float32Array(B * K);
    labels.forEach((v, i) => {
      const id = recordIds?.[i];
      switch (this.state.task) {
        case 'regression': {
          const y = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
          if (!Number.isFinite(y)) {
            throw new MetaseriesError('ENCODER_BAD_LABEL', 'a regression label must be a finite number', { recordId: id, value: v, expected: 'a finite number' });
          }
          data[i] = (y - this.state.center) / this.state.scale;
          break;
        }
        case 'binary':
          data[i] = this.classIndex(v, id);
          break;
        case 'multiclass':
          data[i * K + this.classIndex(v, id)] = 1;
          break;
        case 'multilabel':
          for (const c of splitLabel(v, 'multilabel')) data[i * K + this.classIndex(c, id)] = 1;
          break;
      }
    });
    return { dtype: 'float32', shape: [B, K], data };
  }

  /** Per-class probabilities (binary: `[p(classes[0]), p(classes[1])]`) from one output row. */
  probabilities(row: ArrayLike<number>): number[] {
    if (this.state.task === 'binary') return [1 - row[0]!, row[0]!];
    return Array.from(row);
  }

  /** The predicted label of one output row (threshold 0.5 for binary and multilabel). */
  decode(row: ArrayLike<number>): LabelValue {
    switch (this.state.task) {
      case 'regression':
        return row[0]! * this.state.scale + this.state.center;
      case 'binary':
        return this.state.classes[row[0]! >= 0.5 ? 1 : 0]!;
      case 'multiclass': {
        let best = 0;
        for (let k = 1; k < row.length; k++) if (row[k]! > row[best]!) best = k;
        return this.state.classes[best]!;
      }
      case 'multilabel':
        return this.state.classes.filter((_, k) => row[k]! >= 0.5);
    }
  }
}

function splitLabel(v: LabelValue, task: Task): string[] {
  if (v === null || v === undefined) return [];
  if (task === 'multilabel') {
    if (Array.isArray(v)) return v.map(labelKey);
    return String(v)
      .split('|')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return [labelKey(v)];
}
