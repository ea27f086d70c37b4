import { createRng, MetaseriesError, type Dataset, type DatasetSchema, type Rng, type SeriesRecord } from '@metaseries/core';

/** The synthetic scenarios of DESIGN.md, each one a case a fusion strategy exists for. */
export type ScenarioName = 'machine-type' | 'age-threshold' | 'operating-mode' | 'noise-field';

/** Options of {@link generateScenario}. */
export interface ScenarioOptions {
  /** Number of records. Default: `600`. */
  n?: number;
  /** Time steps per series. Default: `50`. */
  length?: number;
  /** Seed of the generator. Default: `42`. */
  seed?: number;
  /** Standard deviation of the white noise added to every series value. Default: `0.5`. */
  noise?: number;
  /** Number of groups (units, patients) records are spread over, for group-aware splits. Default: `60`. */
  groups?: number;
}

export const defaultScenarioOptions: Required<ScenarioOptions> = { n: 600, length: 50, seed: 42, noise: 0.5, groups: 60 };

/** What a scenario documents about itself. */
export interface ScenarioInfo {
  name: ScenarioName;
  description: string;
  /** Bayes-optimal accuracy when the model sees the series only. */
  bayesAccuracyWithoutMetadata: number;
  /** Bayes-optimal accuracy when the model also sees the metadata / context. */
  bayesAccuracyWithMetadata: number;
  /** Fields that carry signal, and fields that are pure noise. */
  informativeFields: string[];
  noiseFields: string[];
}

/**
 * The scenarios and their Bayes accuracies (derivations in each generator's comment; checked
 * empirically with the Bayes rule coded directly in `scenarios.test.ts`).
 */
export const SCENARIOS: Record<ScenarioName, ScenarioInfo> = {
  'machine-type': {
    name: 'machine-type',
    description: 'The same waveform means a different class depending on the machine type (categorical).',
    bayesAccuracyWithoutMetadata: 0.5,
    bayesAccuracyWithMetadata: 1.0,
    informativeFields: ['machine'],
    noiseFields: [],
  },
  'age-threshold': {
    name: 'age-threshold',
    description: 'A numeric field (age) shifts the decision threshold on the series level.',
    bayesAccuracyWithoutMetadata: 0.75,
    bayesAccuracyWithMetadata: 0.98,
    informativeFields: ['age'],
    noiseFields: [],
  },
  'operating-mode': {
    name: 'operating-mode',
    description: 'An operating mode logged every 10 steps and at each switch says whether a jump in the sensor level is a mode change (normal) or a fault.',
    bayesAccuracyWithoutMetadata: 0.75,
    bayesAccuracyWithMetadata: 1.0,
    informativeFields: ['mode'],
    noiseFields: [],
  },
  'noise-field': {
    name: 'noise-field',
    description: 'The class is in the series alone; the metadata fields are pure noise and must be worth nothing.',
    bayesAccuracyWithoutMetadata: 1.0,
    bayesAccuracyWithMetadata: 1.0,
    informativeFields: [],
    noiseFields: ['serial', 'batch'],
  },
};

function sine(length: number, freq: number, phase: number, amp: number, noise: number, rng: Rng): Float32Array {
  return Float32Array.from({ length }, (_, t) => amp * Math.sin((2 * Math.PI * freq * t) / length + phase) + noise * rng.normal());
}

function machineType(o: Required<ScenarioOptions>, rng: Rng): SeriesRecord[] {
  // Waveform: 2 or 5 cycles per series. Class "fault" = (5 cycles on machine A) or (2 cycles on
  // machine B). Frequency alone is independent of the class: Bayes without metadata = 0.5. With
  // the machine known, the class is the frequency, which the noise cannot hide (SNR ≈ 2 per step
  // over 50 steps): Bayes ≈ 1.0.
  return Array.from({ length: o.n }, (_, i) => {
    const machine = rng.next() < 0.5 ? 'A' : 'B';
    const fast = rng.next() < 0.5;
    const label = (machine === 'A') === fast ? 'fault' : 'ok';
    return {
      id: `m${String(i).padStart(4, '0')}`,
      values: [sine(o.length, fast ? 5 : 2, rng.next() * 2 * Math.PI, 1, o.noise, rng)],
      metadata: { machine, site: `s${rng.int(4)}` },
      label,
      group: `unit${rng.int(o.groups)}`,
    };
  });
}

function ageThreshold(o: Required<ScenarioOptions>, rng: Rng): SeriesRecord[] {
  // Level L ~ U(-2, 2), threshold a' = (age - 50) / 15 ~ U(-2, 2), class "high" = L > a'.
  // Without age the best rule is L > 0: accuracy E[(|L| + 2) / 4] = 0.75. With age: errors only
  // where the noisy level estimate (σ = noise/√length ≈ 0.07) crosses a': ≈ 0.98.
  return Array.from({ length: o.n }, (_, i) => {
    const age = 20 + rng.next() * 60;
    const level = -2 + rng.next() * 4;
    const values = Float32Array.from({ length: o.length }, () => level + o.noise * rng.normal());
    return {
      id: `a${String(i).padStart(4, '0')}`,
      values: [values],
      metadata: { age: Math.round(age * 10) / 10 },
      label: level > (age - 50) / 15 ? 'high' : 'normal',
      group: `unit${rng.int(o.groups)}`,
    };
  });
}

function operatingMode(o: Required<ScenarioOptions>, rng: Rng): SeriesRecord[] {
  // Every machine starts idle (sensor level 0); the mode is logged every 10 steps and at each
  // switch (context at its own, coarser rate). Four equally likely cases, each event at a random
  // step τ in [T/4, 3T/4):
  //   A normal:   the mode switches to load at τ (expected level 2)        → series 0 → 2
  //   B abnormal: the mode stays idle, a fault lifts the level by 2 at τ    → series 0 → 2
  //   C normal:   nothing happens                                           → series 0
  //   D abnormal: load from τ, and a fault lifts the level by 2 at τ' > τ    → series 0 → 2 → 4
  // A and B draw the same series: only the aligned mode tells them apart. Bayes without the
  // context: C and D are certain, A/B a coin flip → 0.75; with it: ≈ 1.0. (An earlier version
  // let the end mode show in the series before the fault window, so a series-only model could
  // beat 0.75.)
  const T = o.length;
  return Array.from({ length: o.n }, (_, i) => {
    const kind = rng.int(4); // 0 A, 1 B, 2 C, 3 D
    const tau = Math.floor(T / 4) + rng.int(Math.max(1, Math.floor(T / 2)));
    // the second event leaves at least 5 steps of the final level, so the noise cannot hide it
    const tau2 = Math.min(T - 5, tau + 1 + rng.int(Math.max(1, T - 5 - tau)));
    const switchAt = kind === 0 || kind === 3 ? tau : -1;
    const faultAt = kind === 1 ? tau : kind === 3 ? tau2 : -1;
    const values = new Float32Array(T);
    for (let t = 0; t < T; t++) {
      const load = switchAt >= 0 && t >= switchAt;
      const fault = faultAt >= 0 && t >= faultAt;
      values[t] = (load ? 2 : 0) + (fault ? 2 : 0) + o.noise * rng.normal();
    }
    const logTimes: number[] = [];
    const logModes: string[] = [];
    for (let t = 0; t < T; t += 10) {
      if (switchAt >= 0 && switchAt < t && !logTimes.includes(switchAt)) {
        logTimes.push(switchAt);
        logModes.push('load');
      }
      logTimes.push(t);
      logModes.push(switchAt >= 0 && t >= switchAt ? 'load' : 'idle');
    }
    if (switchAt >= 0 && !logTimes.includes(switchAt)) {
      logTimes.push(switchAt);
      logModes.push('load');
    }
    return {
      id: `o${String(i).padStart(4, '0')}`,
      values: [values],
      times: Float64Array.from({ length: T }, (_, t) => t),
      metadata: {},
      context: { times: Float64Array.from(logTimes), values: { mode: logModes } },
      label: kind === 1 || kind === 3 ? 'abnormal' : 'normal',
      group: `unit${rng.int(o.groups)}`,
    };
  });
}

function noiseField(o: Required<ScenarioOptions>, rng: Rng): SeriesRecord[] {
  // Class = 2 vs 5 cycles: the series alone decides it (Bayes ≈ 1.0); `serial` (numeric) and
  // `batch` (categorical) are drawn independently of everything.
  return Array.from({ length: o.n }, (_, i) => {
    const fast = rng.next() < 0.5;
    return {
      id: `n${String(i).padStart(4, '0')}`,
      values: [sine(o.length, fast ? 5 : 2, rng.next() * 2 * Math.PI, 1, o.noise, rng)],
      metadata: { serial: rng.normal(), batch: `b${rng.int(5)}` },
      label: fast ? 'fast' : 'slow',
      group: `unit${rng.int(o.groups)}`,
    };
  });
}

const SCHEMAS: Record<ScenarioName, DatasetSchema> = {
  'machine-type': {
    version: 1,
    channels: ['vibration'],
    metadata: { machine: { kind: 'categorical' }, site: { kind: 'categorical' } },
    context: {},
    label: { name: 'label', task: 'binary', classes: ['ok', 'fault'] },
    group: 'unit',
  },
  'age-threshold': {
    version: 1,
    channels: ['level'],
    metadata: { age: { kind: 'numeric' } },
    context: {},
    label: { name: 'label', task: 'binary', classes: ['normal', 'high'] },
    group: 'unit',
  },
  'operating-mode': {
    version: 1,
    channels: ['sensor'],
    metadata: {},
    context: { mode: { kind: 'categorical', align: 'asof' } },
    label: { name: 'label', task: 'binary', classes: ['normal', 'abnormal'] },
    group: 'unit',
  },
  'noise-field': {
    version: 1,
    channels: ['vibration'],
    metadata: { serial: { kind: 'numeric' }, batch: { kind: 'categorical' } },
    context: {},
    label: { name: 'label', task: 'binary', classes: ['slow', 'fast'] },
    group: 'unit',
  },
};

const GENERATORS: Record<ScenarioName, (o: Required<ScenarioOptions>, rng: Rng) => SeriesRecord[]> = {
  'machine-type': machineType,
  'age-threshold': ageThreshold,
  'operating-mode': operatingMode,
  'noise-field': noiseField,
};

/** Generates a scenario's dataset (schema + labelled records with groups), seeded. */
export function generateScenario(name: ScenarioName, options: ScenarioOptions = {}): Dataset & { info: ScenarioInfo } {
  const gen = GENERATORS[name];
  if (!gen) {
    throw new MetaseriesError('DATA_UNKNOWN_SCENARIO', 'no synthetic scenario has this name', {
      value: name,
      expected: Object.keys(GENERATORS).join(', '),
    });
  }
  const o = { ...defaultScenarioOptions, ...options };
  const schema = structuredClone(SCHEMAS[name]);
  return { schema, records: gen(o, createRng(o.seed)), info: SCENARIOS[name] };
}
