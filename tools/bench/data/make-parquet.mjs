// Writes DIR/series.parquet from the generated DIR/series.csv (the long layout: id and time INT32,
// channels FLOAT with nulls for empty cells), in row groups of 100,000 rows, streaming: at most
// 500,000 rows are held at once. Uses hyparquet-writer (a dev dependency of @metaseries/data).
// Usage: node make-parquet.mjs --dir DIR
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer/src/node.js';

const argv = process.argv.slice(2);
const dir = argv[argv.indexOf('--dir') + 1] ?? '/tmp/metaseries-bench-data';
const names = ['id', 'time', 'c0', 'c1', 'c2', 'c3'];
const types = ['INT32', 'INT32', 'FLOAT', 'FLOAT', 'FLOAT', 'FLOAT'];
const batch = 500_000;
let cols = names.map(() => []);
const columnData = () => names.map((name, k) => ({ name, data: cols[k], type: types[k], nullable: k >= 2 }));
let writer;
const flush = () => {
  if (cols[0].length === 0) return;
  writer ??= new ParquetWriter({ writer: fileWriter(path.join(dir, 'series.parquet')), schema: schemaFromColumnData({ columnData: columnData() }) });
  writer.write({ columnData: columnData(), rowGroupSize: 100_000 });
  cols = names.map(() => []);
};
let header = true;
for await (const line of createInterface({ input: createReadStream(path.join(dir, 'series.csv')), crlfDelay: Infinity })) {
  if (header) {
    header = false;
    continue;
  }
  const cells = line.split(',');
  cols[0].push(Number(cells[0]));
  cols[1].push(Number(cells[1]));
  for (let k = 2; k < 6; k++) cols[k].push(cells[k] === '' ? null : Number(cells[k]));
  if (cols[0].length === batch) flush();
}
flush();
writer.finish();
