import { ToolError } from '../errors.js';
import { explainKubectlFailure, type Kubectl } from '../kubectl/kubectl.js';
import { read, write, type Command } from '../command.js';
import type { Runner } from '../runner/runner.js';
import { LEASE_API_VERSION, LEASE_NAME, LEASE_NAMESPACE, LEASES, type LeaseObject } from './lease.js';

/** The answers of the API server the lock protocol acts on; any other failure is thrown. */
export type Refusal = 'AlreadyExists' | 'Conflict' | 'NotFound';

export type WriteOutcome =
  | { readonly status: 'ok'; readonly lease: LeaseObject | undefined }
  /** Dry run: the runner printed the write and did not run it. */
  | { readonly status: 'skipped' }
  | { readonly status: Refusal; readonly message: string };

const REFUSAL = /Error from server \((AlreadyExists|Conflict|NotFound)\): (.*)/;
const LEASE_PATH = `/apis/${LEASE_API_VERSION}/namespaces/${LEASE_NAMESPACE}/leases/${LEASE_NAME}`;

/**
 * The kubectl calls on our Lease, each one through the runner with the object on stdin (never a
 * temporary file, never a shell string). Writes print the stored object (`-o json`) so the caller
 * keeps the new resourceVersion for its next conditional write.
 */
export class LeaseClient {
  constructor(
    private readonly runner: Runner,
    private readonly kubectl: Kubectl,
  ) {}

  async get(why = 'read the upgrade lock'): Promise<LeaseObject | undefined> {
    const command = read(
      this.kubectl.argv(['get', LEASES, LEASE_NAME, '--namespace', LEASE_NAMESPACE, '--ignore-not-found', '-o', 'json']),
      why,
    );
    const stdout = await this.kubectl.runRead(command);
    return stdout.trim() === '' ? undefined : parseLease(stdout, command);
  }

  create(lease: LeaseObject, why = 'take the upgrade lock'): Promise<WriteOutcome> {
    return this.write(write(this.kubectl.argv(['create', '-f', '-', '-o', 'json']), why, { input: JSON.stringify(lease) }));
  }

  /** PUT; conditional when `lease` carries a resourceVersion (409 Conflict when it is stale). */
  replace(lease: LeaseObject, why: string): Promise<WriteOutcome> {
    return this.write(write(this.kubectl.argv(['replace', '-f', '-', '-o', 'json']), why, { input: JSON.stringify(lease) }));
  }

  /**
   * Delete only the version we read (DeleteOptions preconditions): `kubectl delete NAME` does no
   * resourceVersion check, and a lease renewed or taken over in between must survive.
   */
  deleteVersion(resourceVersion: string, why = 'release the upgrade lock'): Promise<WriteOutcome> {
    const options = { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion } };
    return this.write(write(this.kubectl.argv(['delete', '--raw', LEASE_PATH, '-f', '-']), why, { input: JSON.stringify(options) }));
  }

  /** Delete whoever holds it (`--force-unlock`). */
  deleteAny(why = 'force-unlock: delete the upgrade lock'): Promise<WriteOutcome> {
    const argv = ['delete', LEASES, LEASE_NAME, '--namespace', LEASE_NAMESPACE, '--ignore-not-found', '--wait=false'];
    return this.write(write(this.kubectl.argv(argv), why));
  }

  private async write(command: Command): Promise<WriteOutcome> {
    try {
      const result = await this.runner.run(command);
      if (result.skipped) return { status: 'skipped' };
      const text = result.stdout.trim();
      return { status: 'ok', lease: text.startsWith('{') && /"kind":\s*"Lease"/.test(text) ? parseLease(text, command) : undefined };
    } catch (error) {
      const refusal = error instanceof ToolError ? REFUSAL.exec(error.stderr) : null;
      if (refusal) return { status: refusal[1] as Refusal, message: refusal[0].trim() };
      throw explainKubectlFailure(error, this.kubectl.options.kubeconfig);
    }
  }
}

function parseLease(text: string, command: Command): LeaseObject {
  try {
    return JSON.parse(text) as LeaseObject;
  } catch {
    throw new ToolError('Environment', `kubectl printed output that is not JSON for: ${command.why}`, { argv: command.argv });
  }
}
