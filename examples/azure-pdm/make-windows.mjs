#!/usr/bin/env node
// Cuts the Azure PdM sample (../shared/data/azure_pdm, beside the repository checkout) into
// 24-hour windows of hourly telemetry, one record per machine-day, labelled by whether the
// machine fails in the 24 hours after the window. Writes four tables into ./windows/:
//   series.csv    window, datetime, volt, rotate, pressure, vibration   (long layout)
//   machines.csv  window, machineID, model, age                          (static metadata)
//   events.csv    window, datetime, event                                (errors and maintenance)
//   labels.csv    window, failure                                        (fail | ok)
// Usage: node examples/azure-pdm/make-windows.mjs [path/to/azure_pdm]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.resolve(process.argv[2] ?? path.join(here, '../../../shared/data/azure_pdm'));
const out = path.join(here, 'windows');
const HOUR = 3600_000;
const WINDOW = 24; // hours per record
const HORIZON = 24 * HOUR; // a failure within this time after the window makes it "fail"

function table(name) {
  let text;
  try {
    text = readFileSync(path.join(src, name), 'utf8');
  } catch {
    console.error(`cannot read ${path.join(src, name)}: this example needs ../shared/data/azure_pdm beside the checkout (or its path as the first argument)`);
    process.exit(2);
  }
  const [head, ...lines] = text.trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}
const ms = (s) => Date.parse(s.replace(' ', 'T') + 'Z');
const stamp = (t) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');

const telemetry = table('PdM_telemetry.csv');
const machines = new Map(table('PdM_machines.csv').map((m) => [m.machineID, m]));
const byMachine = new Map();
for (const r of telemetry) {
  if (!byMachine.has(r.machineID)) byMachine.set(r.machineID, []);
  byMachine.get(r.machineID).push(r);
}
const failures = table('PdM_failures.csv').map((f) => ({ id: f.machineID, t: ms(f.datetime) }));
const events = [
  ...table('PdM_errors.csv').filter((e) => e.errorID).map((e) => ({ id: e.machineID, t: ms(e.datetime), event: e.errorID })),
  ...table('PdM_maint.csv').map((m) => ({ id: m.machineID, t: ms(m.datetime), event: `maint_${m.comp}` })),
].sort((a, b) => a.t - b.t);

const series = ['window,datetime,volt,rotate,pressure,vibration'];
const meta = ['window,machineID,model,age'];
const ctx = ['window,datetime,event'];
const labels = ['window,failure'];
let positives = 0;
for (const [id, rows] of byMachine) {
  rows.sort((a, b) => ms(a.datetime) - ms(b.datetime));
  for (let s = 0; s + WINDOW <= rows.length; s += WINDOW) {
    const w = `m${id}_${s / WINDOW}`;
    const start = ms(rows[s].datetime);
    const end = ms(rows[s + WINDOW - 1].datetime);
    for (const r of rows.slice(s, s + WINDOW)) series.push([w, r.datetime, r.volt, r.rotate, r.pressure, r.vibration].join(','));
    const m = machines.get(id);
    meta.push([w, id, m.model, m.age].join(','));
    // context: the machine's events from a day before the window to its end (never after it)
    for (const e of events) if (e.id === id && e.t >= start - 24 * HOUR && e.t <= end) ctx.push([w, stamp(e.t), e.event].join(','));
    const fail = failures.some((f) => f.id === id && f.t > end && f.t <= end + HORIZON);
    if (fail) positives++;
    labels.push(`${w},${fail ? 'fail' : 'ok'}`);
  }
}
mkdirSync(out, { recursive: true });
for (const [name, lines] of [['series.csv', series], ['machines.csv', meta], ['events.csv', ctx], ['labels.csv', labels]]) writeFileSync(path.join(out, name), `${lines.join('\n')}\n`);
console.error(`${labels.length - 1} windows of ${WINDOW} h from ${byMachine.size} machines, ${positives} followed by a failure within 24 h; written to ${out}`);
