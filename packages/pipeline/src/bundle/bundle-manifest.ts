import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MetaseriesError } from '@metaseries/core';

/** Version of the bundle layout written by this package. Loading refuses a newer one. */
export const BUNDLE_FORMAT_VERSION = 1;
/** Name of the manifest file inside a bundle folder. It is written last. */
export const MANIFEST_FILE = 'manifest.json';

/** Size and checksum of one file of a bundle. */
export interface BundleFileEntry {
  /** Bytes. */
  size: number;
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: string;
}

/** `manifest.json`: what a bundle holds and how to check it. */
export interface BundleManifest {
  /** Layout version ({@link BUNDLE_FORMAT_VERSION} when written by this package). */
  formatVersion: number;
  /** ISO 8601 time the bundle was written. */
  createdAt: string;
  /** Versions of the packages that wrote it (`@metaseries/*`, tfjs). */
  packages: Record<string, string>;
  /** Every other file of the bundle by name (relative to the folder), with size and sha256. */
  files: Record<string, BundleFileEntry>;
}

/** The files of a bundle as bytes, by name. */
export type BundleFiles = Map<string, Uint8Array>;

/** sha256 of `bytes`, lower-case hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Builds the manifest of `files` (which must not include the manifest itself). */
export function createManifest(files: BundleFiles, packages: Record<string, string>, createdAt = new Date()): BundleManifest {
  const entries: Record<string, BundleFileEntry> = {};
  for (const name of [...files.keys()].sort()) {
    if (name === MANIFEST_FILE) throw new MetaseriesError('BUNDLE_INVALID_FILE_NAME', `${MANIFEST_FILE} is written by the bundle writer itself`, { field: name });
    checkFileName(name);
    const bytes = files.get(name)!;
    entries[name] = { size: bytes.byteLength, sha256: sha256(bytes) };
  }
  return { formatVersion: BUNDLE_FORMAT_VERSION, createdAt: createdAt.toISOString(), packages, files: entries };
}

function checkFileName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new MetaseriesError('BUNDLE_INVALID_FILE_NAME', 'bundle file names are plain names inside the folder', { field: name, expected: 'letters, digits, . _ -' });
  }
}

/** What {@link readVerifiedBundleFiles} returns: the manifest and every file it lists, verified. */
export interface VerifiedBundleFiles {
  manifest: BundleManifest;
  files: BundleFiles;
}

/**
 * Reads the bundle folder `dir` and checks it against its manifest: every listed file present,
 * of the listed size and sha256. Throws `BUNDLE_NOT_FOUND` (no folder, or a folder that is not
 * a bundle), `BUNDLE_MISSING_MANIFEST`, `BUNDLE_MANIFEST_INVALID`, `BUNDLE_FORMAT_TOO_NEW`,
 * `BUNDLE_FILE_MISSING`, `BUNDLE_TRUNCATED` or `BUNDLE_CHECKSUM_MISMATCH` (naming the file).
 * Files not listed in the manifest are never read.
 */
export async function readVerifiedBundleFiles(dir: string): Promise<VerifiedBundleFiles> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new MetaseriesError('BUNDLE_NOT_FOUND', `no bundle folder at ${dir}`, { file: dir, expected: 'a folder written by saveBundle' });
  }
  let manifestText: string;
  try {
    manifestText = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    const names = await readdir(dir);
    if (names.includes('model.json') || names.includes('preprocessing.json')) {
      throw new MetaseriesError('BUNDLE_MISSING_MANIFEST', `bundle at ${dir} has no ${MANIFEST_FILE}: it was not written by saveBundle or was damaged`, {
        file: path.join(dir, MANIFEST_FILE),
        expected: 'manifest.json with the sha256 of every file',
      });
    }
    throw new MetaseriesError('BUNDLE_NOT_FOUND', `${dir} is not a model bundle (no ${MANIFEST_FILE}, no model.json)`, { file: dir, expected: 'a folder written by saveBundle' });
  }
  const manifest = parseManifest(manifestText, path.join(dir, MANIFEST_FILE));
  const files: BundleFiles = new Map();
  for (const [name, entry] of Object.entries(manifest.files)) {
    checkFileName(name);
    const file = path.join(dir, name);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch {
      throw new MetaseriesError('BUNDLE_FILE_MISSING', `bundle file ${name} listed in the manifest is missing`, { file, field: name });
    }
    if (bytes.byteLength < entry.size) {
      throw new MetaseriesError('BUNDLE_TRUNCATED', `bundle file ${name} is truncated: ${bytes.byteLength} of ${entry.size} bytes`, {
        file,
        field: name,
        value: bytes.byteLength,
        expected: `${entry.size} bytes`,
      });
    }
    const hash = sha256(bytes);
    if (bytes.byteLength !== entry.size || hash !== entry.sha256) {
      throw new MetaseriesError('BUNDLE_CHECKSUM_MISMATCH', `bundle file ${name} does not match its checksum: it was changed after saving`, {
        file,
        field: name,
        value: `${bytes.byteLength} bytes, sha256 ${hash}`,
        expected: `${entry.size} bytes, sha256 ${entry.sha256}`,
      });
    }
    files.set(name, bytes);
  }
  return { manifest, files };
}

function parseManifest(text: string, file: string): BundleManifest {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new MetaseriesError('BUNDLE_MANIFEST_INVALID', `${MANIFEST_FILE} is not valid JSON (truncated or damaged)`, { file }, { cause: e });
  }
  const obj = m as Partial<BundleManifest> | null;
  if (typeof obj !== 'object' || obj === null || typeof obj.formatVersion !== 'number') {
    throw new MetaseriesError('BUNDLE_MANIFEST_INVALID', `${MANIFEST_FILE} has no formatVersion`, { file, field: 'formatVersion', expected: 'a number' });
  }
  if (obj.formatVersion > BUNDLE_FORMAT_VERSION) {
    throw new MetaseriesError(
      'BUNDLE_FORMAT_TOO_NEW',
      `bundle format ${obj.formatVersion} was written by a newer @metaseries/pipeline; this one reads up to format ${BUNDLE_FORMAT_VERSION}. Upgrade @metaseries/pipeline.`,
      { file, field: 'formatVersion', value: obj.formatVersion, expected: `<= ${BUNDLE_FORMAT_VERSION}` },
    );
  }
  const files = obj.files;
  const valid =
    typeof files === 'object' &&
    files !== null &&
    Object.values(files).every((e) => typeof e === 'object' && e !== null && typeof e.size === 'number' && typeof e.sha256 === 'string');
  if (!valid || obj.formatVersion < 1) {
    throw new MetaseriesError('BUNDLE_MANIFEST_INVALID', `${MANIFEST_FILE} does not list the bundle's files with size and sha256`, { file, field: 'files' });
  }
  return obj as BundleManifest;
}
