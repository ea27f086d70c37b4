import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Runs the BUILT command (`npx tsc -b apps/cli/tsconfig.lib.json` first; nx's test target
// depends on build) as a user would: a child process in a temp folder.
const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;

function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, METASERIES_BACKEND: 'wasm' }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(r: Run): any {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return JSON.parse(r.stdout);
}

/** A bad-input run: exit 2, one `error CODE: message (where)` line, no stack trace. */
function expectBadInput(r: Run, code: string, where: RegExp): void {
  expect(r.status).toBe(2);
  const line = r.stderr.split('\n').find((l) => l.startsWith('error '));
  expect(line).toMatch(new RegExp(`^error ${code}: .+\\(.*\\)$`));
  expect(line).toMatch(where);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

const config = `
data:
  scenario: { name: machine-type, n: 120, seed: 3, length: 20 }
model: { encoder: lstm, fusion: attention, units: 8, headUnits: 8, heads: 1, dropout: 0 }
split: { valid: 0.2, test: 0.25, seed: 1 }
train: { epochs: 2, batchSize: 16, learningRate: 0.01, earlyStopping: false }
`;

const record = (id: string, machine: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, values: { vibration: Array.from({ length: 20 }, (_, t) => Math.sin(t)) }, metadata: { machine, site: 's1' }, ...extra });

beforeAll(() => {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first with npx tsc -b apps/cli/tsconfig.lib.json`);
  dir = mkdtempSync(path.join(tmpdir(), 'metaseries-cli-'));
  writeFileSync(path.join(dir, 'config.yaml'), config);
  writeFileSync(path.join(dir, 'new.jsonl'), `${record('a', 'A')}\n${record('b', 'B')}\n${record('c', 'Z')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('metaseries', () => {
  it('shows an example in the help of every command and exits 0', () => {
    const top = cli('--help');
    expect(top.status).toBe(0);
    for (const c of ['demo', 'train', 'evaluate', 'predict', 'compare', 'inspect', 'schema']) expect(top.stdout).toContain(c);
    for (const c of [['demo'], ['train'], ['evaluate'], ['predict'], ['compare'], ['inspect'], ['schema', 'infer']]) {
      const r = cli(...c, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Example:\n\s+\$ metaseries /);
    }
  });

  it('trains, inspects, evaluates and predicts from a config, with one JSON document per command', () => {
    const train = cli('train', '--config', 'config.yaml', '--out', 'model', '--json');
    expect(train.status).toBe(0);
    const t = json(train);
    expect(t.bundle).toBe(path.join(dir, 'model'));
    expect(t.metrics.test.accuracy).toBeGreaterThanOrEqual(0);
    expect(t.epochs).toBe(2);
    expect(train.stderr).toContain('epoch 2/2'); // plain progress lines: stderr is not a terminal

    const human = cli('inspect', 'model');
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/fusion attention/);
    expect(human.stdout).toMatch(/metadata\s+machine\s+categorical/);
    const info = json(cli('inspect', 'model', '--json'));
    expect(info.classes.sort()).toEqual(['fault', 'ok']);
    expect(info.formatVersion).toBe(1);

    const ev = cli('evaluate', '--model', 'model', '--config', 'config.yaml', '--report', 'eval.html', '--json');
    expect(ev.status).toBe(0);
    const e = json(ev);
    expect(e.n).toBe(info.metrics.records.test); // the very test split fit drew
    expect(e.metrics.accuracy).toBeCloseTo(t.metrics.test.accuracy, 6);
    expect(e.intervals.accuracy.low).toBeLessThanOrEqual(e.metrics.accuracy);
    expect(readFileSync(path.join(dir, 'eval.html'), 'utf8')).toMatch(/^<!doctype html>/);

    const csv = cli('predict', '--model', 'model', '--input', 'new.jsonl', '--output', 'p.csv');
    expect(csv.status).toBe(0);
    const lines = readFileSync(path.join(dir, 'p.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^id,label,p_(ok|fault),p_(ok|fault)$/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['a', 'b', 'c']);

    const p = json(cli('predict', '--model', 'model', '--input', 'new.jsonl', '--json'));
    expect(p.records).toBe(3);
    expect(p.predictions[2].id).toBe('c'); // an unseen machine type goes to the unknown bucket
    expect(p.predictions[0].attention[0]).toHaveLength(20); // attention weights over the 20 steps
    const sum = Object.values(p.predictions[0].probabilities as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 5);

    const plain = cli('predict', '--model', 'model', '--input', 'new.jsonl');
    expect(plain.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['a', 'b', 'c']);

    // onnxruntime-node (installed here) and tfjs give the same probabilities
    const viaOnnx = json(cli('predict', '--model', 'model', '--input', 'new.jsonl', '--json', '--predictor', 'onnx'));
    const viaTfjs = json(cli('predict', '--model', 'model', '--input', 'new.jsonl', '--json', '--predictor', 'tfjs'));
    viaOnnx.predictions.forEach((q: { probabilities: Record<string, number> }, i: number) => {
      for (const [k, v] of Object.entries(q.probabilities)) expect(Math.abs(v - viaTfjs.predictions[i].probabilities[k])).toBeLessThan(1e-5);
    });
    expect(cli('predict', '--model', 'model', '--input', 'new.jsonl', '--predictor', 'gpu').status).toBe(2);
  });

  it('compares strategies on one split with intervals of the chosen metric and writes the report', () => {
    const r = cli('compare', '--config', 'config.yaml', '--fusion', 'none,early', '--metric', 'balanced_accuracy', '--report', 'cmp.html', '--json');
    expect(r.status).toBe(0);
    const c = json(r);
    expect(c.rows.map((x: any) => x.model)).toEqual(['none', 'early']);
    expect(Object.keys(c.rows[0].intervals)).toEqual(['balanced_accuracy']);
    expect(c.rows[0].intervals.balanced_accuracy.high).toBeGreaterThanOrEqual(c.rows[0].intervals.balanced_accuracy.low);
    expect(readFileSync(path.join(dir, 'cmp.html'), 'utf8')).toContain('<svg');
  });

  it('infers a schema to edit from a data file', () => {
    writeFileSync(path.join(dir, 'train.jsonl'), `${record('a', 'A', { label: 'ok' })}\n${record('b', 'B', { label: 'fault' })}\n`);
    const r = cli('schema', 'infer', '--data', 'train.jsonl');
    expect(r.status).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.channels).toEqual(['vibration']);
    expect(schema.metadata.machine.kind).toBe('categorical');
    expect(schema.label.task).toBe('binary');
  });

  it('runs the demo: a table of every strategy and an HTML report', () => {
    const r = cli('demo', '--scenarios', 'machine-type', '--n', '60', '--epochs', '1', '--out', 'demo');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/dataset\s+bayes series-only\s+bayes with metadata\s+none\s+early\s+attention\s+late\s+film\s+gated\s+context/);
    expect(r.stdout).toMatch(/machine-type\s+0\.50\s+1\.00(\s+\d\.\d{3}){6}\s+n\/a/);
    expect(r.stdout).toMatch(/ItalyPowerDemand \(real, no metadata\)\s+-\s+-\s+\d\.\d{3}(\s+n\/a){6}/);
    expect(r.stdout).toContain(`report: ${path.join(dir, 'demo', 'report.html')}`);
    expect(readFileSync(path.join(dir, 'demo', 'report.html'), 'utf8')).toContain('ItalyPowerDemand');
  });

  it('ships example configs that parse (paths, keys, values)', async () => {
    const { loadRunConfig } = await import('@metaseries/pipeline');
    const examples = path.resolve(path.dirname(main), '../../../examples');
    // every config*.yaml of every example, so a new one cannot ship unparsed
    const files = readdirSync(examples, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(path.join(examples, d.name)).filter((f) => /^config.*\.ya?ml$/.test(f)).map((f) => path.join(examples, d.name, f)));
    expect(files.length).toBeGreaterThanOrEqual(13); // 12 examples, azure-pdm with two tasks
    for (const file of files) {
      const config = await loadRunConfig(file);
      expect(config.data.scenario ?? config.data.series).toBeDefined();
    }
  });

  describe('bad input: code, message and location, exit 2, no stack trace', () => {
    it('a missing config file', () => {
      expectBadInput(cli('train', '--config', 'missing.yaml', '--out', 'm'), 'CONFIG_NOT_FOUND', /missing\.yaml/);
    });

    it('a malformed config names the key path', () => {
      writeFileSync(path.join(dir, 'bad.yaml'), `${config}\n`.replace('epochs: 2', 'epochs: -1'));
      const r = cli('train', '--config', 'bad.yaml', '--out', 'm');
      expectBadInput(r, 'CONFIG_INVALID', /bad\.yaml, field train\.epochs/);
      writeFileSync(path.join(dir, 'broken.yaml'), 'data: { scenario: [\n');
      expectBadInput(cli('train', '--config', 'broken.yaml', '--out', 'm'), 'CONFIG_PARSE', /broken\.yaml/);
    });

    it('a setting that only training finds wrong names the config file and the key', () => {
      // the schema accepts each key alone; fit finds that val_loss has no validation split to watch
      writeFileSync(path.join(dir, 'novalid.yaml'), config.replace('valid: 0.2', 'valid: 0').replace('earlyStopping: false', 'earlyStopping: { monitor: val_loss }'));
      expectBadInput(cli('train', '--config', 'novalid.yaml', '--out', 'm'), 'CONFIG_INVALID', /novalid\.yaml, field train\.earlyStopping\.monitor: saw "val_loss"/);
    });

    it('a data file that does not match the bundle schema', () => {
      writeFileSync(path.join(dir, 'nochannel.jsonl'), `${record('a', 'A')}\n${JSON.stringify({ id: 'x', values: { temp: [1, 2] }, metadata: { machine: 'A', site: 's1' } })}\n`);
      expectBadInput(cli('predict', '--model', 'model', '--input', 'nochannel.jsonl', '--output', 'o.jsonl'), 'PREDICT_MISSING_FIELD', /nochannel\.jsonl:2, record x, field values\.vibration/);
    });

    it('a bundle of another format version', () => {
      cpSync(path.join(dir, 'model'), path.join(dir, 'future'), { recursive: true });
      const file = path.join(dir, 'future', 'manifest.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), formatVersion: 99 }));
      const r = cli('inspect', 'future', '--json');
      expectBadInput(r, 'BUNDLE_FORMAT_TOO_NEW', /manifest\.json, field formatVersion: saw 99, expected <= 1/);
      expect(JSON.parse(r.stdout).error.code).toBe('BUNDLE_FORMAT_TOO_NEW');
    });

    it('a folder that is not a bundle, and --verbose adds the stack', () => {
      expectBadInput(cli('evaluate', '--model', 'nowhere'), 'BUNDLE_NOT_FOUND', /nowhere/);
      const r = cli('evaluate', '--model', 'nowhere', '--verbose');
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^\s+at /m);
    });

    it('bad usage exits 2', () => {
      expect(cli('train', '--config').status).toBe(2);
      expect(cli('frobnicate').status).toBe(2);
      expectBadInput(cli('compare', '--config', 'config.yaml', '--fusion', 'early,magic'), 'CLI_USAGE', /field --fusion: saw "early,magic"/);
      expectBadInput(cli('compare', '--config', 'config.yaml', '--metric', 'pr_auc,accuracy'), 'CLI_USAGE', /field --metric/);
      expectBadInput(cli('compare', '--config', 'config.yaml', '--metric', 'prauc'), 'CLI_USAGE', /field --metric: saw "prauc"/);
    });
  });
});
