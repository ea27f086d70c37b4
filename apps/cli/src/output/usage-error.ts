import { MetaseriesError, type ErrorDetails } from '@metaseries/core';

/** A bad command line found after parsing (a value out of range, an unknown name): exit code 2. */
export function usageError(message: string, details: ErrorDetails = {}): MetaseriesError {
  return new MetaseriesError('CLI_USAGE', message, details);
}

/** Parses a positive integer option value or throws `CLI_USAGE` naming the option. */
export function parsePositiveInt(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw usageError(`${option} must be a positive integer`, { field: option, value: text, expected: 'a positive integer' });
  return n;
}

/** Splits a comma-separated list and checks every name is one of `known`, else `CLI_USAGE`. */
export function parseNameList(text: string, option: string, known: readonly string[]): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length || names.length === 0) {
    throw usageError(`${option} names ${unknown.length ? `unknown ${unknown.join(', ')}` : 'nothing'}`, { field: option, value: text, expected: known.join(', ') });
  }
  return names;
}
