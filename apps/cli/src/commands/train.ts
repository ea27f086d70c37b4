import path from 'node:path';
import type { Command } from 'commander';
import { withCommonOptions, type CommonOptions, type RunAction } from '../program.js';
import { printJson } from '../output/cli-io.js';
import { createProgressReporter } from '../output/progress-reporter.js';
import { formatMetric, METRIC_ORDER, renderTable } from '../output/table.js';
import { startBackend } from './start-backend.js';

interface TrainOptions extends CommonOptions {
  config: string;
  out: string;
}

/** `metaseries train --config C --out DIR`: fits a model and writes its bundle. */
export function registerTrain(program: Command, run: RunAction): void {
  withCommonOptions(program.command('train'))
    .description('fit a model from a run config (JSON or YAML) and write its bundle')
    .requiredOption('-c, --config <file>', 'run config, JSON or YAML (paths inside are relative to it)')
    .requiredOption('-o, --out <dir>', 'bundle folder to write (replaced atomically)')
    .addHelpText('after', '\nExample:\n  $ metaseries train --config examples/machine-type/config.yaml --out model')
    .action((opts: TrainOptions) =>
      run(opts, async (io) => {
        const { loadRunConfig, fit, saveBundle } = await import('@metaseries/pipeline');
        const config = await loadRunConfig(opts.config);
        const backend = await startBackend(config.train.backend);
        io.log(`backend ${backend}; encoder ${config.model.encoder}, fusion ${config.model.fusion}, up to ${config.train.epochs} epochs`);
        const progress = createProgressReporter({ stream: io.progressStream });
        let result;
        try {
          result = await fit(config, undefined, { onProgress: progress.onProgress });
        } finally {
          progress.stop();
        }
        const manifest = await saveBundle(result.bundle, opts.out);
        const bundlePath = path.resolve(opts.out);
        if (io.json) {
          return printJson(io, {
            bundle: bundlePath,
            metrics: result.metrics,
            epochs: result.history.epochs.length,
            bestEpoch: result.history.bestEpoch,
            stoppedEarly: result.history.stoppedEarly,
            formatVersion: manifest.formatVersion,
          });
        }
        io.out(renderSplitMetrics(result.metrics));
        io.out(`\nbundle written to ${bundlePath}`);
      }),
    );
}

/** `metric  valid  test` table of fit metrics. */
export function renderSplitMetrics(metrics: { valid: Record<string, number>; test: Record<string, number> | null }): string {
  // the metrics worth a line; every metric is in the --json output
  const all = [...new Set([...Object.keys(metrics.valid), ...Object.keys(metrics.test ?? {})])];
  const main = all.filter((n) => METRIC_ORDER.includes(n));
  const names = (main.length ? main : all).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const columns = [{ header: 'metric' }, { header: 'valid', align: 'right' as const }, ...(metrics.test ? [{ header: 'test', align: 'right' as const }] : [])];
  return renderTable(
    columns,
    names.map((n) => [n, formatMetric(metrics.valid[n]), ...(metrics.test ? [formatMetric(metrics.test[n])] : [])]),
  );
}

function rank(name: string): number {
  const i = METRIC_ORDER.indexOf(name);
  return i < 0 ? METRIC_ORDER.length : i;
}
