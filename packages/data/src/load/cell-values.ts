import { MetaseriesError, type ContextKind, type ContextValue } from '@metaseries/core';
import { parseNumber } from './read-csv.js';

/** Cells read as missing in metadata, context and label tables (besides the empty cell). */
export const MISSING_CELL = /^(na|nan|null|none|\?)$/i;

/** A flag cell: true/yes/1/t/y or false/no/0/f/n (any case), else `LOAD_BAD_VALUE`. */
export function flag(cell: string, where: { file: string; line: number; field: string; recordId: string }): boolean {
  if (/^(true|yes|1|t|y)$/i.test(cell)) return true;
  if (/^(false|no|0|f|n)$/i.test(cell)) return false;
  throw new MetaseriesError('LOAD_BAD_VALUE', 'a boolean field holds a value that is not a flag', { ...where, value: cell, expected: 'true/false, yes/no, 1/0' });
}

/** A context cell (already trimmed) of the given kind; missing → `null`. */
export function contextValue(kind: ContextKind, cell: string, where: { file: string; line: number; field: string; recordId: string }): ContextValue {
  if (cell === '' || MISSING_CELL.test(cell)) return null;
  if (kind === 'numeric') {
    const n = parseNumber(cell, where);
    return Number.isNaN(n) ? null : n;
  }
  if (kind === 'boolean') return flag(cell, where);
  return cell;
}
