// The pack's tar framing: table tests of the pure parts, and GNU tar (the real one) reading what we write.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK, TAR_END, paxRecord, tarFileHeader, tarPadding } from '../../src/offsite/tar-pack.js';
import { tempFolder } from '../backup-sets/fixtures.js';

describe('paxRecord', () => {
  it.each([
    // ' path=a\n' is 8 bytes; with its own digit, 9.
    ['a', '9 path=a\n'],
    // 7 + 91 = 98 bytes of body; 2 digits make 100, which has 3: the length settles on 101.
    ['x'.repeat(91), `101 path=${'x'.repeat(91)}\n`],
    ['x'.repeat(89), `98 path=${'x'.repeat(89)}\n`],
  ])('%#: the length counts its own digits', (value, want) => {
    const record = paxRecord('path', value);
    expect(record).toBe(want);
    expect(Buffer.byteLength(record)).toBe(Number(record.split(' ')[0]));
  });
});

describe('tarPadding', () => {
  it.each([
    [0, 0],
    [1, 511],
    [511, 1],
    [512, 0],
    [513, 511],
  ])('%i bytes take %i of padding', (size, padding) => expect(tarPadding(size).length).toBe(padding));
});

describe('tarFileHeader', () => {
  const checksumOf = (header: Buffer) => {
    const copy = Buffer.from(header);
    copy.fill(' ', 148, 156);
    return copy.reduce((n, b) => n + b, 0);
  };

  it('writes one ustar block for a short name, with a checksum tar accepts', () => {
    const header = tarFileHeader('capi/Cluster_eksa-system_mgmt.yaml', 1234, 1_700_000_000);
    expect(header.length).toBe(BLOCK);
    expect(header.subarray(257, 263).toString('latin1')).toBe('ustar\0');
    expect(header.subarray(124, 135).toString('latin1')).toBe((1234).toString(8).padStart(11, '0'));
    expect(Number.parseInt(header.subarray(148, 154).toString('latin1'), 8)).toBe(checksumOf(header));
    expect(header[156]).toBe('0'.charCodeAt(0));
  });

  it('puts a name over 100 bytes in a pax record first', () => {
    const name = `capi/${'a'.repeat(120)}/Secret_eksa-system_${'b'.repeat(60)}.yaml.age`;
    const header = tarFileHeader(name, 10, 0);
    expect(header.length).toBe(3 * BLOCK);
    expect(header[156]).toBe('x'.charCodeAt(0));
    expect(header.subarray(BLOCK, 2 * BLOCK).toString('latin1')).toContain(` path=${name}\n`);
    expect(header[2 * BLOCK + 156]).toBe('0'.charCodeAt(0));
  });

  it('refuses a size its field cannot hold', () => {
    expect(() => tarFileHeader('big', 8 * 1024 ** 3, 0)).toThrow(RangeError);
  });
});

describe('GNU tar reads the pack', () => {
  it('lists and extracts every file, long names included, byte for byte', async () => {
    const dir = await tempFolder('tar-pack-');
    const files: [string, Buffer][] = [
      ['manifest.json', Buffer.from('{"state":"complete"}\n')],
      ['capi/empty.yaml', Buffer.alloc(0)],
      ['capi/block.bin', Buffer.alloc(BLOCK, 7)],
      [`capi/${'n'.repeat(150)}.yaml.age`, Buffer.from('x'.repeat(1000))],
      ['eksa/odd.yaml', Buffer.from('y'.repeat(513))],
    ];
    const parts: Buffer[] = [];
    for (const [name, bytes] of files) parts.push(tarFileHeader(name, bytes.length, 1_764_000_000), bytes, tarPadding(bytes.length));
    parts.push(TAR_END);
    const archive = path.join(dir, 'small-files.tar');
    writeFileSync(archive, Buffer.concat(parts));
    const listed = execFileSync('tar', ['-tf', archive]).toString().trim().split('\n');
    expect(listed).toEqual(files.map(([name]) => name));
    const out = path.join(dir, 'out');
    mkdirSync(out);
    execFileSync('tar', ['-xf', archive, '-C', out]);
    for (const [name, bytes] of files) expect(readFileSync(path.join(out, name)).equals(bytes), name).toBe(true);
    expect(execFileSync('tar', ['-tvf', archive]).toString()).toMatch(/^-rw------- /);
  });
});
