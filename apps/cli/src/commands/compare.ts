import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { withCommonOptions, type CommonOptions, type RunAction } from '../program.js';
import { printJson } from '../output/cli-io.js';
import { createProgressReporter } from '../output/progress-reporter.js';
import { formatMetric, renderTable } from '../output/table.js';
import { parseNameList, usageError } from '../output/usage-error.js';
import { startBackend } from './start-backend.js';

const FUSIONS = ['none', 'early', 'attention', 'late', 'film', 'gated'] as const;

interface CompareCliOptions extends CommonOptions {
  config: string;
  fusion?: string;
  ablate?: boolean;
  metric?: string;
  report: string;
}

/** `metaseries compare --config C [--fusion a,b,..] [--ablate] [--metric m]`: strategies on one split, with intervals and a report. */
export function registerCompare(program: Command, run: RunAction): void {
  withCommonOptions(program.command('compare'))
    .description('train several fusion strategies on the same split (and, with --ablate, remove each metadata field in turn); table with 95% intervals + HTML report')
    .requiredOption('-c, --config <file>', 'run config, JSON or YAML')
    .option('-f, --fusion <list>', `comma-separated strategies of ${FUSIONS.join(', ')} (default: the config's model.fusion)`)
    .option('--ablate', "also train without each metadata/context field in turn (with the config's fusion)")
    .option('-m, --metric <name>', 'metric of the intervals and the ablation, e.g. pr_auc with rare positives (default: accuracy, or rmse for regression)')
    .option('-r, --report <file>', 'HTML report to write', 'compare-report.html')
    .addHelpText('after', '\nExample:\n  $ metaseries compare --config examples/machine-type/config.yaml --fusion none,early,attention --ablate\n  $ metaseries compare --config examples/azure-pdm/config.yaml --fusion none,early,film --ablate --metric pr_auc')
    .action((opts: CompareCliOptions) =>
      run(opts, async (io) => {
        const { loadRunConfig, compare } = await import('@metaseries/pipeline');
        const { METRIC_NAMES } = await import('@metaseries/eval');
        const fusions = opts.fusion ? (parseNameList(opts.fusion, '--fusion', FUSIONS) as Array<(typeof FUSIONS)[number]>) : undefined;
        const metricChoice = opts.metric === undefined ? undefined : parseNameList(opts.metric, '--metric', METRIC_NAMES);
        if (metricChoice && metricChoice.length !== 1) throw usageError('--metric names one metric', { field: '--metric', value: opts.metric, expected: 'one of ' + METRIC_NAMES.join(', ') });
        const config = await loadRunConfig(opts.config);
        const backend = await startBackend(config.train.backend);
        io.log(`backend ${backend}; comparing ${(fusions ?? [config.model.fusion]).join(', ')}${opts.ablate ? ' and the metadata ablation' : ''}`);
        const progress = createProgressReporter({ stream: io.progressStream });
        let result;
        try {
          result = await compare(config, { ...(fusions && { fusions }), ...(metricChoice && { metric: metricChoice[0] }), ablate: opts.ablate === true, onProgress: progress.onProgress });
        } finally {
          progress.stop();
        }
        const { renderHtmlReport } = await import('@metaseries/eval');
        const reportPath = path.resolve(opts.report);
        await writeFile(reportPath, await renderHtmlReport(result.report));
        if (io.json) return printJson(io, { rows: result.rows, ablation: result.ablation ?? null, report: reportPath });
        const metric = result.report.primaryMetric ?? 'accuracy';
        const others = ['f1_macro', 'auroc', 'rmse', 'mae'].filter((m) => m !== metric && result.rows.some((r) => m in r.values));
        io.out(
          renderTable(
            [{ header: 'model' }, { header: metric, align: 'right' }, { header: '95% interval', align: 'right' }, ...others.map((m) => ({ header: m, align: 'right' as const })), { header: 'seconds', align: 'right' }],
            result.rows.map((r) => {
              const i = r.intervals?.[metric];
              return [r.model, formatMetric(r.values[metric]), i ? `[${formatMetric(i.low)}, ${formatMetric(i.high)}]` : '', ...others.map((m) => formatMetric(r.values[m])), r.seconds === undefined ? '' : r.seconds.toFixed(1)];
            }),
          ),
        );
        if (result.ablation) {
          io.out(`\nmetadata ablation (${metric}, difference against series only)`);
          io.out(
            renderTable(
              [{ header: 'variant' }, { header: metric, align: 'right' }, { header: 'vs series only', align: 'right' }, { header: '95% interval', align: 'right' }, { header: 'p', align: 'right' }],
              result.ablation.map((a) => {
                const d = a.versusSeriesOnly?.difference;
                return [a.variant, formatMetric(a.metric.value), d ? formatMetric(d.value) : '', d ? `[${formatMetric(d.low)}, ${formatMetric(d.high)}]` : '', formatMetric(a.versusSeriesOnly?.pValue)];
              }),
            ),
          );
        }
        io.out(`\nreport: ${reportPath}`);
      }),
    );
}
