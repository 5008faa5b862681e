import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { parseSpec } from '../spec/load-spec.js';
import type { ClusterSpec } from '../spec/types.js';

// A real spec is a few kilobytes; anything this large is a wrong file, and parsing it would waste memory.
const MAX_SPEC_BYTES = 4 * 1024 * 1024;

/** Read, parse and validate an EKS-A cluster spec (multi-document YAML). */
export async function loadSpec(file: string): Promise<ClusterSpec> {
  const absolute = path.resolve(file);
  const text = await readSpecText(absolute, file);
  return parseSpec(text, absolute);
}

async function readSpecText(absolute: string, shown: string): Promise<string> {
  let size: number;
  try {
    const info = await stat(absolute);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    size = info.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is not a file' : `cannot be read (${code})`;
    throw new UsageError(`cluster spec ${shown} ${why}`, { hint: 'pass -f with the path of the EKS-A cluster spec' });
  }
  if (size > MAX_SPEC_BYTES) {
    throw new UsageError(`cluster spec ${shown} is ${size} bytes, larger than any EKS-A spec (limit ${MAX_SPEC_BYTES})`, {
      hint: 'pass -f with the EKS-A cluster spec, not another file',
    });
  }
  try {
    return await readFile(absolute, 'utf8');
  } catch (error) {
    throw new UsageError(`cluster spec ${shown} cannot be read (${(error as NodeJS.ErrnoException).code})`, {
      hint: 'check the file permissions',
    });
  }
}
