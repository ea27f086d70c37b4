import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { withCommonOptions, type CommonOptions, type RunAction } from '../program.js';
import { printJson } from '../output/cli-io.js';
import { formatMetric, METRIC_ORDER, renderTable } from '../output/table.js';
import { startBackend } from './start-backend.js';

interface EvaluateCliOptions extends CommonOptions {
  model: string;
  config?: string;
  report?: string;
}

/** `metaseries evaluate --model DIR [--config C] [--report R.html]`: scores a bundle on the test set. */
export function registerEvaluate(program: Command, run: RunAction): void {
  withCommonOptions(program.command('evaluate'))
    .description("score a bundle on a config's test set (its data.test, else the test split the config draws), with 95% bootstrap intervals")
    .requiredOption('-m, --model <dir>', 'bundle folder written by `metaseries train`')
    .option('-c, --config <file>', 'run config naming the data; without it, the test metrics stored in the bundle at training are shown')
    .option('-r, --report <file>', 'also write an HTML report (confusion matrix, ROC, calibration) here')
    .addHelpText('after', '\nExample:\n  $ metaseries evaluate --model model --config examples/machine-type/config.yaml --report report.html')
    .action((opts: EvaluateCliOptions) =>
      run(opts, async (io) => {
        await startBackend();
        const pipeline = await import('@metaseries/pipeline');
        const bundle = await pipeline.loadBundle(opts.model);
        if (!opts.config) {
          const stored = (bundle.metrics.test ?? bundle.metrics.valid) as Record<string, number> | null | undefined;
          const split = bundle.metrics.test ? 'test' : 'valid';
          if (opts.report) {
            const { usageError } = await import('../output/usage-error.js');
            throw usageError('--report needs --config: the report is drawn from the records scored now', { field: '--report', expected: '--config <file>' });
          }
          if (io.json) return printJson(io, { model: opts.model, source: `stored ${split} metrics`, metrics: stored ?? {} });
          io.out(renderTable([{ header: 'metric' }, { header: split, align: 'right' }], orderedNames(stored ?? {}).map((n) => [n, formatMetric(stored?.[n])])));
          io.out(`\n(${split} metrics stored in the bundle at training; pass --config to score the data again)`);
          return;
        }
        const config = await pipeline.loadRunConfig(opts.config);
        const { splitDataset } = await import('@metaseries/data');
        const loaded = await pipeline.loadRunData(config);
        let records = loaded.test?.records;
        let source = 'data.test';
        if (!records) {
          // the same split `fit` drew from this config
          const labelled = loaded.dataset.records.filter((r) => r.label !== null && r.label !== undefined);
          const s = config.split;
          const split = splitDataset(labelled, { strategy: s.strategy, groupBy: s.groupBy, valid: s.valid, test: s.test, seed: s.seed });
          records = split.test.map((i) => labelled[i]!);
          source = `test split (${Math.round(s.test * 100)}%, seed ${s.seed})`;
        }
        const result = await pipeline.evaluate(bundle, records);
        let reportPath: string | undefined;
        if (opts.report) {
          const { renderHtmlReport } = await import('@metaseries/eval');
          reportPath = path.resolve(opts.report);
          await writeFile(
            reportPath,
            await renderHtmlReport({
              title: `metaseries evaluation of ${path.basename(path.resolve(opts.model))}`,
              summary: { model: path.resolve(opts.model), config: path.resolve(opts.config), records: `${result.n} (${source})` },
              metrics: result.report,
            }),
          );
        }
        if (io.json) return printJson(io, { model: opts.model, source, n: result.n, metrics: result.metrics, intervals: result.intervals, ...(reportPath && { report: reportPath }) });
        io.out(
          renderTable(
            [{ header: 'metric' }, { header: 'value', align: 'right' }, { header: '95% interval', align: 'right' }],
            orderedNames(result.metrics).map((n) => {
              const i = result.intervals[n];
              return [n, formatMetric(result.metrics[n]), i ? `[${formatMetric(i.low)}, ${formatMetric(i.high)}]` : ''];
            }),
          ),
        );
        io.out(`\n${result.n} records scored (${source})`);
        if (reportPath) io.out(`report: ${reportPath}`);
      }),
    );
}

/** The metrics worth a line, in reading order (every metric is in the `--json` output). */
function orderedNames(metrics: Record<string, number>): string[] {
  const main = METRIC_ORDER.filter((m) => m in metrics);
  return main.length ? main : Object.keys(metrics).sort();
}
