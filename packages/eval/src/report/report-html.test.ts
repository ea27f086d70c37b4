import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { computeMetrics } from '../metrics/compute-metrics.js';
import { ablationTable, ablationVariants, sliceMetrics } from '../ablation/ablation.js';
import { fitTemperature } from '../calibration/temperature-scaling.js';
import { createRng } from '@metaseries/core';
import { renderHtmlReport } from './render-html.js';
import { renderMarkdownReport, renderJsonReport, type EvaluationReport } from './report.js';
import { reportCharts } from './charts.js';

const CHROMIUM = '/usr/bin/chromium';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function sampleReport(): EvaluationReport {
  const rng = createRng(17);
  const classes = ['ok', 'fault'];
  const y = Array.from({ length: 120 }, (_, i) => (i % 3 === 0 ? 'fault' : 'ok'));
  const score = (signal: number) => y.map((l) => {
    const p = 1 / (1 + Math.exp(-(signal * (l === 'fault' ? 1 : -1) + 1.2 * rng.normal() - 0.3)));
    return [1 - p, p];
  });
  const p = score(1.6);
  const metrics = computeMetrics('binary', y, p, { classes });
  const rows = ablationTable(y, ablationVariants(['machine', 'site']).map((v, i) => ({ variant: v, outputs: score(0.4 + ((i * 7) % 5) * 0.35) })), { task: 'binary', classes, resamples: 100 });
  const folds = [0, 1, 2, 3, 4];
  const cv = (mean: number) => ({ metric: 'accuracy', perFold: folds.map((f) => ({ fold: f, n: 24, values: { accuracy: mean + (f - 2) * 0.02 } })), mean, sd: 0.03, pooled: { value: mean, low: mean - 0.05, high: mean + 0.05, level: 0.95 } });
  const logits = p.map((r) => [Math.log(r[0]!) * 3, Math.log(r[1]!) * 3]);
  return {
    title: 'metaseries report',
    summary: { dataset: 'machine-type', backend: 'wasm', seed: 42 },
    metrics,
    comparison: ['none', 'early', 'attention'].map((m, i) => ({ dataset: 'machine-type', model: m, values: { ...metrics.values, accuracy: 0.6 + i * 0.12 }, intervals: { accuracy: { value: 0.6 + i * 0.12, low: 0.55 + i * 0.12, high: 0.66 + i * 0.12, level: 0.95 } }, seconds: 3 + i })),
    ablation: [{ dataset: 'machine-type', metric: 'accuracy', rows }],
    crossValidation: [{ dataset: 'machine-type', model: 'none', result: cv(0.62) }, { dataset: 'machine-type', model: 'attention', result: cv(0.85) }],
    slices: [sliceReport('site', sliceMetrics('binary', y, p, y.map((_, i) => ['north', 'south', 'east', 'west'][i % 4]!), { classes }))],
    calibration: fitTemperature(logits, y.map((l) => classes.indexOf(l))),
    learningCurves: [1, 2, 3, 4, 5, 6].flatMap((e) => [{ run: 'attention', epoch: e, name: 'loss', value: 0.7 / e + 0.2 }, { run: 'attention', epoch: e, name: 'val_accuracy', value: 0.55 + 0.3 * (1 - Math.exp(-e / 2)) }, { run: 'none', epoch: e, name: 'loss', value: 0.7 / Math.sqrt(e) + 0.3 }, { run: 'none', epoch: e, name: 'val_accuracy', value: 0.5 + 0.12 * (1 - Math.exp(-e / 2)) }]),
    attention: ['m0001', 'm0002', 'm0003'].map((record, r) => ({ run: 'attention', record, label: r === 1 ? 'fault' : 'ok', weights: Array.from({ length: 24 }, (_, t) => Math.exp(-((t - 6 - r * 6) ** 2) / 8)) })),
    importance: [{ dataset: 'machine-type', features: [{ feature: 'machine', importance: 0.24, sd: 0.02 }, { feature: 'channel:0', importance: 0.11, sd: 0.01 }, { feature: 'site', importance: 0.002, sd: 0.01 }] }],
    notes: ['Intervals are 95% percentile bootstrap intervals over test records.'],
  };
}

function sliceReport(field: string, rows: ReturnType<typeof sliceMetrics>) {
  return { field, rows };
}

/** A multilabel report holds no confusion matrix or ROC curve: those charts must not appear. */
function multilabelReport(): EvaluationReport {
  const rng = createRng(3);
  const y = Array.from({ length: 60 }, () => [rng.int(2), rng.int(2), rng.int(2)]);
  const p = y.map((r) => r.map((t) => 1 / (1 + Math.exp(-(2 * t - 1 + rng.normal())))));
  return { title: 'multilabel', metrics: computeMetrics('multilabel', y, p, { classes: ['fever', 'cough', 'rash'] }) };
}

async function openInChromium(html: string, name: string, screenshotTo?: string) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run tools/setup/install-chromium.sh (installs Debian's chromium; never a downloaded browser)`);
  }
  const dir = path.join(tmpdir(), `metaseries-report-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.html`);
  writeFileSync(file, html);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    const charts = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return { id: f.getAttribute('data-chart'), w: box?.width ?? 0, h: box?.height ?? 0, marks: svg?.querySelectorAll('path, rect, line, text').length ?? 0 };
      }),
    );
    const shot = path.join(dir, `${name}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    if (screenshotTo) {
      mkdirSync(path.dirname(screenshotTo), { recursive: true });
      await page.screenshot({ path: screenshotTo, fullPage: true });
    }
    return { charts, requests, file, shot };
  } finally {
    await browser.close();
  }
}

describe('reports', () => {
  it('Markdown and JSON hold the same metric names', () => {
    const r = sampleReport();
    const md = renderMarkdownReport(r);
    expect(md).toContain('| accuracy |');
    expect(md).toContain('What the metadata is worth');
    for (const section of ['## Cross-validation', '## By site', '## Calibration', 'vs all metadata [95% CI]']) expect(md).toContain(section);
    expect(md).toMatch(/\| machine-type \| attention \| accuracy \| 5 \| 0\.810 0\.830 0\.850 0\.870 0\.890 \| 0\.850 ± 0\.030 \| 0\.850 \[0\.800, 0\.900\] \|/);
    const json = JSON.parse(renderJsonReport(r));
    expect(Object.keys(json.metrics.values)).toEqual(expect.arrayContaining(['accuracy', 'balanced_accuracy', 'f1_macro', 'auroc', 'pr_auc', 'log_loss', 'brier', 'ece']));
  });

  it('HTML renders every chart in headless Chromium and makes no network request', async () => {
    const report = sampleReport();
    const html = await renderHtmlReport(report);
    expect(html).not.toMatch(/<script|<link|@import|url\(http|src="http/);
    expect(html).not.toMatch(/<tr>(<th><\/th>)+<\/tr>/); // key/value tables have no empty header row
    // METASERIES_SAVE_SCREENSHOT=1 also refreshes docs/report-screenshot.png (shown in the docs)
    const { charts, requests, file, shot } = await openInChromium(html, 'report', process.env.METASERIES_SAVE_SCREENSHOT ? path.join(repoRoot, 'docs/report-screenshot.png') : undefined);
    expect(charts.map((s) => s.id)).toEqual(reportCharts(report).map((c) => c.id));
    expect(charts.map((s) => s.id)).toEqual(expect.arrayContaining(['comparison', 'ablation-machine-type', 'learning-curves', 'confusion-matrix', 'roc', 'pr', 'reliability', 'cross-validation', 'slices-site', 'attention', 'importance-machine-type']));
    for (const s of charts) {
      expect(s.w).toBeGreaterThan(50);
      expect(s.h).toBeGreaterThan(50);
      expect(s.marks).toBeGreaterThan(3);
    }
    expect(requests).toEqual([`file://${file}`]);
    expect(existsSync(shot)).toBe(true);
  });

  it('draws only the charts a report holds (multilabel: per-label, no confusion matrix)', async () => {
    const report = multilabelReport();
    expect(reportCharts(report).map((c) => c.id)).toEqual(['per-label']);
    expect(reportCharts({ title: 'empty' })).toEqual([]);
    const md = renderMarkdownReport(report);
    expect(md).toContain('## Per label');
    expect(md).toContain('| fever |');
    const { charts, requests, file } = await openInChromium(await renderHtmlReport(report), 'multilabel');
    expect(charts).toHaveLength(1);
    expect(charts[0]!.w).toBeGreaterThan(50);
    expect(requests).toEqual([`file://${file}`]);
  });
});
