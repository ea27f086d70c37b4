// One `train-one.mjs` run as a child process (run.mjs and cv-train.mjs start them N at a time).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'train-one.mjs');

/**
 * Runs `train-one.mjs` with `args` and resolves to `{ status, run, stderr }`: `run` is its JSON
 * line (null when it exited non-zero), `stderr` what it wrote there (empty with `stderr: 'inherit'`).
 */
export function runTrainOne(args, { stderr = 'pipe' } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', stderr] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr?.on('data', (c) => (err += c));
    child.on('close', (status) => resolve({ status, stderr: err, run: status === 0 ? JSON.parse(out.trim().split('\n').at(-1)) : null }));
  });
}
