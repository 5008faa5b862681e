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

const CHUNK = 64 * 1024;
const TAG = 16;
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

function streamNonce(counter: bigint, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(counter, 3); // 11-byte counter: the top three bytes stay 0 (2^64 chunks is enough)
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** One sealed chunk, as its two parts (the ciphertext, then its tag): the caller joins many at once. */
function sealParts(key: Buffer, counter: bigint, last: boolean, plain: Buffer): [Buffer, Buffer] {
  const cipher = createCipheriv('chacha20-poly1305', key, streamNonce(counter, last), { authTagLength: TAG });
  const body = cipher.update(plain);
  cipher.final();
  return [body, cipher.getAuthTag()];
}

function open(key: Buffer, counter: bigint, last: boolean, sealed: Buffer): Buffer {
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
async function newHeader(recipients: readonly string[]): Promise<{ headerAndNonce: Buffer; key: Buffer }> {
  let fileKey: Uint8Array | undefined;
  const e = new Encrypter();
  // A recipient that only sees the file key and adds no stanza: the real recipients' stanzas are the package's.
  e.addRecipient({ wrapFileKey: (k: Uint8Array) => ((fileKey = k), []) });
  for (const r of recipients) e.addRecipient(r);
  // The encryption of nothing is header || nonce || one empty final chunk (its 16-byte tag).
  const empty = Buffer.from(await e.encrypt(new Uint8Array(0)));
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

/** A Transform: plaintext in, an age file for `recipients` out. */
export async function encryptStream(recipients: readonly string[]): Promise<Transform> {
  if (recipients.length === 0) throw new AgeError('no recipients');
  const { headerAndNonce, key } = await newHeader(recipients);
  let counter = 0n;
  // One chunk held back: only the end of the input says which chunk is the last.
  let held: Buffer = Buffer.alloc(0);
  let headerSent = false;
  const sendHeader = (t: Transform) => {
    if (!headerSent) t.push(headerAndNonce);
    headerSent = true;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      sendHeader(this);
      held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      // Seal every full chunk that is surely not the last (more bytes follow it), and pass them on as one buffer:
      // a push per 64 KiB chunk costs the next stream a write each, several times the encryption itself.
      const sealed: Buffer[] = [];
      let offset = 0;
      while (held.length - offset > CHUNK) {
        sealed.push(...sealParts(key, counter++, false, held.subarray(offset, offset + CHUNK)));
        offset += CHUNK;
      }
      if (sealed.length > 0) this.push(Buffer.concat(sealed));
      // What is held back (at most one chunk) is copied: the input's buffer is not ours to keep.
      held = offset === 0 ? held : Buffer.from(held.subarray(offset));
      done();
    },
    flush(done: TransformCallback) {
      sendHeader(this);
      this.push(Buffer.concat(sealParts(key, counter++, true, held)));
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
  let pending: Buffer = Buffer.alloc(0);
  let key: Buffer | undefined;
  let counter = 0n;
  let ended = false;
  const MAX_HEADER = 64 * 1024;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const go = async () => {
        if (!key) {
          const end = headerEnd(pending);
          if (end < 0) {
            if (pending.length > MAX_HEADER) throw new AgeError('not an age file: no header end in the first 64 KiB');
            return;
          }
          if (pending.length < end + NONCE) return;
          const header = pending.subarray(0, end);
          if (!header.toString('latin1').startsWith('age-encryption.org/v1\n')) throw new AgeError('not an age v1 file');
          let fileKey: Uint8Array;
          try {
            fileKey = await d.decryptHeader(header);
          } catch (error) {
            throw new AgeError(`cannot decrypt: ${(error as Error).message} (is the identity one of the recipients?)`);
          }
          key = Buffer.from(hkdfSync('sha256', fileKey, pending.subarray(end, end + NONCE), 'payload', 32));
          pending = Buffer.from(pending.subarray(end + NONCE));
        }
        // A full sealed chunk followed by more bytes is not the last.
        let offset = 0;
        while (pending.length - offset > CHUNK + TAG) {
          this.push(open(key, counter++, false, pending.subarray(offset, offset + CHUNK + TAG)));
          offset += CHUNK + TAG;
        }
        if (offset > 0) pending = Buffer.from(pending.subarray(offset));
      };
      go().then(() => done(), (error: Error) => done(error));
    },
    flush(done: TransformCallback) {
      if (ended) return done();
      ended = true;
      if (!key) return done(new AgeError('truncated age file: the header or nonce is incomplete'));
      if (pending.length < TAG) return done(new AgeError('truncated age file: the last chunk is missing'));
      try {
        const last = open(key, counter++, true, pending);
        if (last.length === 0 && counter > 1n) return done(new AgeError('age file ends with an empty chunk after data'));
        this.push(last);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}
