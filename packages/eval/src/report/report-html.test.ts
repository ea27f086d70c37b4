import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { computeMetrics } from '../metrics/compute-metrics.js';
import { ablationTable, ablationVariants } from '../ablation/ablation.js';
import { renderHtmlReport } from './render-html.js';
import { renderMarkdownReport, renderJsonReport, type EvaluationReport } from './report.js';
import { reportCharts } from './charts.js';

const CHROMIUM = '/usr/bin/chromium';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function sampleReport(): EvaluationReport {
  const y = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 'fault' : 'ok'));
  const p = y.map((l, i) => (l === 'fault' ? [0.3 - (i % 5) * 0.05, 0.7 + (i % 5) * 0.05] : [0.6 + (i % 4) * 0.1, 0.4 - (i % 4) * 0.1]));
  const metrics = computeMetrics('binary', y, p, { classes: ['ok', 'fault'] });
  const rows = ablationTable(y, ablationVariants(['machine', 'site']).map((v, i) => ({ variant: v, outputs: p.map((r) => [r[0]! * (1 - i * 0.1), 1 - r[0]! * (1 - i * 0.1)]) })), { task: 'binary', classes: ['ok', 'fault'], resamples: 100 });
  return {
    title: 'metaseries report',
    summary: { dataset: 'machine-type', backend: 'wasm' },
    metrics,
    comparison: ['none', 'early', 'attention'].map((m, i) => ({ dataset: 'machine-type', model: m, values: { ...metrics.values, accuracy: 0.5 + i * 0.2 } })),
    ablation: [{ dataset: 'machine-type', metric: 'accuracy', rows }],
    learningCurves: [1, 2, 3].flatMap((e) => [{ run: 'attention', epoch: e, name: 'loss', value: 1 / e }, { run: 'attention', epoch: e, name: 'val_accuracy', value: 0.5 + e / 10 }]),
    attention: [{ run: 'attention', record: 'm0001', label: 'fault', weights: [0.1, 0.2, 0.3, 0.4] }],
    importance: [{ dataset: 'machine-type', features: [{ feature: 'machine', importance: 0.4, sd: 0.02 }, { feature: 'site', importance: 0, sd: 0.01 }] }],
  };
}

describe('reports', () => {
  it('Markdown and JSON hold the same metric names', () => {
    const r = sampleReport();
    const md = renderMarkdownReport(r);
    expect(md).toContain('| accuracy |');
    expect(md).toContain('What the metadata is worth');
    const json = JSON.parse(renderJsonReport(r));
    expect(Object.keys(json.metrics.values)).toEqual(expect.arrayContaining(['accuracy', 'balanced_accuracy', 'f1_macro', 'auroc', 'pr_auc', 'log_loss', 'brier', 'ece']));
  });

  it('HTML renders every chart in headless Chromium and makes no network request', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: run tools/setup/install-chromium.sh (Debian chromium; never a downloaded browser)`);
    }
    const report = sampleReport();
    const html = await renderHtmlReport(report);
    expect(html).not.toMatch(/<script|<link|@import|url\(http|src="http/);
    const dir = path.join(tmpdir(), `report-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'report.html');
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
      const sizes = await page.$$eval('figure.chart', (figs) =>
        figs.map((f) => {
          const svg = f.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return { id: f.getAttribute('data-chart'), w: box?.width ?? 0, h: box?.height ?? 0, marks: svg?.querySelectorAll('path, rect, line, text').length ?? 0 };
        }),
      );
      expect(sizes.map((s) => s.id)).toEqual(reportCharts(report).map((c) => c.id));
      for (const s of sizes) {
        expect(s.w).toBeGreaterThan(50);
        expect(s.h).toBeGreaterThan(50);
        expect(s.marks).toBeGreaterThan(3);
      }
      expect(requests).toEqual([`file://${file}`]);
      const shot = path.join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot)).toBe(true);
      if (process.env.METASERIES_SAVE_SCREENSHOT) {
        mkdirSync(path.join(repoRoot, 'docs'), { recursive: true });
        await page.screenshot({ path: path.join(repoRoot, 'docs/report-screenshot.png'), fullPage: true });
      }
    } finally {
      await browser.close();
    }
  });
});
