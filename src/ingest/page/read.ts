import { readFile, stat } from 'node:fs/promises';

export const MAX_PAGE_BYTES = 5 * 1024 * 1024;

/** A problem with one input file; the CLI prints it as `FILE[:LINE]: message`. */
export class ImportError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'ImportError';
  }

  override toString(): string {
    return `${this.file}${this.line ? `:${this.line}` : ''}: ${this.message}`;
  }
}

/** Reads a page dump as text, refusing what is not one: too big, binary, or not UTF-8. */
export async function readPageFile(file: string): Promise<string> {
  const info = await stat(file).catch(() => null);
  if (!info) throw new ImportError(file, 'file not found');
  if (!info.isFile()) throw new ImportError(file, 'not a regular file');
  if (info.size > MAX_PAGE_BYTES) throw new ImportError(file, `file is ${info.size} bytes; the limit is 5 MB`);
  const bytes = await readFile(file);
  if (bytes.length === 0) throw new ImportError(file, 'file is empty');
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw new ImportError(file, 'binary file (contains NUL bytes), expected UTF-8 text', lineAt(bytes, nul));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ImportError(file, 'not valid UTF-8 text', firstInvalidUtf8Line(bytes));
  }
}

function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function firstInvalidUtf8Line(bytes: Buffer): number | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end;
    try {
      decoder.decode(bytes.subarray(start, stop));
    } catch {
      return line;
    }
    if (end === -1) return undefined;
    start = end + 1;
  }
  return undefined;
}
