import type { Readable } from 'node:stream';
import type { RemoteManifest } from './artifact.js';

/** A file as stored: the sha256 and size of the stored bytes (ciphertext when encrypted). */
export interface Stored {
  readonly sha256: string;
  readonly size: number;
  /** Where its bytes start inside the pack of small files; absent for a file stored on its own. */
  readonly offset?: number;
}

/** What a push writes and a pull reads, whatever the backend. A set is complete remotely once `commit` returned. */
export interface OffsiteStore {
  /** The location, credentials-free, for messages and records. */
  readonly display: string;
  /** Settle connection and auth before any streamed body. */
  open(): Promise<void>;
  close(): void;
  /** A committed set of this name is there. */
  has(set: string): Promise<boolean>;
  /**
   * Stores one file's bytes, streamed; nothing is visible as a set until commit. `known`: the digest and size
   * the bytes must have (plaintext, from the set's manifest), for a store that checks them as it takes them.
   */
  putFile(set: string, path: string, encrypted: boolean, body: Readable, known?: Stored): Promise<Stored>;
  /** Stores the pack of small files (a tar, streamed); nothing is visible as a set until commit. */
  putPack(set: string, body: Readable): Promise<Stored>;
  /** Writes the remote manifest last: the set now exists remotely. Returns the digest or ETag. */
  commit(set: string, remote: RemoteManifest, files: readonly (Stored & { path: string; encrypted: boolean })[]): Promise<string>;
  /** The remote manifest of a committed set, and its digest or ETag; undefined when there is none. */
  manifest(set: string): Promise<{ remote: RemoteManifest; reference: string } | undefined>;
  /** One file's stored bytes, as a stream. */
  getFile(set: string, path: string, stored: Stored): Promise<Readable>;
  /** The pack's stored bytes, as a stream. */
  getPack(set: string, stored: Stored): Promise<Readable>;
  /** The names of the committed sets. */
  list(): Promise<string[]>;
  /** Removes a committed set (its manifest first, so it never looks complete half-removed). */
  remove(set: string): Promise<void>;
}
