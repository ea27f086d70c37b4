import type { Command } from 'commander';
import type { DatasetSchema } from '@metaseries/core';
import { withCommonOptions, type CommonOptions, type RunAction } from '../program.js';
import { printJson } from '../output/cli-io.js';
import { METRIC_ORDER, renderMetricsTable, renderTable } from '../output/table.js';
import { startBackend } from './start-backend.js';

/** `metaseries inspect DIR`: what a bundle holds. */
export function registerInspect(program: Command, run: RunAction): void {
  withCommonOptions(program.command('inspect').argument('<dir>', 'bundle folder written by `metaseries train`'))
    .description('show what a model bundle holds: schema, classes, model, metrics, versions')
    .addHelpText('after', '\nExample:\n  $ metaseries inspect model\n  $ metaseries inspect model --json | jq .classes')
    .action((dir: string, opts: CommonOptions) =>
      run(opts, async (io) => {
        await startBackend();
        const { loadBundle, preprocessingOf } = await import('@metaseries/pipeline');
        const bundle = await loadBundle(dir);
        const prep = preprocessingOf(bundle);
        const state = prep.state;
        const schema: DatasetSchema = state.schema;
        const summary = {
          bundle: dir,
          formatVersion: bundle.manifest?.formatVersion ?? null,
          createdAt: bundle.manifest?.createdAt ?? null,
          packages: bundle.manifest?.packages ?? {},
          task: state.encoded.task,
          classes: prep.label.classes,
          model: state.model,
          timeSteps: state.timeSteps,
          parameters: bundle.model.countParams(),
          schema,
          metrics: bundle.metrics,
          files: bundle.manifest?.files ?? {},
        };
        if (io.json) return printJson(io, summary);
        io.out(`bundle        ${dir}`);
        io.out(`format        ${summary.formatVersion}  written ${summary.createdAt}`);
        io.out(`task          ${summary.task}${summary.classes.length ? `, classes: ${summary.classes.join(', ')}` : ''}`);
        io.out(`model         encoder ${String(state.model.encoder)}, fusion ${String(state.model.fusion)}, ${summary.parameters} parameters, ${summary.timeSteps} time steps`);
        io.out(`channels      ${schema.channels.join(', ')}`);
        io.out('');
        const fields = [
          ...Object.entries(schema.metadata).map(([name, f]) => ['metadata', name, f.kind]),
          ...Object.entries(schema.context ?? {}).map(([name, f]) => ['context', name, `${f.kind}, ${f.align ?? 'asof'}`]),
          ['label', schema.label.name, schema.label.task],
        ];
        io.out(renderTable([{ header: 'section' }, { header: 'field' }, { header: 'kind' }], fields));
        for (const split of ['valid', 'test'] as const) {
          const m = bundle.metrics[split] as Record<string, number> | null | undefined;
          if (m) {
            io.out(`\n${split} metrics`);
            io.out(renderMetricsTable(Object.fromEntries(Object.entries(m).filter(([k]) => METRIC_ORDER.includes(k)))));
          }
        }
        io.out('');
        io.out(renderTable([{ header: 'package' }, { header: 'version' }], Object.entries(summary.packages)));
      }),
    );
}
