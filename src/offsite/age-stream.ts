// age (https://age-encryption.org/v1) as Node streams, with constant memory.
//
// The header — the recipients' stanzas and its MAC — comes from the age-encryption package (age's own
// TypeScript implementation), never from code of ours. The payload is age's STREAM: 64 KiB chunks of
// ChaCha20-Poly1305 under HKDF-SHA256(file key, nonce, "payload"), nonce = 11-byte big-endian counter ||
// last-chunk flag. The package encrypts that in JavaScript (noble); here node:crypto does it (OpenSSL), which
// is several times faster on large snapshots. Format compatibility is tested both ways against the age CLI.
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { Decrypter, Encrypter, identityToRecipient } from 'age-encryption';
import { CHUNK, ChunkSplitter, TAG, streamNonce } from './age-chunks.js';

const NONCE = 16;

export class AgeError extends Error {}

/** A recipient string as age writes them: `age1` + bech32 of an X25519 key. */
export function isAgeRecipient(text: string): boolean {
  return /^age1[02-9ac-hj-np-z]{58}$/.test(text);
}

/** The recipients of an `--encrypt-to-file`: one per line, `#` comments and blank lines skipped (age -R's format). */
export function parseRecipientsFile(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The identities of an age identity file (age-keygen's output): the AGE-SECRET-KEY-1… lines. */
export function parseIdentityFile(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('AGE-SECRET-KEY-1'));
}

export async function recipientOf(identity: string): Promise<string> {
  return identityToRecipient(identity);
}

/** One sealed chunk, as its two parts (the ciphertext, then its tag). */
export function sealParts(key: Buffer, counter: number, last: boolean, plain: Buffer): [Buffer, Buffer] {
  const cipher = createCipheriv('chacha20-poly1305', key, streamNonce(counter, last), { authTagLength: TAG });
  const body = cipher.update(plain);
  cipher.final();
  return [body, cipher.getAuthTag()];
}

function open(key: Buffer, counter: number, last: boolean, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('chacha20-poly1305', key, streamNonce(counter, last), { authTagLength: TAG });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  const body = decipher.update(sealed.subarray(0, sealed.length - TAG));
  try {
    decipher.final();
  } catch {
    throw new AgeError('the ciphertext does not authenticate: it was changed, truncated, or is not for this key');
  }
  return body;
}

/** A fresh age header and payload key for `recipients`: the package wraps the file key and MACs the header. */
export async function newHeader(recipients: readonly string[]): Promise<{ headerAndNonce: Buffer; key: Buffer }> {
  let fileKey: Uint8Array | undefined;
  const e = new Encrypter();
  // A recipient that only sees the file key and adds no stanza: the real recipients' stanzas are the package's.
  e.addRecipient({ wrapFileKey: (k: Uint8Array) => ((fileKey = k), []) });
  for (const r of recipients) e.addRecipient(r);
  // The encryption of nothing is header || nonce || one empty final chunk (its 16-byte tag). Given as a stream
  // and read with a reader: given bytes, the package gathers its output through undici's Response, after which
  // (measured on Node 20) V8 runs a full garbage collection every few MiB of buffers for the rest of the process,
  // which made the payload several times slower than its cipher.
  const parts: Uint8Array[] = [];
  const reader = (await e.encrypt(new ReadableStream<Uint8Array>({ start: (c) => c.close() }))).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  const empty = Buffer.concat(parts);
  if (!fileKey) throw new AgeError('age-encryption did not hand out the file key');
  const headerAndNonce = empty.subarray(0, empty.length - TAG);
  const nonce = headerAndNonce.subarray(headerAndNonce.length - NONCE);
  return { headerAndNonce, key: Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32)) };
}

/** Size of the age file of `plain` bytes for a header of `headerBytes` (nonce included). */
export function ageCiphertextSize(plain: number, headerBytes: number): number {
  const chunks = Math.max(1, Math.ceil(plain / CHUNK));
  return headerBytes + plain + chunks * TAG;
}

/**
 * A Transform: plaintext in, an age file for `recipients` out, in constant memory (one held chunk).
 *
 * Each input buffer is sealed where it lies: the held chunk is filled from its head, then every full 64 KiB
 * chunk that more bytes follow is sealed straight from a subarray of it, and its tail is copied into the held
 * chunk; nothing is concatenated before the cipher. The chunks sealed from one input buffer go on as one
 * buffer: a push per chunk costs the next stream a write each (measured slower to /dev/null and to an HTTP
 * request). The sealing stays on this thread: on worker threads (batches of chunks, buffers transferred) the
 * paired ratio to the age CLI was lower on the 2-core bench machine, the threads' start and the copies to and
 * from them costing more than the cipher they took over (bench/push.mjs).
 */
export async function encryptStream(recipients: readonly string[]): Promise<Transform> {
  if (recipients.length === 0) throw new AgeError('no recipients');
  const { headerAndNonce, key } = await newHeader(recipients);
  const splitter = new ChunkSplitter(CHUNK);
  let counter = 0;
  let headerSent = false;
  const sendHeader = (t: Transform) => {
    if (!headerSent) t.push(headerAndNonce);
    headerSent = true;
  };
  return new Transform({
    transform(input: Buffer, _enc, done: TransformCallback) {
      sendHeader(this);
      const sealed: Buffer[] = [];
      splitter.push(input, (plain) => {
        const [body, tag] = sealParts(key, counter++, false, plain);
        sealed.push(body, tag);
      });
      if (sealed.length > 0) this.push(Buffer.concat(sealed));
      done();
    },
    flush(done: TransformCallback) {
      sendHeader(this);
      // The last chunk, flagged as such: what the splitter held (empty only for an empty input, as age writes).
      this.push(Buffer.concat(sealParts(key, counter++, true, splitter.end())));
      done();
    },
  });
}

/** The end of an age header: the `---` MAC line. Returns the offset just past its newline, or -1. */
function headerEnd(buffer: Buffer): number {
  let at = buffer.indexOf('\n---');
  if (at < 0 && buffer.subarray(0, 3).toString() === '---') at = -1;
  if (at < 0) return -1;
  const eol = buffer.indexOf('\n', at + 1);
  return eol < 0 ? -1 : eol + 1;
}

/** A Transform: an age file in, plaintext out, for one of `identities`. Fails on any tampering or truncation. */
export function decryptStream(identities: readonly string[]): Transform {
  const d = new Decrypter();
  for (const i of identities) d.addIdentity(i);
  // Until the header and nonce are read, the input is gathered here; after, it goes through the splitter.
  let head: Buffer = Buffer.alloc(0);
  const splitter = new ChunkSplitter(CHUNK + TAG);
  let key: Buffer | undefined;
  let counter = 0;
  let ended = false;
  const MAX_HEADER = 64 * 1024;
  /** Opens every sealed chunk of `input` that more bytes follow, and passes them on as one buffer. */
  const openAll = (t: Transform, input: Buffer) => {
    const plain: Buffer[] = [];
    splitter.push(input, (sealed) => plain.push(open(key!, counter++, false, sealed)));
    if (plain.length > 0) t.push(plain.length === 1 ? plain[0] : Buffer.concat(plain));
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (key) {
        try {
          openAll(this, chunk);
          return done();
        } catch (error) {
          return done(error as Error);
        }
      }
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const go = async () => {
        const end = headerEnd(head);
        if (end < 0) {
          if (head.length > MAX_HEADER) throw new AgeError('not an age file: no header end in the first 64 KiB');
          return;
        }
        if (head.length < end + NONCE) return;
        const header = head.subarray(0, end);
        if (!header.toString('latin1').startsWith('age-encryption.org/v1\n')) throw new AgeError('not an age v1 file');
        let fileKey: Uint8Array;
        try {
          fileKey = await d.decryptHeader(header);
        } catch (error) {
          throw new AgeError(`cannot decrypt: ${(error as Error).message} (is the identity one of the recipients?)`);
        }
        key = Buffer.from(hkdfSync('sha256', fileKey, head.subarray(end, end + NONCE), 'payload', 32));
        const rest = head.subarray(end + NONCE);
        head = Buffer.alloc(0);
        openAll(this, rest);
      };
      go().then(() => done(), (error: Error) => done(error));
    },
    flush(done: TransformCallback) {
      if (ended) return done();
      ended = true;
      if (!key) return done(new AgeError('truncated age file: the header or nonce is incomplete'));
      const lastSealed = splitter.end();
      if (lastSealed.length < TAG) return done(new AgeError('truncated age file: the last chunk is missing'));
      try {
        const last = open(key, counter++, true, lastSealed);
        if (last.length === 0 && counter > 1) return done(new AgeError('age file ends with an empty chunk after data'));
        this.push(last);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}
