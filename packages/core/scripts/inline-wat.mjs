// Inlines a WebAssembly text module's small helper functions (non-exported, with a result) into
// their callers, before wabt assembles it. V8 (Node 20) does not inline wasm calls, and its wasm
// calling convention saves no SIMD register across a call: every `(call $tanh …)` in a gate loop
// spilled the loop's live v128 values to the stack and back. Each call becomes
//   (block (result T) ARG1 … ARGn local.set $__f_pn … local.set $__f_p1 BODY…)
// with the callee's params and locals renamed `$__<callee>_<name>` and declared in the caller.
// The arguments are all evaluated before any is stored, so a call nested in an argument (even
// to the same helper) cannot clobber the outer call's parameters.

/** Tokens of WAT source: '(', ')', atoms; comments dropped. */
function tokenize(src) {
  const tokens = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ';' && src[i + 1] === ';') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '(' && src[i + 1] === ';') {
      const end = src.indexOf(';)', i);
      if (end < 0) throw new Error('unterminated block comment');
      i = end + 2;
    } else if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      tokens.push(src.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < src.length && !/[\s()]/.test(src[j]) && !(src[j] === ';' && src[j + 1] === ';')) j++;
      tokens.push(src.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/** Nested arrays of atoms (one array per parenthesised form). */
function parse(tokens) {
  const stack = [[]];
  for (const t of tokens) {
    if (t === '(') stack.push([]);
    else if (t === ')') {
      const done = stack.pop();
      if (stack.length === 0) throw new Error('unbalanced )');
      stack[stack.length - 1].push(done);
    } else stack[stack.length - 1].push(t);
  }
  if (stack.length !== 1) throw new Error('unbalanced (');
  return stack[0];
}

const print = (node) => (Array.isArray(node) ? `(${node.map(print).join(' ')})` : node);

const isForm = (n, head) => Array.isArray(n) && n[0] === head;

/** A helper that can be inlined: `(func $name (param …)* (result T) (local …)* body…)`, not exported. */
function helperOf(func) {
  const name = func[1];
  if (typeof name !== 'string' || !name.startsWith('$')) return null;
  if (func.some((n) => isForm(n, 'export'))) return null;
  const params = [];
  const locals = [];
  let result = null;
  let k = 2;
  for (; k < func.length; k++) {
    const n = func[k];
    if (isForm(n, 'param')) params.push([n[1], n[2]]);
    else if (isForm(n, 'result')) result = n[1];
    else if (isForm(n, 'local')) locals.push([n[1], n[2]]);
    else break;
  }
  if (!result || params.some(([p]) => !p.startsWith('$'))) return null;
  return { name, params, locals, result, body: func.slice(k) };
}

/** `node` with every local reference renamed by `rename` (a Map from old to new name). */
function renameLocals(node, rename) {
  if (!Array.isArray(node)) return node;
  if ((node[0] === 'local.get' || node[0] === 'local.set' || node[0] === 'local.tee') && rename.has(node[1])) {
    return [node[0], rename.get(node[1]), ...node.slice(2).map((n) => renameLocals(n, rename))];
  }
  return node.map((n) => renameLocals(n, rename));
}

/**
 * Replaces every `(call $helper …)` under `node` by the helper's renamed body; `declare`
 * collects the locals the caller must declare.
 */
function expand(node, helpers, declare, depth = 0) {
  if (!Array.isArray(node)) return node;
  if (depth > 16) throw new Error('inline-wat: helpers nested too deep (recursive?)');
  const kids = node.map((n) => expand(n, helpers, declare, depth));
  if (kids[0] !== 'call' || !helpers.has(kids[1])) return kids;
  const h = helpers.get(kids[1]);
  const args = kids.slice(2);
  if (args.length !== h.params.length) throw new Error(`inline-wat: ${h.name} takes ${h.params.length} arguments, got ${args.length}`);
  const prefix = `$__${h.name.slice(1)}_`;
  const rename = new Map();
  for (const [n, type] of [...h.params, ...h.locals]) {
    const renamed = prefix + n.slice(1);
    rename.set(n, renamed);
    declare.set(renamed, type);
  }
  const stores = h.params.map(([p]) => ['local.set', rename.get(p)]).reverse();
  const body = h.body.map((n) => expand(renameLocals(n, rename), helpers, declare, depth + 1));
  // flat `local.set $x` instructions pop the arguments pushed just before them
  return ['block', ['result', h.result], ...args, ...stores.flat(), ...body];
}

/** `src` with every call to a non-exported helper function inlined and the helpers removed. */
export function inlineWat(src) {
  const top = parse(tokenize(src));
  const module = top.find((n) => isForm(n, 'module'));
  if (!module) throw new Error('inline-wat: no (module …)');
  const helpers = new Map();
  for (const n of module) {
    if (!isForm(n, 'func')) continue;
    const h = helperOf(n);
    if (h) helpers.set(h.name, h);
  }
  const out = [];
  for (const n of module) {
    if (isForm(n, 'func') && helpers.has(n[1])) continue;
    if (!isForm(n, 'func')) {
      out.push(n);
      continue;
    }
    const declare = new Map();
    let k = 1;
    while (k < n.length && (typeof n[k] === 'string' || ['export', 'param', 'result', 'local', 'type'].some((h) => isForm(n[k], h)))) k++;
    const body = n.slice(k).map((b) => expand(b, helpers, declare));
    const locals = [...declare].map(([name, type]) => ['local', name, type]);
    out.push([...n.slice(0, k), ...locals, ...body]);
  }
  return print(out);
}
