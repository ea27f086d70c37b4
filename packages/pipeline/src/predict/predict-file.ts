import { createWriteStream, type WriteStream } from 'node:fs';
import { MetaseriesError, type MetadataValue, type SeriesRecord } from '@metaseries/core';
import { readLines } from '@metaseries/data';
import type { ModelBundle } from '../bundle/bundle.js';
import { predict, preprocessingOf, type Prediction } from './predict.js';
import type { PredictorKind } from './onnx-predictor.js';

/** Options of {@link predictFile}. */
export interface PredictFileOptions {
  /** Where predictions go. Required. */
  output: string;
  /** Output format: `jsonl` (one prediction object per line, with attention) or `csv` (id, label, one probability column per class). Default: from `output`'s extension (`.csv` → csv, else jsonl). */
  format?: 'jsonl' | 'csv';
  /** Records read, predicted and written at a time. Default: `256`. */
  batchSize?: number;
  /** What runs the model, as in `predict`: `'auto'`, `'onnx'` or `'tfjs'`. Default: `'auto'`. */
  predictor?: PredictorKind;
}

/** What {@link predictFile} did. */
export interface PredictFileResult {
  records: number;
  output: string;
  format: 'jsonl' | 'csv';
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join('|') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

/**
 * Predicts every record of a JSONL file (one `{"id", "values": {channel: number[]}, "times"?,
 * "metadata"?}` per line, data's JSONL format) and writes the predictions as JSONL or CSV,
 * reading, predicting and writing one batch at a time so files larger than memory stream
 * through. A record lacking a channel or metadata field is refused with `PREDICT_MISSING_FIELD`
 * naming the line, the record and the field.
 */
export async function predictFile(bundle: ModelBundle<object>, path: string, options: PredictFileOptions): Promise<PredictFileResult> {
  const batchSize = options.batchSize ?? 256;
  const format = options.format ?? (options.output.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl');
  const prep = preprocessingOf(bundle);
  const { channels } = prep.state.schema;
  const classes = prep.label.classes;
  const regression = prep.state.encoded.task === 'regression';
  const out = createWriteStream(options.output);
  const closed = new Promise<void>((resolve, reject) => {
    out.on('finish', () => resolve());
    out.on('error', reject);
  });
  if (format === 'csv') await write(out, `${['id', 'label', ...(regression ? [] : classes.map((c) => `p_${c}`))].map(csvCell).join(',')}\n`);
  let batch: Array<{ record: SeriesRecord; line: number }> = [];
  let count = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    let preds: Prediction[];
    try {
      preds = await predict(bundle, batch.map((b) => b.record), { batchSize, predictor: options.predictor ?? 'auto' });
    } catch (e) {
      const err = e as MetaseriesError;
      const at = batch.find((b) => b.record.id === err.details?.recordId);
      if (at && err.code) throw new MetaseriesError(err.code, err.message, { ...err.details, file: path, line: at.line }, { cause: e });
      throw e;
    }
    let text = '';
    for (const p of preds) {
      text += format === 'jsonl' ? `${JSON.stringify(p)}\n` : `${[p.id, p.label, ...(regression ? [] : classes.map((c) => p.probabilities![c]))].map(csvCell).join(',')}\n`;
    }
    await write(out, text);
    count += preds.length;
    batch = [];
  };
  try {
    for await (const [text, line] of readLines(path)) {
      if (text.trim() === '') continue;
      let o: { id?: unknown; values?: Record<string, unknown>; times?: number[]; metadata?: Record<string, MetadataValue> };
      try {
        o = JSON.parse(text);
      } catch (e) {
        throw new MetaseriesError('PREDICT_BAD_RECORD', 'a line is not valid JSON', { file: path, line, value: text.slice(0, 60) }, { cause: e });
      }
      const id = o.id === undefined || o.id === null ? `line ${line}` : String(o.id);
      const values = channels.map((c) => {
        const arr = o.values?.[c];
        if (!Array.isArray(arr)) {
          throw new MetaseriesError('PREDICT_MISSING_FIELD', `record ${id} lacks series channel ${c}`, { file: path, line, recordId: id, field: `values.${c}`, expected: 'an array of numbers' });
        }
        return Float32Array.from(arr, (v) => (typeof v === 'number' ? v : NaN));
      });
      batch.push({ record: { id, values, metadata: o.metadata ?? {}, ...(Array.isArray(o.times) && { times: Float64Array.from(o.times) }) }, line });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    out.end();
  }
  await closed;
  return { records: count, output: options.output, format };
}
