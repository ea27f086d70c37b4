import { open } from 'node:fs/promises';
import { MetaseriesError, validateSchema, type DatasetSchema } from '@metaseries/core';

/** Largest schema file read, in bytes. */
const MAX_SCHEMA_BYTES = 16 * 1024 * 1024;

/**
 * Reads a saved (and perhaps hand-edited) schema JSON file and checks it with core's
 * `validateSchema` (every invalid key reported at once). Missing file: `LOAD_FILE_NOT_FOUND`;
 * invalid JSON: `SCHEMA_BAD_JSON` with the position.
 */
export async function readSchemaFile(file: string): Promise<DatasetSchema> {
  let text: string;
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      if (size > MAX_SCHEMA_BYTES) throw new MetaseriesError('SCHEMA_TOO_LARGE', 'a schema file over 16 MiB is not a schema', { file, value: size });
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof MetaseriesError) throw e;
    throw new MetaseriesError('LOAD_FILE_NOT_FOUND', 'the schema file does not exist or cannot be read', { file }, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MetaseriesError('SCHEMA_BAD_JSON', `the schema file is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { file }, { cause: e });
  }
  return validateSchema(json);
}
