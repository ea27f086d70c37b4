import type { Command } from 'commander';
import { withCommonOptions, type CommonOptions, type RunAction } from '../program.js';
import { printJson } from '../output/cli-io.js';
import { formatMetric, renderTable } from '../output/table.js';
import { parseNameList } from '../output/usage-error.js';

const FORMATS = ['long', 'wide', 'jsonl', 'ts', 'parquet'] as const;

interface SchemaInferOptions extends CommonOptions {
  data: string;
  format?: string;
  id?: string;
  time?: string;
  label?: string;
}

/** `metaseries schema infer --data FILE`: a schema to edit, as JSON. */
export function registerSchema(program: Command, run: RunAction): void {
  const schema = program.command('schema').description('dataset schemas');
  withCommonOptions(schema.command('infer'))
    .description('infer a dataset schema (channels, metadata kinds, label and task) from a data file; prints it as JSON to edit')
    .requiredOption('-d, --data <file>', 'series file: .ts, .jsonl, .parquet or .csv (long layout unless --format wide)')
    .option('--format <format>', `one of ${FORMATS.join(', ')} (default: from the extension)`)
    .option('--id <column>', "id column (csv, parquet); default 'id'")
    .option('--time <column>', "time column (long csv, parquet); default 'time'")
    .option('--label <column>', 'label column inside the series file (csv, parquet)')
    .addHelpText('after', '\nExample:\n  $ metaseries schema infer --data series.csv --label outcome > schema.json\n  $ metaseries schema infer --data BasicMotions_TRAIN.ts --json')
    .action((opts: SchemaInferOptions) =>
      run(opts, async (io) => {
        const format = opts.format ? (parseNameList(opts.format, '--format', FORMATS)[0] as (typeof FORMATS)[number]) : formatOf(opts.data);
        const { loadDataset, inferSchema } = await import('@metaseries/data');
        const loaded = await loadDataset({
          series: { path: opts.data, format, ...(opts.id && { id: opts.id }), ...(opts.time && { time: opts.time }), ...(opts.label && { label: opts.label }) },
        });
        const { schema: inferred, report } = inferSchema(loaded.dataset);
        if (io.json) return printJson(io, { schema: inferred, report, warnings: loaded.warnings });
        io.out(JSON.stringify(inferred, null, 2));
        // a summary for the person, on stderr so stdout stays the schema alone
        io.log(`${report.records} records, length ${report.length.min}–${report.length.max}, label ${inferred.label.name} (${inferred.label.task})`);
        const rows = [
          ...Object.entries(report.channels).map(([name, c]) => ['channel', name, 'numeric', `${formatMetric(c.min, 2)} … ${formatMetric(c.max, 2)}`, formatMetric(c.missingRate, 2)]),
          ...Object.entries(report.metadata).map(([name, f]) => ['metadata', name, f.kind, `${f.cardinality} distinct`, formatMetric(f.missingRate, 2)]),
          ...Object.entries(report.context).map(([name, f]) => ['context', name, f.kind, `${f.cardinality} distinct`, formatMetric(f.missingRate, 2)]),
          ['label', inferred.label.name, report.label.task, `${report.label.cardinality} distinct`, formatMetric(report.label.missingRate, 2)],
        ];
        io.log(renderTable([{ header: 'section' }, { header: 'name' }, { header: 'kind' }, { header: 'values' }, { header: 'missing', align: 'right' }], rows));
        for (const w of loaded.warnings.slice(0, 5)) io.log(`warning ${w.code}: ${w.message}`);
      }),
    );
}

function formatOf(file: string): (typeof FORMATS)[number] {
  const f = file.toLowerCase();
  if (f.endsWith('.ts')) return 'ts';
  if (f.endsWith('.jsonl') || f.endsWith('.ndjson')) return 'jsonl';
  if (f.endsWith('.parquet')) return 'parquet';
  return 'long';
}
