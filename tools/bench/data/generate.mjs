// Generates the data-pipeline benchmark inputs (seeded, so every run reads the same bytes):
//   series.csv   id,time,c0,c1,c2,c3   — `rows` rows, `ids` ids of rows/ids steps each, sorted by id then time
//   context.csv  id,time,regime,load   — `contextRows` rows (an operating regime and a set point per id)
//   labels.csv   id,label              — one row per id
// Times are integer seconds, every 10 s per series; each id's context starts at or before its
// series (so every step has a regime) and about one context row in ten falls exactly on a series
// step, some twice (equal stamps: the rule that the last tied row wins is exercised). Channel
// levels depend on the regime in force, with 0.1 % of cells empty (missing).
// Usage: node generate.mjs --dir DIR [--rows 10000000] [--ids 10000] [--context-rows 1000000] [--seed 7]
import { openSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createRng } from '@metaseries/core';

/** Writes text through a 4 MiB buffer (one string per row would cost more than the data). */
class Out {
  constructor(file) {
    this.fd = openSync(file, 'w');
    this.parts = [];
    this.size = 0;
  }
  write(s) {
    this.parts.push(s);
    this.size += s.length;
    if (this.size > 1 << 22) this.flush();
  }
  flush() {
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * Writes the three files into `dir`; returns their paths and sizes.
 * @param {{ dir: string, rows?: number, ids?: number, contextRows?: number, seed?: number }} options
 */
export function generate({ dir, rows = 10_000_000, ids = 10_000, contextRows = 1_000_000, seed = 7 }) {
  mkdirSync(dir, { recursive: true });
  const rng = createRng(seed);
  const perId = Math.max(1, Math.floor(rows / ids));
  const ctxPerId = Math.max(1, Math.floor(contextRows / ids));
  const series = new Out(path.join(dir, 'series.csv'));
  const context = new Out(path.join(dir, 'context.csv'));
  const labels = new Out(path.join(dir, 'labels.csv'));
  series.write('id,time,c0,c1,c2,c3\n');
  context.write('id,time,regime,load\n');
  labels.write('id,label\n');
  const levels = [0, 2, 5, 9];
  let written = 0;
  for (let id = 0; id < ids; id++) {
    const n = id === ids - 1 ? rows - written : perId; // the last id takes the remainder
    written += n;
    const start = 1_700_000_000 + rng.int(86_400);
    const span = n * 10;
    // context stamps: the first at or before the series start, the rest inside its span
    const ct = new Float64Array(ctxPerId);
    ct[0] = start - rng.int(600);
    for (let k = 1; k < ctxPerId; k++) ct[k] = rng.next() < 0.1 ? start + 10 * rng.int(n) : start + rng.int(span);
    ct.sort();
    const regimes = new Int32Array(ctxPerId);
    for (let k = 0; k < ctxPerId; k++) {
      regimes[k] = rng.int(4);
      context.write(`${id},${ct[k]},${regimes[k]},${(rng.next() * 100).toFixed(2)}\n`);
    }
    labels.write(`${id},${rng.next() < 0.3 ? 'fault' : 'normal'}\n`);
    let j = 0;
    for (let i = 0; i < n; i++) {
      const t = start + 10 * i;
      while (j + 1 < ctxPerId && ct[j + 1] <= t) j++;
      const level = levels[regimes[j]];
      let line = `${id},${t}`;
      for (let c = 0; c < 4; c++) {
        line += rng.next() < 0.001 ? ',' : `,${(level * (c + 1) + rng.normal()).toFixed(3)}`;
      }
      series.write(line + '\n');
    }
  }
  series.close();
  context.close();
  labels.close();
  return { series: path.join(dir, 'series.csv'), context: path.join(dir, 'context.csv'), labels: path.join(dir, 'labels.csv'), rows, ids, contextRows: ctxPerId * ids };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const opt = (name, def) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : def;
  };
  const out = generate({
    dir: opt('dir', '/tmp/metaseries-bench-data'),
    rows: Number(opt('rows', 10_000_000)),
    ids: Number(opt('ids', 10_000)),
    contextRows: Number(opt('context-rows', 1_000_000)),
    seed: Number(opt('seed', 7)),
  });
  process.stdout.write(JSON.stringify(out) + '\n');
}
