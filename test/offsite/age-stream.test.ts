// Our streamed age against the Debian age CLI, both ways, at the chunk boundaries that matter.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ageCiphertextSize, decryptStream, encryptStream, isAgeRecipient, parseIdentityFile, parseRecipientsFile } from '../../src/offsite/age-stream.js';
import { tempFolder } from '../backup-sets/fixtures.js';
import { registryAvailable } from '../helpers/registry.js';
import { ageKey } from './fixtures.js';

/** Runs `source` through `transform` in pieces of `piece` bytes (7001 by default: the transforms must reassemble chunks whatever the read size). */
async function collect(source: Buffer, transform: NodeJS.ReadWriteStream, piece = 7001): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const pieces = Array.from({ length: Math.ceil(source.length / piece) }, (_, i) => source.subarray(i * piece, (i + 1) * piece));
  for await (const c of Readable.from(pieces).pipe(transform as unknown as NodeJS.WritableStream & Readable)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const SIZES = [0, 1, 65535, 65536, 65537, 2 * 65536, 300_000];
const MIB = 1024 * 1024;
// Around the chunk boundaries, the input arriving in pieces of 1 byte, of a chunk + 1, and of 3 MiB.
const BOUNDARIES: [number, number][] = [
  ...[0, 1, 65535, 65536, 65537, 2 * 65536].flatMap((size): [number, number][] => [
    [size, 1],
    [size, 65537],
    [size, 3 * MIB],
  ]),
  [2 * 65536 + 1, 1],
  [3 * MIB, 65537],
  [3 * MIB, 3 * MIB],
  [3 * MIB + 65537, 3 * MIB],
  [7 * MIB + 1, 3 * MIB],
];
const headerLength = (cipher: Buffer) => cipher.indexOf('\n', cipher.indexOf('\n---') + 1) + 1 + 16;

describe.skipIf(!registryAvailable())('age streams and the age CLI', () => {
  it.each(SIZES)('the age CLI decrypts what we encrypt (%i bytes)', async (size) => {
    const key = ageKey();
    const plain = randomBytes(size);
    const dir = await tempFolder('age-');
    writeFileSync(path.join(dir, 'f.age'), await collect(plain, await encryptStream([key.recipient])));
    expect(execFileSync('age', ['-d', '-i', key.identityFile, path.join(dir, 'f.age')]).equals(plain)).toBe(true);
  });

  it.each(BOUNDARIES)('the age CLI decrypts what we encrypt from %i bytes read in pieces of %i, one chunk per 64 KiB', async (size, piece) => {
    const key = ageKey();
    const plain = randomBytes(size);
    const dir = await tempFolder('age-');
    const cipher = await collect(plain, await encryptStream([key.recipient]), piece);
    // No empty last chunk after a full one (age's rule): exactly ceil(size / 64 KiB) chunks, one for empty input.
    expect(cipher.length).toBe(ageCiphertextSize(size, headerLength(cipher)));
    writeFileSync(path.join(dir, 'f.age'), cipher);
    expect(execFileSync('age', ['-d', '-i', key.identityFile, path.join(dir, 'f.age')], { maxBuffer: 64 * MIB }).equals(plain)).toBe(true);
  });

  it.each(BOUNDARIES)('we decrypt what the age CLI encrypts from %i bytes, read in pieces of %i', async (size, piece) => {
    const key = ageKey();
    const plain = randomBytes(size);
    const cipher = execFileSync('age', ['-r', key.recipient], { input: plain, maxBuffer: 64 * MIB });
    const identities = parseIdentityFile(readFileSync(key.identityFile, 'utf8'));
    expect((await collect(cipher, decryptStream(identities), piece)).equals(plain)).toBe(true);
  });

  it.each(SIZES)('we decrypt what the age CLI encrypts (%i bytes)', async (size) => {
    const key = ageKey();
    const plain = randomBytes(size);
    const cipher = execFileSync('age', ['-r', key.recipient], { input: plain });
    const identities = parseIdentityFile(readFileSync(key.identityFile, 'utf8'));
    expect((await collect(cipher, decryptStream(identities))).equals(plain)).toBe(true);
  });

  it('encrypts to several recipients, each of which decrypts', async () => {
    const [a, b] = [ageKey(), ageKey()];
    const plain = randomBytes(100_000);
    const cipher = await collect(plain, await encryptStream([a.recipient, b.recipient]));
    for (const k of [a, b]) expect((await collect(cipher, decryptStream(parseIdentityFile(readFileSync(k.identityFile, 'utf8'))))).equals(plain)).toBe(true);
  });

  it.each([
    ['a flipped payload byte', (c: Buffer) => (c[c.length - 100]! ^= 1, c), /does not authenticate/],
    ['a truncated last chunk', (c: Buffer) => c.subarray(0, c.length - 1000), /does not authenticate/],
    ['a whole chunk cut off the end', (c: Buffer) => c.subarray(0, c.length - (200_000 - 131072 + 16)), /does not authenticate/],
    ['a header only', (c: Buffer) => c.subarray(0, c.indexOf('\n---') + 50), /truncated|authenticate/],
  ])('refuses %s', async (_name, damage, message) => {
    const key = ageKey();
    const cipher = await collect(randomBytes(200_000), await encryptStream([key.recipient]));
    await expect(collect(damage(Buffer.from(cipher)), decryptStream(parseIdentityFile(readFileSync(key.identityFile, 'utf8'))))).rejects.toThrow(message);
  });

  it.each([
    ['the last chunk of a file of exactly two chunks, cut off', 2 * 65536, (c: Buffer) => c.subarray(0, c.length - (65536 + 16))],
    ['a byte of the first chunk of a multi-MiB file', 3 * MIB + 1, (c: Buffer) => (c[headerLength(c) + 10]! ^= 1, c)],
    ['an empty chunk appended after a full last one', 65536, (c: Buffer) => Buffer.concat([c, Buffer.alloc(16)])],
  ])('refuses %s, read in pieces of 65537', async (_name, size, damage) => {
    const key = ageKey();
    const cipher = await collect(randomBytes(size), await encryptStream([key.recipient]), 3 * MIB);
    await expect(collect(damage(Buffer.from(cipher)), decryptStream(parseIdentityFile(readFileSync(key.identityFile, 'utf8'))), 65537)).rejects.toThrow(/does not authenticate|empty chunk/);
  });

  it('refuses an identity that is not a recipient', async () => {
    const cipher = await collect(randomBytes(10), await encryptStream([ageKey().recipient]));
    await expect(collect(cipher, decryptStream(parseIdentityFile(readFileSync(ageKey().identityFile, 'utf8'))))).rejects.toThrow(/cannot decrypt/);
  });
});

describe('recipient and identity files', () => {
  it.each([
    ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p', true],
    ['age1QL3Z7HJY54PW3HYWW5AYYFG7ZQGVC7W3J2ELW8ZMRJ2KG5SFN9AQMCAC8P', false],
    ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8', false],
    ['ssh-ed25519 AAAA', false],
    ['AGE-SECRET-KEY-1QQ', false],
  ])('%s is a recipient: %s', (text, ok) => {
    expect(isAgeRecipient(text)).toBe(ok);
  });

  it('reads recipients files and identity files as age does', () => {
    expect(parseRecipientsFile('# ops team\nage1aaa\n\n  age1bbb  \n')).toEqual(['age1aaa', 'age1bbb']);
    expect(parseIdentityFile('# created: 2026\n# public key: age1x\nAGE-SECRET-KEY-1ABC\n')).toEqual(['AGE-SECRET-KEY-1ABC']);
  });
});
