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
    description: 'An operating mode logged every 10 steps, changing during the series, changes what a sensor level means.',
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
  // The mode switches once at a random step in the first half; it is logged every 10 steps
  // (context at its own, coarser rate). Expected level: idle 0, load 2. Abnormal adds +2 in the
  // second half. Levels seen there: idle-normal 0, idle-abnormal 2, load-normal 2, load-abnormal 4.
  // Level 2 is ambiguous without the mode (half of all records, 50/50): Bayes 0.75; with the
  // aligned mode every level is unambiguous: ≈ 1.0.
  const T = o.length;
  return Array.from({ length: o.n }, (_, i) => {
    const startMode = rng.next() < 0.5 ? 'idle' : 'load';
    const endMode = rng.next() < 0.5 ? 'idle' : 'load';
    const switchAt = 1 + rng.int(Math.floor(T / 2) - 1);
    const abnormal = rng.next() < 0.5;
    const values = new Float32Array(T);
    for (let t = 0; t < T; t++) {
      const mode = t < switchAt ? startMode : endMode;
      const expected = mode === 'load' ? 2 : 0;
      values[t] = expected + (abnormal && t >= T / 2 ? 2 : 0) + o.noise * rng.normal();
    }
    const logTimes: number[] = [];
    const logModes: string[] = [];
    for (let t = 0; t < T; t += 10) {
      logTimes.push(t);
      logModes.push(t < switchAt ? startMode : endMode);
    }
    // the switch itself is logged when it happens
    const k = logTimes.findIndex((t) => t > switchAt);
    if (startMode !== endMode) {
      const at = k < 0 ? logTimes.length : k;
      logTimes.splice(at, 0, switchAt);
      logModes.splice(at, 0, endMode);
    }
    return {
      id: `o${String(i).padStart(4, '0')}`,
      values: [values],
      times: Float64Array.from({ length: T }, (_, t) => t),
      metadata: {},
      context: { times: Float64Array.from(logTimes), values: { mode: logModes } },
      label: abnormal ? 'abnormal' : 'normal',
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
