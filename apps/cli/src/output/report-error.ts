import { CommanderError } from 'commander';
import { isMetaseriesError } from '@metaseries/core';
import { printJson, type CliIo } from './cli-io.js';

/** Exit codes of the `metaseries` command (DESIGN.md, the CLI contract). */
export const EXIT_OK = 0;
/** Something failed that is not the user's input (a bug, a backend crash, a full disk). */
export const EXIT_FAILURE = 1;
/** Bad usage or bad input: unknown option, missing file, malformed config, data not matching the schema, foreign bundle. */
export const EXIT_BAD_INPUT = 2;

/**
 * Prints `error` for a person on stderr (and, with `--json`, as `{ error }` on stdout) and
 * returns the exit code. A MetaseriesError prints `error CODE: message (where)` through its
 * `format()` and exits 2; anything else prints `error: message` and exits 1. Stacks only with
 * `--verbose`.
 */
export function reportError(io: CliIo, error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its own message (unknown option, missing argument).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_OK;
    if (io.json) printJson(io, { error: { code: 'CLI_USAGE', message: error.message.replace(/^error: /, ''), details: {} } });
    return EXIT_BAD_INPUT;
  }
  if (isMetaseriesError(error)) {
    io.log(error.format());
    if (io.verbose && error.stack) io.log(error.stack);
    if (io.json) printJson(io, { error: error.toJSON() });
    return EXIT_BAD_INPUT;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  io.log(`error: ${e.message}`);
  if (io.verbose && e.stack) io.log(e.stack);
  else io.log('(run again with --verbose for the stack trace)');
  if (io.json) printJson(io, { error: { code: 'CLI_FAILURE', message: e.message, details: {} } });
  return EXIT_FAILURE;
}
