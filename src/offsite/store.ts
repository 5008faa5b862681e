import type { Readable } from 'node:stream';
import type { RemoteManifest } from './artifact.js';

/** A file as stored: the sha256 and size of the stored bytes (ciphertext when encrypted). */
export interface Stored {
  readonly sha256: string;
  readonly size: number;
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
  /** Stores one file's bytes (a small file whole, a large one as a stream); nothing is visible as a set until commit. */
  putFile(set: string, path: string, encrypted: boolean, body: Readable | Buffer): Promise<Stored>;
  /** Writes the remote manifest last: the set now exists remotely. Returns the digest or ETag. */
  commit(set: string, remote: RemoteManifest, files: readonly (Stored & { path: string; encrypted: boolean })[]): Promise<string>;
  /** The remote manifest of a committed set, and its digest or ETag; undefined when there is none. */
  manifest(set: string): Promise<{ remote: RemoteManifest; reference: string } | undefined>;
  /** One file's stored bytes, as a stream. */
  getFile(set: string, path: string, stored: Stored): Promise<Readable>;
  /** The names of the committed sets. */
  list(): Promise<string[]>;
  /** Removes a committed set (its manifest first, so it never looks complete half-removed). */
  remove(set: string): Promise<void>;
}
