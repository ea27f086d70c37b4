import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function lintAs(relPath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, relPath) });
  return result!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('package boundaries from DESIGN.md', () => {
  it.each([
    ['packages/data/src/x.ts', '@metaseries/fusion'],
    ['packages/data/src/x.ts', '@metaseries/encoders'],
    ['packages/core/src/x.ts', '@metaseries/data'],
    ['packages/eval/src/x.ts', '@metaseries/pipeline'],
    ['packages/encoders/src/x.ts', '@metaseries/fusion'],
    ['packages/fusion/src/x.ts', '@metaseries/pipeline'],
  ])('reports %s importing %s', async (file, dep) => {
    const messages = await lintAs(file, `import * as m from '${dep}';\nexport const x = m;\n`);
    // Either the tag constraint or, where the target already depends on the source, the cycle.
    expect(messages.join('\n')).toMatch(/can only depend on libs tagged with|Circular dependency/);
  });

  it('names the tag rule for data importing fusion', async () => {
    const messages = await lintAs('packages/data/src/x.ts', "import * as m from '@metaseries/fusion';\nexport const x = m;\n");
    expect(messages).toEqual(['A project tagged with "scope:data" can only depend on libs tagged with "scope:core"']);
  });

  it.each([
    ['packages/data/src/x.ts', '@metaseries/core'],
    ['packages/fusion/src/x.ts', '@metaseries/encoders'],
    ['packages/pipeline/src/x.ts', '@metaseries/fusion'],
    ['packages/pipeline/src/x.ts', '@metaseries/eval'],
  ])('allows %s importing %s', async (file, dep) => {
    expect(await lintAs(file, `import * as m from '${dep}';\nexport const x = m;\n`)).toEqual([]);
  });
});
