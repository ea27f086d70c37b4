/*
 * Resume after a real kill: a child process trains with a checkpoint every epoch and is killed
 * with SIGKILL in the middle of epoch 3; `fit` in this process then resumes from the checkpoint
 * and must reach the metrics of an uninterrupted run (cpu, same seed).
 *
 * The child runs this package's sources transpiled on the fly (and the other packages' builds).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseRunConfig } from '../config/run-config.js';
import { fit } from './fit.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(here, '../../out-tsc/resume-child/index.js');

const CONFIG = {
  data: { scenario: { name: 'age-threshold', n: 120, length: 12, seed: 4 } },
  model: { encoder: 'gru', fusion: 'late', units: 8, headUnits: 8, dropout: 0 },
  split: { valid: 0.2, test: 0.2, seed: 2 },
  train: { epochs: 5, batchSize: 16, learningRate: 0.01, backend: 'cpu', earlyStopping: false, checkpointEvery: 1 },
};

/** Transpiles this package's sources (not tests) into `out`, so the child runs the current code. */
function buildChild(src: string, out: string, rel = ''): void {
  mkdirSync(path.join(out, rel), { recursive: true });
  for (const e of readdirSync(path.join(src, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) buildChild(src, out, r);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
      const js = ts.transpileModule(readFileSync(path.join(src, r), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      writeFileSync(path.join(out, r.replace(/\.ts$/, '.js')), js);
    }
  }
}

describe('fit killed with SIGKILL', () => {
  let root: string;
  beforeAll(() => {
    const out = path.join(here, '../../out-tsc/resume-child');
    buildChild(path.join(here, '..'), out);
    writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
    root = mkdtempSync(path.join(tmpdir(), 'ms-resume-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('resumes from its last checkpoint and reaches the metrics of an uninterrupted run', async () => {
    const ckpt = path.join(root, 'ckpt');
    const child = path.join(root, 'train.mjs');
    writeFileSync(
      child,
      `import { parseRunConfig, fit } from ${JSON.stringify(pathToFileURL(entry).href)};
await fit(parseRunConfig(${JSON.stringify(CONFIG)}), undefined, { checkpointDir: ${JSON.stringify(ckpt)},
  onProgress: (e) => e.type === 'batch' && process.stdout.write('epoch ' + e.epoch + ' batch ' + e.batch + '\\n') });
process.stdout.write('finished\\n');`,
    );
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, [child], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('epoch 3 batch 2')) p.kill('SIGKILL');
      });
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(text) : reject(new Error(`trainer was not killed: ${err}`))));
    });
    expect(out).not.toContain('finished');
    const config = parseRunConfig(CONFIG);
    const resumed = await fit(config, undefined, { checkpointDir: ckpt });
    expect(resumed.history.resumedFromEpoch).toBe(2);
    const full = await fit(config);
    expect(resumed.history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(resumed.metrics.test!.accuracy).toBe(full.metrics.test!.accuracy);
    expect(resumed.metrics.valid.loss).toBeCloseTo(full.metrics.valid.loss!, 4);
    expect(resumed.metrics.test!.loss).toBeCloseTo(full.metrics.test!.loss!, 4);
  });
});
