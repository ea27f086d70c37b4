// The command line of the accuracy scripts (run.mjs, cv-train.mjs, train-one.mjs, azure-pdm.mjs), read with
// node:util's parseArgs in strict mode: a flag the script does not know, or an option without its
// value, exits 2 naming it. (A mistyped `--fold` or `--epoch` used to be ignored and the run went
// on with the defaults, which is how a setting "chosen on CV" could silently be another one.)
import { parseArgs } from 'node:util';

/**
 * @param {string} prog the script's name, for the error line
 * @param {{ options?: string[], switches?: string[], repeatable?: string[] }} spec
 *   `options` take one value (`--seed 2`), `switches` none (`--quick`), `repeatable` options may
 *   be given many times (`--set a=1 --set b=2`)
 * @returns {{ opt: (name: string, def?: string) => string | undefined, flag: (name: string) => boolean, all: (name: string) => string[] }}
 */
export function readArgs(prog, { options = [], switches = [], repeatable = [] }, argv = process.argv.slice(2)) {
  const spec = Object.fromEntries([
    ...options.map((n) => [n, { type: 'string' }]),
    ...switches.map((n) => [n, { type: 'boolean' }]),
    ...repeatable.map((n) => [n, { type: 'string', multiple: true }]),
  ]);
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false }));
  } catch (e) {
    const known = [...options, ...repeatable].map((n) => `--${n} V`).concat(switches.map((n) => `--${n}`));
    process.stderr.write(`${prog}: ${e.message} (it takes ${known.join(', ')})\n`);
    process.exit(2);
  }
  return {
    opt: (name, def) => values[name] ?? def,
    flag: (name) => values[name] === true,
    all: (name) => values[name] ?? [],
  };
}
