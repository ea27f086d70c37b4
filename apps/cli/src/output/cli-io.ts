/** Where a command writes, and how: the one place that knows about stdout, stderr and `--json`. */
export interface CliIo {
  /** Writes a line (or lines) of the command's result to stdout. */
  out(text: string): void;
  /** Writes a log line to stderr. Suppressed by nothing: progress and logs always go here. */
  log(text: string): void;
  /** The result stream itself, for output streamed in chunks (predictions). */
  outStream: NodeJS.WritableStream;
  /** The stream progress bars draw on. */
  progressStream: NodeJS.WritableStream & { isTTY?: boolean };
  /** True when `--json` was given: the command prints one JSON document and no table. */
  json: boolean;
  /** True when `--verbose` was given: errors print their stack. */
  verbose: boolean;
}

/** Options of {@link createCliIo}. */
export interface CliIoOptions {
  /** Print one JSON document on stdout instead of tables. Default: `false`. */
  json?: boolean;
  /** Print stacks of errors. Default: `false`. */
  verbose?: boolean;
  /** Result stream. Default: `process.stdout`. */
  stdout?: NodeJS.WritableStream;
  /** Log and progress stream. Default: `process.stderr`. */
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The {@link CliIo} of one command run. */
export function createCliIo(options: CliIoOptions = {}): CliIo {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  return {
    out: (text) => void stdout.write(`${text}\n`),
    log: (text) => void stderr.write(`${text}\n`),
    outStream: stdout,
    progressStream: stderr,
    json: options.json ?? false,
    verbose: options.verbose ?? false,
  };
}

/** Prints `value` as the command's one JSON document (NaN and ±Infinity become `null`). */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2));
}
