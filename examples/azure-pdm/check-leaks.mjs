#!/usr/bin/env node
// Checks, independently of make-windows.mjs, that an Azure PdM run config sees nothing from the
// future. It loads the windows exactly as training does (@metaseries/pipeline's loadRunData, then
// @metaseries/data's alignDatasetContext) and compares them with the RAW tables in
// ../shared/data/azure_pdm:
//   context: at every step, each present context value must be the value of the machine's LAST
//     raw event of that field logged at or before the step's time, and no older than the config's
//     tolerance; a step with such an event must have it (no event lost); an event logged after a
//     step never reaches it;
//   labels:  a window labelled with a component (or `fail`) must have a raw failure of it strictly
//     after its last step and within the horizon; `none` / `ok` windows must have none.
// Usage: node examples/azure-pdm/check-leaks.mjs [config.yaml] [--data path/to/azure_pdm] [--horizon 24]
// Exits 1 naming the first problems; also exported as checkLeaks() for the accuracy bench.
// Needs the built packages (npm run build).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadRunConfig, loadRunData } from '@metaseries/pipeline';
import { alignDatasetContext } from '@metaseries/data';

const here = path.dirname(fileURLToPath(import.meta.url));
const HOUR = 3600_000;

function rawTable(dir, name) {
  const [head, ...lines] = readFileSync(path.join(dir, name), 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}
const ms = (s) => Date.parse(s.replace(' ', 'T') + 'Z');

/**
 * Returns `{ records, steps, present, problems }`: problems is a list of sentences (empty when the
 * config's data is leak-free and its labels match the raw failure log).
 */
export async function checkLeaks(configPath, { data = path.join(here, '../../../shared/data/azure_pdm'), horizonHours = 24 } = {}) {
  const config = await loadRunConfig(configPath);
  const { dataset } = await loadRunData(config);
  const aligned = alignDatasetContext(dataset);
  // raw events per machine and field, in time order (what each context field means)
  const raw = {
    error: rawTable(data, 'PdM_errors.csv').filter((e) => e.errorID).map((e) => ({ id: e.machineID, t: ms(e.datetime), v: e.errorID })),
    maint: rawTable(data, 'PdM_maint.csv').map((m) => ({ id: m.machineID, t: ms(m.datetime), v: m.comp })),
  };
  raw.event = [...raw.error, ...raw.maint.map((m) => ({ ...m, v: `maint_${m.v}` }))];
  const byMachine = {};
  for (const [field, rows] of Object.entries(raw)) {
    byMachine[field] = new Map();
    for (const r of [...rows].sort((a, b) => a.t - b.t)) {
      if (!byMachine[field].has(r.id)) byMachine[field].set(r.id, []);
      byMachine[field].get(r.id).push(r);
    }
  }
  const failures = rawTable(data, 'PdM_failures.csv').map((f) => ({ id: f.machineID, t: ms(f.datetime), comp: f.failure }));
  const tolerance = config.data.context?.tolerance ?? Infinity;
  const fields = Object.keys(aligned.schema.context);
  const problems = [];
  const problem = (s) => {
    if (problems.length < 20) problems.push(s);
    else if (problems.length === 20) problems.push('… more');
  };
  let steps = 0;
  let present = 0;
  for (const r of aligned.records) {
    const machine = String(r.group);
    const times = r.times;
    for (const field of fields) {
      if (!byMachine[field]) {
        problem(`context field ${field} is not one this check knows (error, maint, event)`);
        continue;
      }
      const events = byMachine[field].get(machine) ?? [];
      const values = r.alignedContext.values[field];
      const mask = r.alignedContext.mask[field];
      for (let i = 0; i < times.length; i++) {
        const t = times[i];
        steps++;
        // the last raw event at or before t (all events of that stamp are candidates)
        let last = -1;
        for (let j = 0; j < events.length && events[j].t <= t; j++) last = j;
        const candidates = last < 0 ? [] : events.filter((e) => e.t === events[last].t).map((e) => e.v);
        const fresh = last >= 0 && t - events[last].t <= tolerance;
        if (mask[i]) {
          present++;
          const v = String(values[i]);
          const used = events.filter((e) => e.v === v);
          if (!used.some((e) => e.t <= t)) problem(`${r.id} step ${i}: ${field}=${v} was only logged after the step (a leak)`);
          else if (!fresh || !candidates.includes(v)) problem(`${r.id} step ${i}: ${field}=${v} is not the last ${field} logged at or before the step within the tolerance (expected ${fresh ? candidates.join(' or ') : 'missing'})`);
        } else if (fresh) problem(`${r.id} step ${i}: ${field} is missing but ${candidates.join(' or ')} was logged ${(t - events[last].t) / HOUR} h before`);
      }
    }
    const end = times[times.length - 1];
    const ahead = failures.filter((f) => f.id === machine && f.t > end && f.t <= end + horizonHours * HOUR);
    const label = String(r.label);
    if (label === 'none' || label === 'ok') {
      if (ahead.length) problem(`${r.id}: labelled ${label} but ${ahead.map((f) => f.comp).join(', ')} fails within ${horizonHours} h after its last step`);
    } else if (label === 'fail') {
      if (!ahead.length) problem(`${r.id}: labelled fail but nothing fails within ${horizonHours} h after its last step`);
    } else if (!ahead.some((f) => f.comp === label)) problem(`${r.id}: labelled ${label} but ${label} does not fail within ${horizonHours} h after its last step`);
  }
  return { records: aligned.records.length, steps, present, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const opt = (name, def) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return def;
    const v = argv[i + 1];
    argv.splice(i, 2);
    return v;
  };
  const dataDir = opt('data');
  const horizonHours = Number(opt('horizon', '24'));
  const config = argv[0] ?? path.join(here, 'config-components.yaml');
  const r = await checkLeaks(config, { ...(dataDir && { data: path.resolve(dataDir) }), horizonHours });
  if (r.problems.length) {
    process.stderr.write(`check-leaks: ${config}: ${r.problems.length} problem(s):\n  ${r.problems.join('\n  ')}\n`);
    process.exit(1);
  }
  process.stderr.write(`check-leaks: ${config}: ${r.records} windows, ${r.steps} record-step-field cells (${r.present} with a context value): every value was logged at or before its step and within the tolerance; every label matches a failure after the window\n`);
}
