/*
 * The kill test: a child process saves bundle after bundle over an existing one and is killed
 * with SIGKILL at a random (seeded) moment, 50 times. After every kill the bundle folder must
 * hold either the last bundle whose save finished or the one being saved — whole, verifiable —
 * and recovery must leave exactly that bundle in place with no leftovers.
 *
 * The child runs the real writer (`atomic-bundle-folder.ts`), transpiled from this package's
 * source on the fly so the test never runs a stale build; it writes the files of a real tiny
 * tfjs-layers model saved by `saveBundle`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, initBackend } from '@metaseries/core';
import { loadBundle, saveBundle } from './bundle.js';
import { readVerifiedBundleFiles } from './bundle-manifest.js';
import { locateBundleFolder, recoverBundleFolder } from './atomic-bundle-folder.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const TRIALS = 50;

const CHILD = `
import { readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { writeBundleFolder } from './atomic-bundle-folder.js';
const [dir, fixture, start] = process.argv.slice(2);
const base = ['model.json', 'weights.bin', 'preprocessing.json'].map((n) => [n, readFileSync(path.join(fixture, n))]);
for (let g = Number(start); ; g++) {
  writeSync(1, 'start ' + g + '\\n');
  const files = new Map(base);
  files.set('metrics.json', Buffer.from(JSON.stringify({ generation: g })));
  await writeBundleFolder(dir, files, { writer: 'kill-test' });
  writeSync(1, 'done ' + g + '\\n');
}
`;

/** Transpiles the writer's source files next to the child script. */
function buildChild(out: string): string {
  mkdirSync(out, { recursive: true });
  const coreErrors = pathToFileURL(path.join(here, '../../../core/dist/errors.js')).href;
  for (const f of ['atomic-bundle-folder.ts', 'bundle-manifest.ts']) {
    const js = ts.transpileModule(readFileSync(path.join(here, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    // Import core's error module directly rather than its index, so the child starts without
    // loading tfjs (start-up time is most of this test's run time).
    writeFileSync(path.join(out, f.replace(/\.ts$/, '.js')), js.replace("from '@metaseries/core'", `from '${coreErrors}'`));
  }
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  const child = path.join(out, 'writer.js');
  writeFileSync(child, CHILD);
  return child;
}

interface Trial {
  started: number;
  done: number;
}

/** Runs the writer from generation `start` and kills it `delayMs` after its first save began. */
function runWriter(child: string, dir: string, fixture: string, start: number, delayMs: number): Promise<Trial> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir, fixture, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!timer && out.includes('start ')) timer = setTimeout(() => p.kill('SIGKILL'), delayMs);
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited with ${code}/${signal}: ${err}`));
      let started = start - 1;
      let done = start - 1;
      for (const line of out.split('\n')) {
        const [what, g] = line.split(' ');
        if (what === 'start') started = Number(g);
        if (what === 'done') done = Number(g);
      }
      resolve({ started, done });
    });
  });
}

async function generationAt(folder: string): Promise<number> {
  const { files } = await readVerifiedBundleFiles(folder);
  return JSON.parse(new TextDecoder().decode(files.get('metrics.json')!)).generation as number;
}

describe('bundle saves killed with SIGKILL', () => {
  let root: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    root = mkdtempSync(path.join(tmpdir(), 'ms-kill-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(`leave the old or the new bundle, whole and verifiable, in ${TRIALS} of ${TRIALS} kills`, async () => {
    const t0 = Date.now();
    // A real tiny model: LSTM(16) + dense, ~1.4k weights.
    const input = tfl.input({ shape: [20, 3] });
    const h = tfl.layers.lstm({ units: 16 }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 3, activation: 'softmax' }).apply(h) as tfl.SymbolicTensor });
    const fixture = path.join(root, 'fixture');
    await saveBundle({ model, preprocessing: { classes: ['a', 'b', 'c'], temperature: 1 }, metrics: { generation: 0 } }, fixture);
    const dir = path.join(root, 'bundle');
    await saveBundle({ model, preprocessing: { classes: ['a', 'b', 'c'], temperature: 1 }, metrics: { generation: 0 } }, dir);
    const child = buildChild(path.join(here, '../../out-tsc/kill-test'));

    // Calibrate: how long one save takes here, so kills land across every phase of a save.
    const calib = await runWriter(child, dir, fixture, 1, 300);
    const saveMs = 300 / Math.max(1, calib.done);
    let known = await generationAt((await locateBundleFolder(dir))!.folder);
    await recoverBundleFolder(dir);

    const rng = createRng(20260125);
    const outcome = { old: 0, new: 0, midSwap: 0, corrupted: 0 };
    let next = calib.started + 1;
    const failures: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const delay = rng.next() * 3 * saveMs;
      const start = next;
      const r = await runWriter(child, dir, fixture, start, delay);
      next = r.started + 1;
      const located = await locateBundleFolder(dir);
      let g: number | undefined;
      try {
        g = located ? await generationAt(located.folder) : undefined;
      } catch {
        g = undefined;
      }
      // The bundle is the last one whose save returned, or the one in progress.
      const lastDone = r.done >= start ? r.done : known;
      if (g === undefined || (g !== lastDone && g !== r.started)) {
        outcome.corrupted++;
        failures.push(`trial ${trial}: found ${g}, expected ${lastDone} or ${r.started} (${located?.source})`);
        continue;
      }
      if (located!.source !== 'dir') outcome.midSwap++;
      if (g === r.started && r.started !== r.done) outcome.new++;
      else outcome.old++;
      await recoverBundleFolder(dir);
      expect(readdirSync(root).sort()).toEqual(['bundle', 'fixture']);
      expect(await generationAt(dir)).toBe(g);
      known = g;
    }
    const loaded = await loadBundle(dir);
    const y = loaded.model.predict(tf.ones([1, 20, 3])) as tf.Tensor;
    expect(y.shape).toEqual([1, 3]);
    const seconds = (Date.now() - t0) / 1000;
    process.stderr.write(
      `kill test: ${TRIALS} trials, save ≈ ${saveMs.toFixed(1)} ms, old kept ${outcome.old}, new in place ${outcome.new}, ` +
        `killed between the renames ${outcome.midSwap}, corrupted ${outcome.corrupted}, ${seconds.toFixed(1)} s\n`,
    );
    expect(failures).toEqual([]);
    expect(outcome.corrupted).toBe(0);
    expect(outcome.old + outcome.new).toBe(TRIALS);
    expect(seconds).toBeLessThan(60);
  });
});
