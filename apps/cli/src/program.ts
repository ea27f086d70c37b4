import { Command, Option } from 'commander';
import { createCliIo, type CliIo, type CliIoOptions } from './output/cli-io.js';
import { isMetaseriesError } from '@metaseries/core';
import { EXIT_OK, reportError } from './output/report-error.js';
import { registerDemo } from './commands/demo.js';
import { registerTrain } from './commands/train.js';
import { registerInspect } from './commands/inspect.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerPredict } from './commands/predict.js';
import { registerCompare } from './commands/compare.js';
import { registerSchema } from './commands/schema.js';

/** Options every command accepts. */
export interface CommonOptions {
  /** Print one JSON document on stdout instead of tables. */
  json?: boolean;
  /** Print stack traces of errors. */
  verbose?: boolean;
}

/** Runs one command's action with the {@link CliIo} its options ask for. */
export type RunAction = <O extends CommonOptions>(opts: O, action: (io: CliIo) => Promise<void>) => Promise<void>;

/** Adds `--json` and `--verbose` to a command. */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--json', 'print one JSON document on stdout instead of tables (logs stay on stderr)'))
    .addOption(new Option('--verbose', 'print stack traces of errors'));
}

/** Options of {@link runCli}. */
export type RunCliOptions = Pick<CliIoOptions, 'stdout' | 'stderr'>;

/**
 * Parses `argv` (as `process.argv`: node, script, args…), runs the command and returns the exit
 * code: 0 ok, 1 failure, 2 bad usage or bad input. Never throws.
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  let io = createCliIo(options);
  const runAction: RunAction = async (opts, action) => {
    io = createCliIo({ ...options, json: opts.json === true, verbose: opts.verbose === true });
    try {
      await action(io);
    } catch (e) {
      // A setting found wrong only while training (e.g. a monitor with no validation split) is
      // raised by the pipeline, which has the parsed config but not its file: name the --config.
      const file = (opts as { config?: unknown }).config;
      if (isMetaseriesError(e, 'CONFIG_INVALID') && e.details.file === undefined && typeof file === 'string') e.details.file = file;
      throw e;
    }
  };
  const program = new Command('metaseries')
    .description('Time-series classification with metadata: train, evaluate, predict, compare fusion strategies.')
    .version(await cliVersion(), '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void (options.stdout ?? process.stdout).write(s),
      writeErr: (s) => void (options.stderr ?? process.stderr).write(s),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ metaseries demo --out ./metaseries-demo
  $ metaseries train --config examples/machine-type/config.yaml --out model
  $ metaseries evaluate --model model --report report.html
  $ metaseries predict --model model --input new-series.jsonl --output predictions.csv
  $ metaseries compare --config examples/machine-type/config.yaml --fusion none,early,attention --ablate
  $ metaseries inspect model
  $ metaseries schema infer --data series.csv

Exit codes: 0 ok, 1 failure, 2 bad usage or bad input. METASERIES_BACKEND=cpu|wasm|tensorflow picks the backend.`,
    );
  for (const register of [registerDemo, registerTrain, registerEvaluate, registerPredict, registerCompare, registerInspect, registerSchema]) {
    register(program, runAction);
  }
  // every subcommand inherits exitOverride and output settings
  program.commands.forEach(function inherit(c: Command): void {
    c.exitOverride().showHelpAfterError('(add --help for usage)').configureOutput(program.configureOutput());
    c.commands.forEach(inherit);
  });
  try {
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (e) {
    return reportError(io, e);
  }
}

async function cliVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
