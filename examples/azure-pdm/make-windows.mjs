#!/usr/bin/env node
// Cuts the Azure PdM sample (../shared/data/azure_pdm, beside the repository checkout) into
// windows of hourly telemetry per machine and labels what happens in the 24 hours after each
// window. Writes into ./windows/ (or --out DIR):
//   series.csv             window, datetime, volt, rotate, pressure, vibration   (long layout)
//   machines.csv           window, machineID, model, age                          (static metadata)
//   events.csv             window, datetime, event, error, maint                  (errors and maintenance)
//   labels.csv             window, failure     fail | ok: any component fails within the horizon
//   labels-components.csv  window, component   none | comp1 … comp4: which component fails
// Usage: node examples/azure-pdm/make-windows.mjs [path/to/azure_pdm] [--window 48] [--stride 24]
//          [--horizon 24] [--lookback 48] [--out DIR]
//   --window H    hours of telemetry per record (default 48; 24 gives the original machine-day records)
//   --stride H    hours between window starts (default 24: one record per machine-day)
//   --horizon H   a failure in (window end, window end + H] labels the window (default 24)
//   --lookback H  events logged up to H hours before the window start are kept, so that an event
//                 shortly before the window still reaches its first steps (default 48, the
//                 tolerance of config-components.yaml)
//
// Component label rule (labels-components.csv): the component of the FIRST failure in the horizon;
// when several components fail at that same hour (5 times in this subset) the lowest-numbered one
// wins (comp1 < comp2 < comp3 < comp4), and the script reports how often that happened.
//
// Leak-free by construction: every event row of a window is logged at or before the window's last
// step (the loader's `asof`/`ffill` alignment then uses, at each step, only rows stamped at or
// before that step), and every labelling failure is strictly after the window's last step.
// check-leaks.mjs verifies both on the written files, independently of this script.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const hours = (name, def) => {
  const v = Number(opt(name, String(def)));
  if (!Number.isInteger(v) || v < 1) {
    console.error(`make-windows: --${name} must be a positive whole number of hours`);
    process.exit(2);
  }
  return v;
};
const WINDOW = hours('window', 48);
const STRIDE = hours('stride', 24);
const HORIZON_H = hours('horizon', 24);
const LOOKBACK_H = hours('lookback', 48);
const out = path.resolve(opt('out', path.join(here, 'windows')));
const src = path.resolve(argv[0] ?? path.join(here, '../../../shared/data/azure_pdm'));
const HOUR = 3600_000;
const HORIZON = HORIZON_H * HOUR;
const COMPONENTS = ['comp1', 'comp2', 'comp3', 'comp4'];

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
const failures = table('PdM_failures.csv').map((f) => ({ id: f.machineID, t: ms(f.datetime), comp: f.failure }));
// one row per event; `event` keeps the original single column (error id or maint_compN), `error`
// and `maint` split it into two fields (the other cell empty = missing for that field)
const events = [
  ...table('PdM_errors.csv').filter((e) => e.errorID).map((e) => ({ id: e.machineID, t: ms(e.datetime), event: e.errorID, error: e.errorID, maint: '' })),
  ...table('PdM_maint.csv').map((m) => ({ id: m.machineID, t: ms(m.datetime), event: `maint_${m.comp}`, error: '', maint: m.comp })),
].sort((a, b) => a.t - b.t);
const eventsOf = new Map();
for (const e of events) {
  if (!eventsOf.has(e.id)) eventsOf.set(e.id, []);
  eventsOf.get(e.id).push(e);
}

const series = ['window,datetime,volt,rotate,pressure,vibration'];
const meta = ['window,machineID,model,age'];
const ctx = ['window,datetime,event,error,maint'];
const labels = ['window,failure'];
const componentLabels = ['window,component'];
const counts = Object.fromEntries(['none', ...COMPONENTS].map((c) => [c, 0]));
let positives = 0;
let ties = 0;
let windows = 0;
for (const [id, rows] of byMachine) {
  rows.sort((a, b) => ms(a.datetime) - ms(b.datetime));
  const machineEvents = eventsOf.get(id) ?? [];
  const machineFailures = failures.filter((f) => f.id === id).sort((a, b) => a.t - b.t || a.comp.localeCompare(b.comp));
  for (let s = 0; s + WINDOW <= rows.length; s += STRIDE) {
    const w = `m${id}_${s / STRIDE}`;
    const start = ms(rows[s].datetime);
    const end = ms(rows[s + WINDOW - 1].datetime);
    if (end - start !== (WINDOW - 1) * HOUR) {
      console.error(`make-windows: window ${w} is not ${WINDOW} consecutive hours (a gap in the telemetry)`);
      process.exit(1);
    }
    for (const r of rows.slice(s, s + WINDOW)) series.push([w, r.datetime, r.volt, r.rotate, r.pressure, r.vibration].join(','));
    const m = machines.get(id);
    meta.push([w, id, m.model, m.age].join(','));
    // context: the machine's events from `lookback` hours before the window to its LAST step
    for (const e of machineEvents) if (e.t >= start - LOOKBACK_H * HOUR && e.t <= end) ctx.push([w, stamp(e.t), e.event, e.error, e.maint].join(','));
    const ahead = machineFailures.filter((f) => f.t > end && f.t <= end + HORIZON);
    const first = ahead.filter((f) => f.t === ahead[0]?.t);
    const component = first.length ? first.map((f) => f.comp).sort()[0] : 'none';
    if (first.length > 1) ties++;
    if (ahead.length) positives++;
    counts[component]++;
    windows++;
    labels.push(`${w},${ahead.length ? 'fail' : 'ok'}`);
    componentLabels.push(`${w},${component}`);
  }
}
mkdirSync(out, { recursive: true });
for (const [name, lines] of [
  ['series.csv', series],
  ['machines.csv', meta],
  ['events.csv', ctx],
  ['labels.csv', labels],
  ['labels-components.csv', componentLabels],
])
  writeFileSync(path.join(out, name), `${lines.join('\n')}\n`);
console.error(
  `${windows} windows of ${WINDOW} h (stride ${STRIDE} h) from ${byMachine.size} machines; failure within ${HORIZON_H} h: ${positives} ` +
    `(${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}; ${ties} with two components failing at the same hour, labelled with the lower one); written to ${out}`,
);
