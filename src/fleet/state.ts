import { write, type Command } from '../command.js';
import { kubectlArgv, type KubectlTarget } from '../kube/argv.js';
import type { PushEvidence } from '../apply/push.js';
import type { Runner } from '../runner/runner.js';

export const FLEET_STATE_NAMESPACE = 'eksa-system';
export const FLEET_STATE_NAME = 'eksa-safe-upgrade-fleet';

export type ClusterState = 'pending' | 'skipped' | 'awaiting' | 'backing-up' | 'upgrading' | 'confirming' | 'confirmed' | 'failed' | 'not-attempted';

/** One cluster of the fleet as far as the run got: the evidence record and the ConfigMap hold these. */
export interface ClusterProgress {
  readonly name: string;
  /** Its wave; null for a cluster skipped or awaited outside the waves. */
  readonly wave: number | null;
  state: ClusterState;
  /** Exit code name of its failure. */
  exit?: string;
  error?: string;
  reason?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  backup?: string;
  restore?: string;
  planSha256?: string;
  /** `--push`: its set's off-site copies, in plan order, made before its hand-off (failed ones only with --push-optional). */
  pushes?: PushEvidence[];
}

/** The state write of the plan: `kubectl replace` (create when the ConfigMap is not there yet), the object on stdin. */
export function stateCommand(target: KubectlTarget): Command {
  return write(kubectlArgv(target, ['replace', '-f', '-', '-o', 'name']), `record the fleet state in ConfigMap ${FLEET_STATE_NAMESPACE}/${FLEET_STATE_NAME}`);
}

export function stateConfigMap(management: string, clusters: readonly ClusterProgress[], now: Date): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: FLEET_STATE_NAME, namespace: FLEET_STATE_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'eksa-safe-upgrade' } },
    data: {
      management,
      updated: now.toISOString(),
      clusters: JSON.stringify(clusters.map((c) => ({ name: c.name, wave: c.wave, state: c.state, ...(c.exit ? { exit: c.exit } : {}), ...(c.backup ? { backup: c.backup } : {}) }))),
    },
  };
}

/**
 * Writes the state as it changes, one write at a time, and only the newest: states recorded while a write is
 * under way are folded into the next one (the last state always wins), so clusters running side by side do
 * not queue a kubectl call per change. A failed write is a warning, not a stop: the live objects, not this
 * record, decide what a rerun does.
 */
export class FleetStateWriter {
  private newest: { input: string; clusters: readonly ClusterProgress[] } | undefined;
  private draining: Promise<void> | undefined;
  constructor(
    private readonly runner: Runner,
    private readonly command: Command,
    private readonly management: string,
    private readonly warn: (line: string) => void,
    /** Also told of each change: the evidence file is rewritten with it, so a killed run leaves its state there too. */
    private readonly onRecord: (clusters: readonly ClusterProgress[]) => Promise<void> = async () => undefined,
  ) {}

  /** Resolves once this state, or a newer one, is written. */
  record(clusters: readonly ClusterProgress[]): Promise<void> {
    this.newest = { input: JSON.stringify(stateConfigMap(this.management, clusters, new Date())), clusters: clusters.map((c) => ({ ...c })) };
    return (this.draining ??= this.drain());
  }

  private async drain(): Promise<void> {
    try {
      for (let next = this.newest; next !== undefined; next = this.newest) {
        this.newest = undefined;
        await this.onRecord(next.clusters).catch((e: unknown) => this.warn(`could not write the record: ${(e as Error).message}`));
        await this.write(next.input);
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async write(input: string): Promise<void> {
    try {
      await this.runner.run({ ...this.command, input });
    } catch (error) {
      if (!/NotFound|not found/.test(String((error as { stderr?: string }).stderr ?? (error as Error).message))) {
        this.warn(`could not record the fleet state: ${(error as Error).message}`);
        return;
      }
      const create = { ...this.command, argv: this.command.argv.map((a) => (a === 'replace' ? 'create' : a)), input };
      await this.runner.run(create).catch((e: unknown) => this.warn(`could not record the fleet state: ${(e as Error).message}`));
    }
  }
}
