import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MetaseriesError } from '@metaseries/core';

/** Longest line a loader accepts, in characters; longer lines are `LOAD_LINE_TOO_LONG` (bounds memory). Default for loaders: 64 MiB. */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024 * 1024;

/** A run of consecutive lines of a file; `first` is the 1-based number of `lines[0]`. */
export interface LineBatch {
  lines: string[];
  first: number;
}

/**
 * Streams a text file line by line (UTF-8, `\n` or `\r\n`), never holding the whole file as one
 * string. Yields `[line, lineNumber]` with 1-based numbers. Invalid UTF-8 is a `LOAD_BAD_ENCODING`.
 */
export async function* readLines(file: string, maxLineLength = DEFAULT_MAX_LINE_LENGTH): AsyncGenerator<[string, number]> {
  for await (const { lines, first } of readLineBatches(file, maxLineLength)) {
    for (let i = 0; i < lines.length; i++) yield [lines[i]!, first + i];
  }
}

/**
 * Like {@link readLines}, one batch per chunk read (up to 1 MiB): the loaders' fast path, which
 * saves a promise per line.
 */
export async function* readLineBatches(file: string, maxLineLength = DEFAULT_MAX_LINE_LENGTH): AsyncGenerator<LineBatch> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new MetaseriesError('LOAD_FILE_NOT_FOUND', 'the path is not a file', { file });
    size = st.size;
  } catch (e) {
    if (e instanceof MetaseriesError) throw e;
    throw new MetaseriesError('LOAD_FILE_NOT_FOUND', 'the file does not exist or cannot be read', { file }, { cause: e });
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let lineNo = 0;
  // small files get a small buffer: a 1 MiB one per open file dominates the cost of many small reads
  const stream = createReadStream(file, { highWaterMark: Math.max(1024, Math.min(1 << 20, size + 1)) });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch (e) {
      stream.destroy();
      throw new MetaseriesError('LOAD_BAD_ENCODING', 'the file is not valid UTF-8', { file, line: lineNo + 1 }, { cause: e });
    }
    pending += text;
    let nl: number;
    let start = 0;
    const batch: LineBatch = { lines: [], first: lineNo + 1 };
    while ((nl = pending.indexOf('\n', start)) >= 0) {
      lineNo++;
      if (nl - start > maxLineLength) {
        stream.destroy();
        throw new MetaseriesError('LOAD_LINE_TOO_LONG', `a line is longer than ${maxLineLength} characters`, { file, line: lineNo, expected: `<= ${maxLineLength} characters` });
      }
      let line = pending.slice(start, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      batch.lines.push(line);
      start = nl + 1;
    }
    if (batch.lines.length) yield batch;
    pending = pending.slice(start);
    if (pending.length > maxLineLength) {
      stream.destroy();
      throw new MetaseriesError('LOAD_LINE_TOO_LONG', `a line is longer than ${maxLineLength} characters`, { file, line: lineNo + 1, expected: `<= ${maxLineLength} characters` });
    }
  }
  try {
    pending += decoder.decode();
  } catch (e) {
    throw new MetaseriesError('LOAD_BAD_ENCODING', 'the file is not valid UTF-8', { file, line: lineNo + 1 }, { cause: e });
  }
  if (pending.length > 0) {
    lineNo++;
    yield { lines: [pending.endsWith('\r') ? pending.slice(0, -1) : pending], first: lineNo };
  }
}
