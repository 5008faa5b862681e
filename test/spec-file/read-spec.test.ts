import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec-file/read-spec.js';
import { specYaml } from '../spec/spec-yaml.js';

describe('loadSpec', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spec-'));

  it('names a missing file and the flag that fixes it', async () => {
    await expect(loadSpec(path.join(dir, 'nope.yaml'))).rejects.toThrow(/cluster spec .*nope.yaml does not exist/);
  });

  it('refuses a directory', async () => {
    await expect(loadSpec(dir)).rejects.toThrow(/is not a file/);
  });

  it('refuses a file far larger than any spec without reading it', async () => {
    const big = path.join(dir, 'big.yaml');
    writeFileSync(big, Buffer.alloc(5 * 1024 * 1024, 0x61));
    await expect(loadSpec(big)).rejects.toThrow(/larger than any EKS-A spec/);
  });

  it('loads a good file with an absolute path', async () => {
    const good = path.join(dir, 'good.yaml');
    writeFileSync(good, specYaml());
    const spec = await loadSpec(good);
    expect(spec.file).toBe(good);
  });
});
