// Types of sim/registry/registry.js for TypeScript tests.
import type { ChildProcess } from 'node:child_process';

export const REGISTRY_BINARY: string;

/** A server certificate (for 127.0.0.1) and the CA that signed it, as files. */
export interface RegistryCertificate {
  readonly certificate: string;
  readonly key: string;
  readonly ca: string;
}

export interface RegistryOptions {
  /** true (default): a CA made with openssl; false: plain HTTP; or the certificate to serve. */
  tls?: boolean | RegistryCertificate;
  /** htpasswd auth (default true). */
  auth?: boolean;
  username?: string;
  password?: string;
  /** Given to start again where a killed one was; default a free port and a temp folder. */
  port?: number;
  storage?: string;
  /** distribution's log level (default error). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

export interface Registry {
  /** 127.0.0.1:PORT */
  readonly host: string;
  readonly port: number;
  readonly storage: string;
  readonly tls: boolean;
  /** The CA's PEM text and its file (undefined without TLS). */
  readonly ca: string | undefined;
  readonly caFile: string | undefined;
  readonly auth: boolean;
  readonly username: string;
  readonly password: string;
  readonly process: ChildProcess;
  /** Pushes a tiny schema-2 image `host/repo:tag`. */
  push(image: string): Promise<void>;
  /** Deletes the manifest of an image this handle pushed. */
  remove(image: string): Promise<void>;
  /** A Docker config folder (for DOCKER_CONFIG) with these credentials or the ones given. */
  dockerConfig(user?: string, password?: string): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, storage, certificate and credentials (after a kill). */
  restart(): Promise<Registry>;
  /** Ends the process, keeps its files. */
  stop(): Promise<void>;
  /** Ends the process and removes its temp folder (not a storage folder the caller gave). */
  close(): Promise<void>;
}

export function htpasswdLine(username: string, password: string): string;
export function startRegistry(options?: RegistryOptions): Promise<Registry>;
