import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { withCommonOptions, type CommonOptions, type RunAction } from '../program.js';
import { printJson } from '../output/cli-io.js';
import { usageError } from '../output/usage-error.js';
import { startBackend } from './start-backend.js';

interface PredictCliOptions extends CommonOptions {
  model: string;
  input: string;
  output?: string;
  predictor: 'auto' | 'onnx' | 'tfjs';
}

/** `metaseries predict --model DIR --input FILE [--output FILE]`: predictions as JSONL or CSV. */
export function registerPredict(program: Command, run: RunAction): void {
  withCommonOptions(program.command('predict'))
    .description('predict the records of a JSONL file; write JSONL (with attention weights for attention fusion) or CSV (by --output extension)')
    .requiredOption('-m, --model <dir>', 'bundle folder written by `metaseries train`')
    .requiredOption('-i, --input <file>', 'JSONL, one {"id", "values": {channel: [numbers]}, "metadata": {...}} per line')
    .option('-o, --output <file>', 'predictions file: .csv for CSV (id, label, p_<class>), else JSONL; default: JSONL on stdout')
    .option('--predictor <kind>', 'auto (onnxruntime-node when installed, else tfjs), onnx (fail without it) or tfjs', 'auto')
    .addHelpText('after', '\nExample:\n  $ metaseries predict --model model --input new-series.jsonl --output predictions.csv')
    .action((opts: PredictCliOptions) =>
      run(opts, async (io) => {
        if (/\.(csv|tsv)$/i.test(opts.input)) {
          throw usageError('predict reads JSONL input (one record per line); convert the CSV to JSONL first', { file: opts.input, field: '--input', expected: 'a .jsonl file' });
        }
        if (!['auto', 'onnx', 'tfjs'].includes(opts.predictor)) {
          throw usageError(`unknown predictor ${opts.predictor}`, { field: '--predictor', value: opts.predictor, expected: 'auto | onnx | tfjs' });
        }
        await startBackend();
        const { loadBundle, predictFile } = await import('@metaseries/pipeline');
        const bundle = await loadBundle(opts.model);
        if (opts.output) {
          const result = await predictFile(bundle, opts.input, { output: opts.output, predictor: opts.predictor });
          if (io.json) return printJson(io, { ...result, output: path.resolve(result.output) });
          io.log(`${result.records} predictions written to ${path.resolve(result.output)} (${result.format})`);
          return;
        }
        // without --output: predict into a temporary file, then stream it to stdout (stdout may
        // be a socket, which cannot be opened by path)
        const dir = await mkdtemp(path.join(tmpdir(), 'metaseries-predict-'));
        try {
          const file = path.join(dir, 'predictions.jsonl');
          const result = await predictFile(bundle, opts.input, { output: file, format: 'jsonl', predictor: opts.predictor });
          if (!io.json) {
            for await (const chunk of createReadStream(file)) {
              if (!io.outStream.write(chunk as Buffer)) await new Promise<void>((resolve) => io.outStream.once('drain', () => resolve()));
            }
            return;
          }
          // --json: one document holding every prediction
          const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
          printJson(io, { records: result.records, predictions: lines.map((l) => JSON.parse(l) as unknown) });
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
    );
}
