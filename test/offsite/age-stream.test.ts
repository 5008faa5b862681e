// Our streamed age against the Debian age CLI, both ways, at the chunk boundaries that matter.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decryptStream, encryptStream, isAgeRecipient, parseIdentityFile, parseRecipientsFile } from '../../src/offsite/age-stream.js';
import { tempFolder } from '../backup-sets/fixtures.js';
import { registryAvailable } from '../helpers/registry.js';
import { ageKey } from './fixtures.js';

async function collect(source: Buffer, transform: NodeJS.ReadWriteStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // Small pieces: the transforms must reassemble chunks whatever the read size.
  const pieces = Array.from({ length: Math.ceil(source.length / 7001) }, (_, i) => source.subarray(i * 7001, (i + 1) * 7001));
  for await (const c of Readable.from(pieces).pipe(transform as unknown as NodeJS.WritableStream & Readable)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const SIZES = [0, 1, 65535, 65536, 65537, 2 * 65536, 300_000];

describe.skipIf(!registryAvailable())('age streams and the age CLI', () => {
  it.each(SIZES)('the age CLI decrypts what we encrypt (%i bytes)', async (size) => {
    const key = ageKey();
    const plain = randomBytes(size);
    const dir = await tempFolder('age-');
    writeFileSync(path.join(dir, 'f.age'), await collect(plain, await encryptStream([key.recipient])));
    expect(execFileSync('age', ['-d', '-i', key.identityFile, path.join(dir, 'f.age')]).equals(plain)).toBe(true);
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
