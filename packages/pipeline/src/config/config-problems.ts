import type { z } from 'zod';

/** One problem of a run config: the key path, what is wrong, the value seen and what was expected. */
export interface ConfigProblem {
  /** Dotted key path, e.g. `train.earlyStopping.patience` or `data.series.channels[1]`. */
  path: string;
  message: string;
  value?: unknown;
  expected?: string;
}

function joinPath(parts: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '$';
}

/** Turns zod issues into problems that name the config key path. */
export function zodProblems(issues: ReadonlyArray<z.core.$ZodIssue>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const where = joinPath(issue.path);
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          out.push({ path: joinPath([...issue.path, key]), message: 'unknown key', value: key, expected: 'a documented key (see the pipeline README)' });
        }
        break;
      case 'invalid_type':
        out.push({
          path: where,
          message: input === undefined ? 'required key is missing' : `must be ${issue.expected}`,
          value: input,
          expected: issue.expected,
        });
        break;
      case 'invalid_value':
        out.push({ path: where, message: 'not an allowed value', value: input, expected: issue.values.map((v) => JSON.stringify(v)).join(' | ') });
        break;
      case 'too_small':
        out.push({ path: where, message: issue.message, value: input, expected: `${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}` });
        break;
      case 'too_big':
        out.push({ path: where, message: issue.message, value: input, expected: `${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}` });
        break;
      case 'invalid_union':
        out.push(...unionProblem(issue, where, input));
        break;
      case 'custom':
        out.push({ path: where, message: issue.message, value: input, expected: (issue.params as { expected?: string } | undefined)?.expected });
        break;
      default:
        out.push({ path: where, message: issue.message, value: input });
    }
  }
  return out;
}

function unionProblem(issue: z.core.$ZodIssueInvalidUnion, where: string, input: unknown): ConfigProblem[] {
  // Report the branch that got furthest (the one whose problems sit deepest), so an object
  // with one bad key says which key rather than "no union member matched".
  let best: ConfigProblem[] | undefined;
  let bestDepth = -1;
  for (const branch of issue.errors) {
    const problems = zodProblems(branch.map((b) => ({ ...b, path: [...issue.path, ...b.path] })) as z.core.$ZodIssue[]);
    const depth = Math.max(...branch.map((b) => b.path.length));
    if (depth > bestDepth) {
      best = problems;
      bestDepth = depth;
    }
  }
  if (best && bestDepth > 0) return best;
  const expected = (issue.errors as z.core.$ZodIssue[][])
    .flatMap((b) => b.map((i) => (i.code === 'invalid_value' ? i.values.map((v) => JSON.stringify(v)).join(' | ') : i.code === 'invalid_type' ? i.expected : '')))
    .filter(Boolean)
    .join(' | ');
  return [{ path: where, message: input === undefined ? 'required key is missing' : 'not an allowed value', value: input, expected: expected || undefined }];
}
