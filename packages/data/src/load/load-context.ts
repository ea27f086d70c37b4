import { MetaseriesError, type ContextKind, type ContextValue, type SeriesRecord } from '@metaseries/core';
import { columnIndex, parseTime } from './read-csv.js';
import { scanCsv, RowParser, asciiText, IdCache, dateTimeBytes } from './fast-csv.js';
import { contextValue } from './cell-values.js';

/** One context table to read (`data.context`, resolved). */
export interface ContextTable {
  file: string;
  id: string;
  time: string;
  fields: Array<[string, ContextKind]>;
}

/** The rows of one id, column by column, in (table, line) order until sorted. */
interface TrackBuilder {
  times: number[];
  values: ContextValue[][];
  sorted: boolean;
}

/**
 * Reads context tables (rows of id, time, fields) into `record.context` of the records they name,
 * one track per id merged over the tables (each row `null` in the other tables' fields), sorted by
 * time; rows with equal stamps keep table then file order (the last one wins in `asof`). Plain
 * lines are parsed from bytes; others go through the general CSV path with the same checks.
 * Returns how many rows named an id with no series (ignored).
 */
export async function loadContextTables(tables: ContextTable[], records: Map<string, SeriesRecord>, timeUnit: 'ms' | 'step', maxLineLength: number): Promise<number> {
  const names = tables.flatMap((t) => t.fields.map(([f]) => f));
  const tracks = new Map<string, TrackBuilder>();
  let ignored = 0;
  let offset = 0; // position of this table's first field among all fields
  for (const table of tables) {
    const { file, fields } = table;
    const base = offset;
    offset += fields.length;
    let header: string[] = [];
    let iId = 0;
    let iTime = 0;
    let iField: number[] = [];
    let parser!: RowParser;
    const ids = new IdCache();
    let lastId: string | undefined;
    let lastTrack: TrackBuilder | undefined;
    const trackOf = (id: string): TrackBuilder | undefined => {
      if (id === lastId) return lastTrack;
      lastId = id;
      lastTrack = tracks.get(id);
      if (!lastTrack && records.has(id)) tracks.set(id, (lastTrack = { times: [], values: names.map(() => []), sorted: true }));
      return lastTrack;
    };
    const push = (track: TrackBuilder, t: number, row: ContextValue[]): void => {
      const n = track.times.length;
      if (n > 0 && t < track.times[n - 1]!) track.sorted = false;
      track.times.push(t);
      for (let f = 0; f < names.length; f++) track.values[f]!.push(f >= base && f < base + fields.length ? row[f - base]! : null);
    };
    const unitError = (line: number, id: string, value: string): never => {
      throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'context times must be in the series time unit', { file, line, recordId: id, field: table.time, value, expected: timeUnit === 'ms' ? 'a date-time, as the series times' : 'a number, as the series times' });
    };
    const row = new Array<ContextValue>(fields.length);
    const short = fields.map(() => new Map<number, ContextValue>()); // cell bytes (≤ 6, packed in a number) → value
    const slow = (c: string[], line: number): void => {
      if (c.length !== header.length) throw new MetaseriesError('LOAD_BAD_LINE', 'a row has another number of columns than the header', { file, line, value: c.length, expected: String(header.length) });
      const id = c[iId]!.trim();
      const track = trackOf(id);
      if (!track) {
        ignored++;
        return;
      }
      const t = parseTime(c[iTime]!, { file, line, field: table.time, recordId: id });
      if ((timeUnit === 'ms') !== t.isDate) unitError(line, id, c[iTime]!);
      for (let k = 0; k < fields.length; k++) row[k] = contextValue(fields[k]![1], c[iField[k]!]!.trim(), { file, line, field: fields[k]![0], recordId: id });
      push(track, t.value, row);
    };
    const fast = (buf: Uint8Array, line: number): boolean => {
      const { starts, ends, nums } = parser;
      const s = starts[iId]!;
      const e = ends[iId]!;
      if (e === s || buf[s]! <= 32 || buf[e - 1]! <= 32) return false;
      const id = ids.text(buf, s, e);
      const track = trackOf(id);
      if (!track) {
        ignored++;
        return true;
      }
      let t = nums[iTime]!;
      let isDate = false;
      if (t !== t && (t = dateTimeBytes(buf, starts[iTime]!, ends[iTime]!)) === t) isDate = true;
      else if (t !== t) {
        try {
          const p = parseTime(asciiText(buf, starts[iTime]!, ends[iTime]!), { file, line, field: table.time, recordId: id });
          t = p.value;
          isDate = p.isDate;
        } catch {
          return false;
        }
      }
      if ((timeUnit === 'ms') !== isDate) return false;
      for (let k = 0; k < fields.length; k++) {
        const cs = starts[iField[k]!]!;
        const ce = ends[iField[k]!]!;
        const kind = fields[k]![1];
        if (cs === ce) row[k] = null;
        else if (kind === 'numeric') {
          const v = nums[iField[k]!]!;
          row[k] = v === v ? v : contextValue(kind, asciiText(buf, cs, ce).trim(), { file, line, field: fields[k]![0], recordId: id });
        } else if (ce - cs <= 6) {
          // short categorical / flag cells (regimes, codes): one value per distinct cell, not one string per row
          let key = ce - cs;
          for (let j = cs; j < ce; j++) key = key * 256 + buf[j]!;
          const cache = short[k]!;
          let v = cache.get(key);
          if (v === undefined) {
            v = contextValue(kind, asciiText(buf, cs, ce).trim(), { file, line, field: fields[k]![0], recordId: id });
            cache.set(key, v);
          }
          row[k] = v;
        } else row[k] = contextValue(kind, asciiText(buf, cs, ce).trim(), { file, line, field: fields[k]![0], recordId: id });
      }
      push(track, t, row);
      return true;
    };
    await scanCsv(
      file,
      {
        header(h, line) {
          header = h.map((c) => c.trim());
          const idx = columnIndex(header, [table.id, table.time, ...fields.map(([f]) => f)], file, line);
          iId = idx.get(table.id)!;
          iTime = idx.get(table.time)!;
          iField = fields.map(([f]) => idx.get(f)!);
          parser = new RowParser(header.length, [iTime, ...fields.flatMap(([, kind], k) => (kind === 'numeric' ? [iField[k]!] : []))], fast);
          return parser;
        },
        slow,
      },
      { maxLineLength },
    );
  }
  for (const [id, b] of tracks) {
    let times = b.times;
    let values = b.values;
    if (!b.sorted) {
      // stable by time: equal stamps keep (table, line) order, in which the rows were appended
      const order = Array.from(times, (_, i) => i).sort((x, y) => times[x]! - times[y]! || x - y);
      times = order.map((i) => b.times[i]!);
      values = b.values.map((col) => order.map((i) => col[i]!));
    }
    records.get(id)!.context = { times: Float64Array.from(times), values: Object.fromEntries(names.map((f, k) => [f, values[k]!])) };
  }
  return ignored;
}
