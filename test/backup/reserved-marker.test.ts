import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rewriteReservedFile, writeReservedFile } from '../../src/backup/private-files.js';

describe('the failure marker keeps room for the failure (finding 8)', () => {
  it('is written padded to the reserve, parses as JSON, and is replaced atomically when there is room', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esu-marker-'));
    const file = path.join(dir, 'manifest.json');
    await writeReservedFile(file, JSON.stringify({ state: 'failed' }), 8192);
    expect(statSync(file).size).toBe(8192);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ state: 'failed' });
    await rewriteReservedFile(file, JSON.stringify({ state: 'failed', error: 'x' }));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ state: 'failed', error: 'x' });
    expect(readdirSync(dir)).toEqual(['manifest.json']);
  });
});
