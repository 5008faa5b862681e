// encryptFile, what `backups push --encrypt-to` runs on large files, against the Debian age CLI at the chunk and
// read boundaries, and on files that change size or fail while they are read.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileChangedError, encryptFile, readableOf } from '../../src/offsite/age-file.js';
import { ageCiphertextSize, decryptStream, parseIdentityFile } from '../../src/offsite/age-stream.js';
import { tempFolder } from '../backup-sets/fixtures.js';
import { registryAvailable } from '../helpers/registry.js';
import { ageKey } from './fixtures.js';

const CHUNK = 65536;
const MIB = 1024 * 1024;
const SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, MIB - 1, MIB, MIB + 1, MIB + CHUNK, 2 * MIB, 3 * MIB + 12345];
const headerLength = (cipher: Buffer) => cipher.indexOf('\n', cipher.indexOf('\n---') + 1) + 1 + 16;

async function plainFile(size: number): Promise<{ file: string; plain: Buffer }> {
  const plain = randomBytes(size);
  const file = path.join(await tempFolder('age-file-'), 'plain.bin');
  writeFileSync(file, plain);
  return { file, plain };
}

/** The age file of `file`, taken as push takes it (`readable`: through readableOf) or as the bench does (the batches). */
async function encrypt(file: string, recipient: string, way: 'batches' | 'readable'): Promise<{ cipher: Buffer; plain: { sha256: string; size: number } }> {
  const handle = await open(file, 'r');
  try {
    const encrypted = await encryptFile(handle, [recipient], 'plain.bin');
    const parts: Buffer[] = [];
    if (way === 'batches') for await (const batch of encrypted.batches) parts.push(...batch);
    else for await (const b of readableOf(encrypted.batches)) parts.push(b as Buffer);
    return { cipher: Buffer.concat(parts), plain: encrypted.plain() };
  } finally {
    await handle.close();
  }
}

describe.skipIf(!registryAvailable())('encryptFile and the age CLI', () => {
  it.each(SIZES.flatMap((size) => (['readable', 'batches'] as const).map((way): [number, 'readable' | 'batches'] => [size, way])))('the age CLI and decryptStream decrypt what we encrypt from a file of %i bytes, taken as %s', async (size, way) => {
    const key = ageKey();
    const { file, plain } = await plainFile(size);
    const { cipher, plain: digest } = await encrypt(file, key.recipient, way);
    expect(digest).toEqual({ sha256: createHash('sha256').update(plain).digest('hex'), size });
    // One chunk per 64 KiB begun, one for an empty file: no empty chunk after a full last one (age's rule).
    expect(cipher.length).toBe(ageCiphertextSize(size, headerLength(cipher)));
    const cipherFile = `${file}.age`;
    writeFileSync(cipherFile, cipher);
    expect(execFileSync('age', ['-d', '-i', key.identityFile, cipherFile], { maxBuffer: 64 * MIB }).equals(plain)).toBe(true);
    const ours: Buffer[] = [];
    for await (const b of Readable.from([cipher]).pipe(decryptStream(parseIdentityFile(readFileSync(key.identityFile, 'utf8'))))) ours.push(b as Buffer);
    expect(Buffer.concat(ours).equals(plain)).toBe(true);
  });

  it.each(SIZES)('decryptStream decrypts what the age CLI encrypts from a file of %i bytes', async (size) => {
    const key = ageKey();
    const { file, plain } = await plainFile(size);
    const cipher = execFileSync('age', ['-r', key.recipient, file], { maxBuffer: 64 * MIB });
    const ours: Buffer[] = [];
    for await (const b of Readable.from([cipher]).pipe(decryptStream(parseIdentityFile(readFileSync(key.identityFile, 'utf8'))))) ours.push(b as Buffer);
    expect(Buffer.concat(ours).equals(plain)).toBe(true);
  });

  it('encrypts to several recipients, each of which decrypts with the age CLI', async () => {
    const [a, b] = [ageKey(), ageKey()];
    const { file, plain } = await plainFile(MIB + 3);
    const handle = await open(file, 'r');
    const encrypted = await encryptFile(handle, [a.recipient, b.recipient], 'plain.bin');
    const cipher = Buffer.concat(await readableOf(encrypted.batches).toArray());
    await handle.close();
    writeFileSync(`${file}.age`, cipher);
    for (const k of [a, b]) expect(execFileSync('age', ['-d', '-i', k.identityFile, `${file}.age`], { maxBuffer: 64 * MIB }).equals(plain)).toBe(true);
  });
});

describe('encryptFile on a file that changes or fails while it is read', () => {
  const recipient = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

  /** Takes the header and the first read's batch of a file of `size` bytes, does `meanwhile`, then takes the rest. */
  async function changedMidway(size: number, meanwhile: (file: string, handle: Awaited<ReturnType<typeof open>>) => Promise<void> | void) {
    const { file } = await plainFile(size);
    const handle = await open(file, 'r');
    const encrypted = await encryptFile(handle, [recipient], 'snapshot.db');
    const batches = encrypted.batches[Symbol.asyncIterator]();
    const taken: Buffer[] = [];
    for (let i = 0; i < 2; i++) taken.push(...((await batches.next()).value as Buffer[]));
    await meanwhile(file, handle);
    const rest = (async () => {
      try {
        for (let r = await batches.next(); !r.done; r = await batches.next()) taken.push(...r.value);
      } finally {
        await handle.close();
      }
    })();
    return { rest, taken, plain: () => encrypted.plain() };
  }

  it('fails when the file shrinks: the last-chunk flag would be on a chunk that is not the last', async () => {
    // Reads 0 to 2 are in flight or done after the first batch; read 3 finds the end at 3.5 MiB.
    const { rest, taken, plain } = await changedMidway(8 * MIB, (file) => truncateSync(file, 3.5 * MIB));
    await expect(rest).rejects.toThrow(FileChangedError);
    await expect(rest).rejects.toThrow('snapshot.db changed size while it was encrypted: 8388608 bytes when opened, then it ended at 3670016');
    expect(() => plain()).toThrow(/not read to its end/);
    // Out before the failure: the header and the three whole reads before the end, none of them flagged last.
    const cipher = Buffer.concat(taken);
    expect(cipher.length).toBe(headerLength(cipher) + 3 * 16 * (CHUNK + 16));
  });

  it('fails when the file grows: nothing may follow the bytes it had when opened', async () => {
    const { rest, plain } = await changedMidway(3 * MIB + 5, (file) => appendFileSync(file, 'x'));
    await expect(rest).rejects.toThrow('snapshot.db changed size while it was encrypted: 3145733 bytes when opened, then it had more');
    expect(() => plain()).toThrow(/not read to its end/);
  });

  it('fails when a read fails', async () => {
    const { rest } = await changedMidway(8 * MIB, (_file, handle) => handle.close());
    await expect(rest).rejects.toThrow(/closed|EBADF/);
  });

  it('ends the upload body with the error: a store never sees a clean end', async () => {
    const { file } = await plainFile(3 * MIB);
    const handle = await open(file, 'r');
    const body = readableOf((await encryptFile(handle, [recipient], 'snapshot.db')).batches);
    const reading = body.toArray();
    truncateSync(file, MIB);
    await expect(reading).rejects.toThrow(FileChangedError);
    await handle.close();
  });
});
