// The datasets of the accuracy bench: the example config of each, the published deep-learning
// accuracy on the same official train/test split (with its source), and the issue-11 target.
// Published figures are copied from ../shared/data/<set>/README.md (which names each source's
// repository and commit); they are reference numbers, never computed here.

const TSML_UNI = 'tsml-eval results (Middlehurst et al. 2024, "Bake off redux"), default split';
const TSML_MV = 'tsml-eval results (Ruiz et al. 2021, multivariate bake off), default split';
const FAWAZ = 'Fawaz et al. 2019 (dl-4-tsc), mean of 10 runs';

/**
 * @typedef {object} BenchDataset
 * @property {string} id       folder under examples/
 * @property {string} name     dataset name
 * @property {{ value: number, model: string, source: string } | null} published  best published deep-learning accuracy on the default split
 * @property {number | null} target   the accuracy issue 11 asks for
 * @property {number} [quickEpochs]   epochs in --quick mode
 * @property {number} [quickFloor]    --quick fails when test accuracy falls below this
 * @property {number} [maxSeeds]      at most this many seeds (PLAID: one, for its training cost)
 */

/** @type {BenchDataset[]} */
export const DATASETS = [
  {
    id: 'italypowerdemand',
    name: 'ItalyPowerDemand',
    published: { value: 0.966, model: 'InceptionTime', source: TSML_UNI },
    target: 0.96,
    quickEpochs: 30,
    quickFloor: 0.9,
  },
  {
    id: 'basicmotions',
    name: 'BasicMotions',
    published: { value: 1.0, model: 'InceptionTime / ResNet', source: TSML_MV },
    target: 1.0,
    quickEpochs: 30,
    quickFloor: 0.85,
  },
  {
    id: 'gunpoint',
    name: 'GunPoint',
    published: { value: 1.0, model: 'InceptionTime', source: TSML_UNI },
    target: 0.99,
  },
  {
    id: 'arrowhead',
    name: 'ArrowHead',
    published: { value: 0.8629, model: 'InceptionTime', source: TSML_UNI },
    target: 0.85,
  },
  {
    id: 'racketsports',
    name: 'RacketSports',
    published: { value: 0.9079, model: 'ResNet', source: TSML_MV },
    target: 0.9,
  },
  {
    id: 'natops',
    name: 'NATOPS',
    published: { value: 0.9778, model: 'ResNet', source: TSML_MV },
    target: 0.96,
  },
  {
    id: 'japanesevowels',
    name: 'JapaneseVowels',
    published: { value: 0.993, model: 'FCN', source: FAWAZ },
    target: 0.98,
  },
  { id: 'plaid', name: 'PLAID', published: null, target: null },
];

/** Datasets of `--quick` (the CI subset). */
export const QUICK = ['italypowerdemand', 'basicmotions'];
