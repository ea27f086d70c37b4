/*
 * Crash-safe replacement of a bundle folder.
 *
 * Protocol for `writeBundleFolder(dir, files)`, where `dir` is `<parent>/<name>`:
 *   0. recover: finish or undo whatever an earlier, killed writer left (see below).
 *   1. create `<parent>/.<name>.tmp-<tag>` (same filesystem as `dir`, so renames are atomic).
 *   2. write every file into it and fsync each; write `manifest.json` LAST and fsync it.
 *      A staging folder whose manifest verifies is therefore complete.
 *   3. fsync the staging folder.
 *   4. if `dir` exists, rename it to `<parent>/.<name>.old-<tag>`; fsync `<parent>`.
 *   5. rename the staging folder to `dir`; fsync `<parent>`.
 *   6. remove `.old-<tag>`.
 * A kill at any moment leaves `dir` holding the old bundle (before step 5) or the new one
 * (from step 5 on) — except between steps 4 and 5, where `dir` is missing and both the old
 * bundle (`.old-*`) and the complete new one (`.tmp-*`) are on disk.
 *
 * Recovery (`recoverBundleFolder`, run before every write): when `dir` is missing, the newest
 * staging folder whose manifest verifies is renamed into place (the save had completed its
 * writes); failing that the newest verifying `.old-*` is renamed back. Leftover `.tmp-*` and
 * `.old-*` folders of `dir` are then removed. `locateBundleFolder` makes the same choice without
 * changing anything, for readers. Leftovers are only ever used when `dir` itself is missing and
 * only if they verify, so a half-written staging folder is never mistaken for the bundle.
 *
 * One writer per bundle folder at a time: two processes saving to the same `dir` at once is
 * not supported.
 */
import { open, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE, createManifest, readVerifiedBundleFiles, type BundleFiles, type BundleManifest } from './bundle-manifest.js';

let counter = 0;

function leftoverPrefixes(dir: string): { parent: string; tmp: string; old: string } {
  const abs = path.resolve(dir);
  const name = path.basename(abs);
  return { parent: path.dirname(abs), tmp: `.${name}.tmp-`, old: `.${name}.old-` };
}

/** A tag that sorts by creation time: zero-padded milliseconds, then pid and a counter. */
function newTag(): string {
  counter += 1;
  return `${String(Date.now()).padStart(15, '0')}-${process.pid}-${counter}`;
}

async function fsyncPath(p: string): Promise<void> {
  const fh = await open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeDurable(file: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined)) !== undefined;
}

async function verifies(p: string): Promise<boolean> {
  try {
    await readVerifiedBundleFiles(p);
    return true;
  } catch {
    return false;
  }
}

async function leftovers(dir: string): Promise<{ parent: string; tmp: string[]; old: string[] }> {
  const { parent, tmp, old } = leftoverPrefixes(dir);
  const names = await readdir(parent).catch(() => [] as string[]);
  // Newest first: tags start with the zero-padded time.
  const pick = (prefix: string) => names.filter((n) => n.startsWith(prefix)).sort().reverse().map((n) => path.join(parent, n));
  return { parent, tmp: pick(tmp), old: pick(old) };
}

/** Which folder a reader should open for the bundle at `dir`, or `undefined` when none verifies. */
export interface LocatedBundleFolder {
  /** Folder to read. `dir` itself unless an interrupted save left the bundle in a staging or old folder. */
  folder: string;
  /** `dir`, `staged` (a completed save interrupted before its final rename) or `old` (the previous bundle). */
  source: 'dir' | 'staged' | 'old';
}

/**
 * Finds the folder holding the bundle `dir` without changing anything: `dir` when it exists,
 * otherwise the folder recovery would rename into place. `undefined` when there is none.
 */
export async function locateBundleFolder(dir: string): Promise<LocatedBundleFolder | undefined> {
  if (await exists(dir)) return { folder: path.resolve(dir), source: 'dir' };
  const { tmp, old } = await leftovers(dir);
  for (const t of tmp) if (await verifies(t)) return { folder: t, source: 'staged' };
  for (const o of old) if (await verifies(o)) return { folder: o, source: 'old' };
  return undefined;
}

/**
 * Completes or undoes a save that was killed part-way (see the protocol at the top of this
 * file) and removes its leftovers. Returns what was done: `none`, `staged` (an interrupted
 * save's complete staging folder became `dir`) or `old` (the previous bundle was put back).
 */
export async function recoverBundleFolder(dir: string): Promise<'none' | 'staged' | 'old'> {
  const abs = path.resolve(dir);
  let done: 'none' | 'staged' | 'old' = 'none';
  if (!(await exists(abs))) {
    const located = await locateBundleFolder(abs);
    if (located && located.source !== 'dir') {
      await rename(located.folder, abs);
      await fsyncPath(path.dirname(abs));
      done = located.source;
    }
  }
  const { tmp, old } = await leftovers(abs);
  for (const p of [...tmp, ...old]) await rm(p, { recursive: true, force: true });
  return done;
}

/**
 * Writes `files` plus a `manifest.json` listing their sizes and sha256 as the bundle folder
 * `dir`, replacing any bundle there atomically (see the protocol at the top of this file).
 * Returns the manifest written.
 */
export async function writeBundleFolder(dir: string, files: BundleFiles, packages: Record<string, string>, createdAt = new Date()): Promise<BundleManifest> {
  const abs = path.resolve(dir);
  const { parent, tmp: tmpPrefix, old: oldPrefix } = leftoverPrefixes(abs);
  await mkdir(parent, { recursive: true });
  await recoverBundleFolder(abs);
  const manifest = createManifest(files, packages, createdAt);
  const tag = newTag();
  const staging = path.join(parent, `${tmpPrefix}${tag}`);
  await mkdir(staging);
  for (const [name, bytes] of files) await writeDurable(path.join(staging, name), bytes);
  await writeDurable(path.join(staging, MANIFEST_FILE), new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  await fsyncPath(staging);
  const oldPath = path.join(parent, `${oldPrefix}${tag}`);
  const hadOld = await exists(abs);
  if (hadOld) {
    await rename(abs, oldPath);
    await fsyncPath(parent);
  }
  await rename(staging, abs);
  await fsyncPath(parent);
  if (hadOld) await rm(oldPath, { recursive: true, force: true });
  return manifest;
}
