import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from './load-dataset.js';
import { readCsv } from './read-csv.js';

// The shared UEA/UCR and azure_pdm files live beside the checkout (../shared/data); users'
// machines do not have them, so these tests are skipped there with this message.
const shared = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/data');
const hasShared = existsSync(shared);
const suite = hasShared ? describe : describe.skip;
if (!hasShared) process.stderr.write(`shared-data.test: ${shared} is absent; skipping the tests on the shared UEA/UCR and azure_pdm files\n`);

// Counts, dimensions, lengths and class balance exactly as each folder's README states them.
const UEA: Array<[string, number, number, [number, number], Record<string, number>]> = [
  ['ArrowHead/ArrowHead_TRAIN.ts', 36, 1, [251, 251], { 0: 12, 1: 12, 2: 12 }],
  ['ArrowHead/ArrowHead_TEST.ts', 175, 1, [251, 251], { 0: 69, 1: 53, 2: 53 }],
  ['BasicMotions/BasicMotions_TRAIN.ts', 40, 6, [100, 100], { Badminton: 10, Running: 10, Standing: 10, Walking: 10 }],
  ['BasicMotions/BasicMotions_TEST.ts', 40, 6, [100, 100], { Badminton: 10, Running: 10, Standing: 10, Walking: 10 }],
  ['GunPoint/GunPoint_TRAIN.ts', 50, 1, [150, 150], { 1: 24, 2: 26 }],
  ['GunPoint/GunPoint_TEST.ts', 150, 1, [150, 150], { 1: 76, 2: 74 }],
  ['ItalyPowerDemand/ItalyPowerDemand_TRAIN.ts', 67, 1, [24, 24], { 1: 34, 2: 33 }],
  ['ItalyPowerDemand/ItalyPowerDemand_TEST.ts', 1029, 1, [24, 24], { 1: 513, 2: 516 }],
  ['JapaneseVowels/JapaneseVowels_TRAIN.ts', 270, 12, [7, 26], { 1: 30, 2: 30, 3: 30, 4: 30, 5: 30, 6: 30, 7: 30, 8: 30, 9: 30 }],
  ['JapaneseVowels/JapaneseVowels_TEST.ts', 370, 12, [7, 29], { 1: 31, 2: 35, 3: 88, 4: 44, 5: 29, 6: 24, 7: 40, 8: 50, 9: 29 }],
  ['NATOPS/NATOPS_TRAIN.ts', 180, 24, [51, 51], { '1.0': 30, '2.0': 30, '3.0': 30, '4.0': 30, '5.0': 30, '6.0': 30 }],
  ['NATOPS/NATOPS_TEST.ts', 180, 24, [51, 51], { '1.0': 30, '2.0': 30, '3.0': 30, '4.0': 30, '5.0': 30, '6.0': 30 }],
  ['PLAID/PLAID_TRAIN.ts', 537, 1, [100, 1344], { 0: 33, 1: 88, 10: 13, 2: 57, 3: 19, 4: 78, 5: 18, 6: 57, 7: 86, 8: 69, 9: 19 }],
  ['PLAID/PLAID_TEST.ts', 537, 1, [134, 1000], { 0: 33, 1: 87, 10: 13, 2: 58, 3: 19, 4: 78, 5: 17, 6: 57, 7: 86, 8: 70, 9: 19 }],
  ['RacketSports/RacketSports_TRAIN.ts', 151, 6, [30, 30], { Badminton_Clear: 43, Badminton_Smash: 39, Squash_BackhandBoast: 34, Squash_ForehandBoast: 35 }],
  ['RacketSports/RacketSports_TEST.ts', 152, 6, [30, 30], { Badminton_Clear: 43, Badminton_Smash: 40, Squash_BackhandBoast: 34, Squash_ForehandBoast: 35 }],
];

suite('the shared UEA/UCR .ts files load as their READMEs state', () => {
  it.each(UEA)('%s: %i cases, %i dims, lengths %j, class counts', async (rel, n, dims, [minLen, maxLen], classes) => {
    const t0 = performance.now();
    const { dataset, counts, warnings } = await loadDataset({ series: { path: rel, format: 'ts' } }, { baseDir: shared });
    const ms = performance.now() - t0;
    expect(counts).toMatchObject({ records: n, droppedNoLabel: 0, droppedNoSeries: 0 });
    expect(warnings).toEqual([]);
    expect(dataset.schema.channels).toHaveLength(dims);
    expect(dataset.records.every((r) => r.values.length === dims && r.values.every((v) => v.length === r.values[0]!.length))).toBe(true);
    const lens = dataset.records.map((r) => r.values[0]!.length);
    expect([Math.min(...lens), Math.max(...lens)]).toEqual([minLen, maxLen]);
    const seen: Record<string, number> = {};
    for (const r of dataset.records) seen[String(r.label)] = (seen[String(r.label)] ?? 0) + 1;
    expect(seen).toEqual(Object.fromEntries(Object.entries(classes).map(([k, v]) => [k, v])));
    expect(new Set(dataset.records.map((r) => r.id)).size).toBe(n);
    expect(ms).toBeLessThan(5000);
  });
});

suite('azure_pdm: telemetry, machines, errors and maintenance joined per machine', () => {
  it('loads 20 machines × 2,160 hourly steps with model/age metadata, event context tracks and failure labels', async () => {
    const dir = path.join(shared, 'azure_pdm');
    // labels: did the machine fail inside the telemetry window (README: 18 of the 20 machines did)
    const failed = new Set<string>();
    const rows = readCsv(path.join(dir, 'PdM_failures.csv'));
    await rows.next();
    for await (const { cells } of rows) if (Number(cells[1]) <= 20 && cells[0]! < '2015-04-01 06:00:00') failed.add(cells[1]!);
    const out = mkdtempSync(path.join(tmpdir(), 'pdm-'));
    writeFileSync(path.join(out, 'labels.csv'), `machineID,failed\n${Array.from({ length: 20 }, (_, i) => `${i + 1},${failed.has(String(i + 1)) ? 'yes' : 'no'}`).join('\n')}\n`);
    const t0 = performance.now();
    const { dataset, counts, warnings } = await loadDataset(
      {
        series: { path: path.join(dir, 'PdM_telemetry.csv'), format: 'long', id: 'machineID', time: 'datetime', channels: ['volt', 'rotate', 'pressure', 'vibration'] },
        metadata: { path: path.join(dir, 'PdM_machines.csv'), id: 'machineID', fields: { model: 'categorical', age: 'numeric' } },
        context: [
          { path: path.join(dir, 'PdM_errors.csv'), id: 'machineID', time: 'datetime', fields: { errorID: 'categorical' }, tolerance: '1d' },
          { path: path.join(dir, 'PdM_maint.csv'), id: 'machineID', time: 'datetime', fields: { comp: 'categorical' }, align: 'ffill' },
        ],
        labels: { path: path.join(out, 'labels.csv'), id: 'machineID', label: 'failed' },
      },
      { baseDir: dir },
    );
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(15000);
    expect(counts).toMatchObject({ records: 20, droppedNoLabel: 0, droppedNoSeries: 0, ignoredMetadataRows: 80 });
    expect(warnings.filter((w) => w.code !== 'LOAD_METADATA_WITHOUT_SERIES')).toEqual([]);
    expect(failed.size).toBe(18);
    expect(dataset.schema).toMatchObject({ channels: ['volt', 'rotate', 'pressure', 'vibration'], timeUnit: 'ms', label: { task: 'binary', classes: ['no', 'yes'] } });
    expect(dataset.schema.context).toEqual({ errorID: { kind: 'categorical', align: 'asof', tolerance: 86400000 }, comp: { kind: 'categorical', align: 'ffill' } });
    const models: Record<string, number> = {};
    for (const r of dataset.records) {
      expect(r.values.map((v) => v.length)).toEqual([2160, 2160, 2160, 2160]);
      expect(r.times![1]! - r.times![0]!).toBe(3600000);
      expect(r.times![0]).toBe(Date.UTC(2015, 0, 1, 6));
      models[r.metadata.model as string] = (models[r.metadata.model as string] ?? 0) + 1;
      const tr = r.context!;
      for (let i = 1; i < tr.times.length; i++) expect(tr.times[i]).toBeGreaterThanOrEqual(tr.times[i - 1]!);
    }
    expect(models).toEqual({ model3: 13, model1: 3, model2: 2, model4: 2 });
    const m1 = dataset.records.find((r) => r.id === '1')!;
    expect(m1.metadata).toEqual({ model: 'model3', age: 18 });
    // machine 1's first error (2015-01-03 07:00, error1) and first maintenance (2014-06-01, comp2) are on its track
    const iErr = m1.context!.values.errorID!.indexOf('error1');
    expect(m1.context!.times[iErr]).toBe(Date.UTC(2015, 0, 3, 7));
    expect(m1.context!.times[0]).toBe(Date.UTC(2014, 5, 1, 6));
    expect(m1.context!.values.comp![0]).toBe('comp2');
    expect(counts.ignoredContextRows).toBeGreaterThan(0);
  });
});
