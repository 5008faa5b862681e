// sha256 on a worker thread. Hashing a large file costs about as much CPU as encrypting it (OpenSSL does both
// at 1.5–2.5 GB/s), so `backups push --encrypt-to` hashes the plaintext on a second core while this thread
// seals it (bench/push.mjs). The bytes are not copied: they live in a SharedArrayBuffer that both threads see,
// and the caller leaves them alone until the update that names them has resolved.
//
// One thread for the process, started at the first use and unreferenced while idle (it never keeps the process
// alive); it serves every file being hashed, each under its own number, in the order its messages arrive.
import { Worker } from 'node:worker_threads';

// Evaluated, not a module file: the same code runs from dist/ and under the test runner (which runs src/*.ts).
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
// Per hash: the sha256 so far, and the shared buffers its caller named (sent once, then named by number).
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'drop') return void hashes.delete(m.stream);
  try {
    let h = hashes.get(m.stream);
    if (!h) hashes.set(m.stream, (h = { hash: createHash('sha256'), buffers: [] }));
    if (m.op === 'update') {
      if (m.buffer) h.buffers[m.slot] = m.buffer;
      h.hash.update(new Uint8Array(h.buffers[m.slot], m.offset, m.length));
      parentPort.postMessage({ id: m.id });
    } else {
      hashes.delete(m.stream);
      parentPort.postMessage({ id: m.id, hex: h.hash.digest('hex') });
    }
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: String((error && error.message) || error) });
  }
});
`;

interface Waiting {
  resolve(hex: string | undefined): void;
  reject(error: Error): void;
}

interface Thread {
  readonly worker: Worker;
  readonly waiting: Map<number, Waiting>;
}

let thread: Thread | undefined;
let nextRequest = 0;
let nextStream = 0;

function started(): Thread {
  if (thread) return thread;
  const worker = new Worker(SOURCE, { eval: true });
  worker.unref();
  const t: Thread = { worker, waiting: new Map() };
  const failAll = (error: Error) => {
    if (thread === t) thread = undefined;
    for (const w of t.waiting.values()) w.reject(error);
    t.waiting.clear();
  };
  worker.on('message', (m: { id: number; hex?: string; error?: string }) => {
    const w = t.waiting.get(m.id);
    t.waiting.delete(m.id);
    // Referenced only while an answer is awaited: a pending hash keeps the process up, an idle thread does not.
    if (t.waiting.size === 0) worker.unref();
    if (m.error !== undefined) w?.reject(new Error(`sha256: ${m.error}`));
    else w?.resolve(m.hex);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the sha256 thread exited with code ${code}`)));
  thread = t;
  return t;
}

function ask(message: Record<string, unknown>): Promise<string | undefined> {
  const t = started();
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    if (t.waiting.size === 0) t.worker.ref();
    t.waiting.set(id, { resolve, reject });
    t.worker.postMessage({ ...message, id });
  });
}

/** One sha256 computed on the shared thread. */
export class ThreadSha256 {
  readonly #stream = nextStream++;
  // The shared buffers the thread has been sent, by number: each is sent once, then named by its number (a
  // SharedArrayBuffer in a message is serialized and becomes a new object on the thread every time).
  readonly #sent = new Map<SharedArrayBuffer, number>();

  /** Adds `bytes`, which must view a SharedArrayBuffer and stay unchanged until the returned promise resolves. */
  async update(bytes: Uint8Array): Promise<void> {
    const buffer = bytes.buffer;
    if (!(buffer instanceof SharedArrayBuffer)) throw new TypeError('ThreadSha256 hashes bytes in a SharedArrayBuffer only');
    let slot = this.#sent.get(buffer);
    const first = slot === undefined;
    if (slot === undefined) this.#sent.set(buffer, (slot = this.#sent.size));
    await ask({ op: 'update', stream: this.#stream, slot, ...(first ? { buffer } : {}), offset: bytes.byteOffset, length: bytes.length });
  }

  /** The hex digest of everything added, once every update before it is hashed. */
  async digest(): Promise<string> {
    return (await ask({ op: 'digest', stream: this.#stream }))!;
  }

  /** Forgets a hash that will not be finished (its file failed). */
  drop(): void {
    thread?.worker.postMessage({ op: 'drop', stream: this.#stream });
  }
}
