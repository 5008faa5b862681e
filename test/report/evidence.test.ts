import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SafeUpgradeError, UsageError } from '../../src/errors.js';
import { ExitCode, type ExitCodeName } from '../../src/exit-codes.js';
import { LockedError } from '../../src/lock/errors.js';
import {
  EVIDENCE_SCHEMA_FILE,
  buildEvidence,
  formatEvidence,
  outcomeOf,
  validateEvidence,
  type Evidence,
  type EvidenceParts,
} from '../../src/report/evidence.js';
import { StepTimer } from '../../src/report/step-timer.js';
import { FINISHED, STARTED, clock, confirmed, fullParts, handoffArgv, handoffOk, heldLock, readyMgmt, spec, stop, unreadyW01 } from './evidence-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The committed JSON Schema, read back as a validator: what consumers of the record validate against.
const committedSchema = z.fromJSONSchema(JSON.parse(readFileSync(path.join(root, EVIDENCE_SCHEMA_FILE), 'utf8')));

const base = { command: 'cluster', toolVersion: '0.1.0', dryRun: false, startedAt: STARTED, finishedAt: FINISHED } as const;

function interruptedMidBackup(): EvidenceParts {
  const timer = new StepTimer(clock(100));
  for (const name of ['spec', 'tools', 'inventory', 'readiness', 'skew', 'scope', 'lock']) timer.start(name).end('ok');
  timer.start('capi backup');
  return {
    ...base, exit: 'Interrupted', error: new SafeUpgradeError('Interrupted', 'interrupted by SIGINT', { hint: 'the lock was released' }),
    spec, tools: { kubectl: '1.32.4', eksctl: 'v0.23.0' }, steps: timer.records('interrupted by SIGINT'),
    verdicts: [readyMgmt], skew: [], scope: { kind: 'whole-tree', clusters: ['mgmt'], summary: 'whole tree: all 1 clusters are ready' },
    lock: heldLock, backup: { dir: '/ops/mgmt/mgmt-backup-2025-03-01T10_00_05.partial', state: 'partial' },
  };
}

const holding = {
  holder: 'ops@laptop pid 9', acquireTime: '2025-03-01T09:58:00Z', renewedAgoSeconds: 4, expiresInSeconds: 296, leaseSeconds: 300,
  resourceVersion: '17', ciJobUrl: 'https://github.com/acme/fleet/actions/runs/1', cluster: 'mgmt',
};

describe('buildEvidence: full and early-failure records validate', () => {
  it.each<[string, EvidenceParts, { outcome: string; exitCode: number; check: (e: Evidence) => void }]>([
    [
      'fully populated, upgraded',
      fullParts(),
      {
        outcome: 'upgraded', exitCode: 0,
        check: (e) => {
          expect(e.error).toBeNull();
          expect(e.steps).toHaveLength(13);
          expect(e.steps.at(-1)).toEqual({ name: 'etcd w01', status: 'skipped', durationMs: 250, reason: 'left out of the scope: w01 is not ready' });
          expect(e.backup?.etcd).toEqual([{ cluster: 'mgmt', member: 'mgmt-etcd-a', file: 'etcd/mgmt-mgmt-etcd-a.db', sha256: 'c'.repeat(64), size: 2_097_152 }]);
          expect(e.lock).toMatchObject({ heldBy: 'this-run', released: true, takeover: { previousAcquireTime: null, staleSeconds: 600 } });
          expect(e.handoff).toMatchObject({ exitCode: 0, durationMs: 1_800_000, interrupted: false, skipped: false });
          expect(e.confirm?.clusters[0]).toMatchObject({ name: 'mgmt', generation: 5, observedGeneration: 5, kubernetesVersion: '1.32' });
          expect(e.inputs).toMatchObject({ specFile: '/ops/mgmt.yaml', cluster: 'mgmt', role: 'management', managementCluster: 'mgmt', onUnready: 'fallback' });
          expect(e.tools?.clusterctl).toEqual({ source: 'image', image: 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0' });
        },
      },
    ],
    [
      'usage error with nothing else',
      { ...base, exit: 'Usage', error: new UsageError('unknown flag --frobnicate', { hint: 'see --help' }), inputs: { flags: ['cluster', '--frobnicate'] } },
      {
        outcome: 'usage', exitCode: 2,
        check: (e) => {
          expect(e.error).toEqual({ message: 'unknown flag --frobnicate', hint: 'see --help' });
          expect(e.inputs).toEqual({ specFile: null, cluster: null, role: null, managementCluster: null, kubeconfig: null, onUnready: null, flags: ['cluster', '--frobnicate'], passThrough: [], specWarnings: [] });
          for (const key of ['tools', 'plan', 'scope', 'lock', 'backup', 'handoff', 'confirm'] as const) expect(e[key]).toBeNull();
          expect([e.steps, e.verdicts, e.skew]).toEqual([[], [], []]);
        },
      },
    ],
    [
      'not ready, with verdicts and the stop decision',
      { ...base, exit: 'NotReady', spec, tools: { kubectl: '1.32.4', eksctl: 'v0.23.0' }, verdicts: [readyMgmt, unreadyW01], skew: [], scope: stop },
      {
        outcome: 'not-ready', exitCode: 4,
        check: (e) => {
          expect(e.verdicts[1]?.reasons.map((r) => r.code)).toEqual(['control-plane-not-ready', 'machine-failed']);
          expect(e.scope).toMatchObject({ kind: 'stop', hint: stop.kind === 'stop' ? stop.hint : '' });
          expect(e.error).toBeNull();
        },
      },
    ],
    [
      'interrupted mid-backup: the open step is failed, the set partial',
      interruptedMidBackup(),
      {
        outcome: 'interrupted', exitCode: 130,
        check: (e) => {
          expect(e.steps.at(-1)).toEqual({ name: 'capi backup', status: 'failed', durationMs: 100, reason: 'interrupted by SIGINT' });
          expect(e.backup).toEqual({ dir: '/ops/mgmt/mgmt-backup-2025-03-01T10_00_05.partial', state: 'partial', files: [], etcd: [] });
          expect(e.handoff).toBeNull();
        },
      },
    ],
    [
      'locked by another run: its lease is the lock record',
      { ...base, exit: 'Locked', spec, error: new LockedError('the upgrade lock is held by ops@laptop pid 9', holding) },
      {
        outcome: 'locked', exitCode: 6,
        check: (e) => {
          expect(e.lock).toEqual({ heldBy: 'another-run', holder: 'ops@laptop pid 9', acquireTime: '2025-03-01T09:58:00Z', expiresInSeconds: 296, ciJobUrl: holding.ciJobUrl });
          expect(e.error?.hint).toContain('--force-unlock');
        },
      },
    ],
    [
      'dry run: nothing ran, eksctl exit code null',
      {
        ...fullParts(), dryRun: true, confirm: undefined,
        lock: { ...heldLock, dryRun: true, acquireTime: undefined, takeover: undefined, release: { released: false, note: 'dry run: nothing was taken' } },
        backup: { dir: '/ops/mgmt/mgmt-backup-2025-03-01T10_00_05', state: 'planned' },
        handoff: { argv: handoffArgv, result: { exitCode: 0, durationMs: 0, interrupted: false, forwardedSignals: [], skipped: true } },
      },
      {
        outcome: 'dry-run', exitCode: 0,
        check: (e) => {
          expect(e.handoff).toMatchObject({ exitCode: null, skipped: true });
          expect(e.lock).toMatchObject({ heldBy: 'this-run', dryRun: true, acquireTime: null, released: false, releaseNote: 'dry run: nothing was taken' });
          expect(e.lock).not.toHaveProperty('takeover');
          expect(e.confirm).toBeNull();
        },
      },
    ],
    [
      'upgrade failed after a good backup',
      { ...fullParts(), exit: 'UpgradeFailed', error: new Error('eksctl exited 1'), confirm: undefined, handoff: { argv: handoffArgv, result: { ...handoffOk, exitCode: 1 } } },
      { outcome: 'upgrade-failed', exitCode: 10, check: (e) => expect([e.handoff?.exitCode, e.error]).toEqual([1, { message: 'eksctl exited 1' }]) },
    ],
    [
      'upgraded but not confirmed',
      {
        ...fullParts(), exit: 'NotConfirmed',
        confirm: {
          confirmed: false, polls: 360, durationMs: 3_600_000, lastError: 'connection refused',
          clusters: [{ ...confirmed.clusters[0]!, ready: false, observedGeneration: undefined, reason: 'status.observedGeneration unset', consecutiveReady: 0 }],
        },
      },
      {
        outcome: 'not-confirmed', exitCode: 11,
        check: (e) => expect(e.confirm).toMatchObject({ confirmed: false, lastError: 'connection refused', clusters: [{ observedGeneration: null, reason: 'status.observedGeneration unset' }] }),
      },
    ],
    [
      'eksctl ended by a forwarded signal',
      { ...fullParts(), exit: 'Interrupted', confirm: undefined, handoff: { argv: handoffArgv, result: { ...handoffOk, exitCode: 130, signal: 'SIGINT', interrupted: true, forwardedSignals: ['SIGINT'] } } },
      { outcome: 'interrupted', exitCode: 130, check: (e) => expect(e.handoff).toMatchObject({ exitCode: 130, signal: 'SIGINT', interrupted: true }) },
    ],
  ])('%s', (_name, parts, expected) => {
    const evidence = buildEvidence(parts);
    expect([evidence.outcome, evidence.exitCode]).toEqual([expected.outcome, expected.exitCode]);
    expected.check(evidence);
    const json: unknown = JSON.parse(formatEvidence(evidence));
    expect(validateEvidence(json)).toEqual({ ok: true, evidence: json });
    expect(committedSchema.safeParse(json).success).toBe(true);
  });
});

describe('secrets', () => {
  it('redacts secret-bearing flags in our flags, the pass-through and the hand-off argv', () => {
    const evidence = buildEvidence(fullParts());
    expect(evidence.inputs.flags).toEqual(['cluster', '-f', 'mgmt.yaml', '--on-unready=fallback', '--token', '***', '--tinkerbell-bmc-hmac-secrets=***']);
    expect(evidence.inputs.passThrough).toEqual(['--token', '***', '--tinkerbell-bmc-hmac-secrets=***', '-v', '4']);
    expect(evidence.handoff?.argv).toEqual([...handoffArgv.slice(0, 6), '--token', '***', '--tinkerbell-bmc-hmac-secrets=***', '-v', '4']);
    const text = formatEvidence(evidence);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cr3t');
  });
});

describe('validateEvidence rejects what the schema does not allow', () => {
  const good = () => JSON.parse(formatEvidence(buildEvidence(fullParts()))) as Record<string, unknown> & Evidence;
  it.each<[string, (e: Record<string, unknown> & Evidence) => unknown, string]>([
    ['an unknown top-level field', (e) => ({ ...e, extra: 1 }), '(top)'],
    ['another schema version', (e) => ({ ...e, schemaVersion: 2 }), 'schemaVersion'],
    ['an outcome that is no exit name', (e) => ({ ...e, outcome: 'mostly-fine' }), 'outcome'],
    ['a digest that is not sha256 hex', (e) => ({ ...e, backup: { ...e.backup, files: [{ path: 'x', size: 1, sha256: 'abc' }] } }), 'backup.files.0.sha256'],
    ['a step status outside ok|skipped|failed', (e) => ({ ...e, steps: [{ name: 's', status: 'running', durationMs: 1 }] }), 'steps.0.status'],
    ['a missing part instead of null', (e) => { const { handoff: _h, ...rest } = e; return rest; }, 'handoff'],
    ['a timestamp that is not ISO', (e) => ({ ...e, startedAt: 'yesterday' }), 'startedAt'],
    ['an unknown field inside a verdict', (e) => ({ ...e, verdicts: [{ ...e.verdicts[0], colour: 'green' }] }), 'verdicts.0'],
  ])('%s', (_name, mutate, where) => {
    const bad = mutate(good());
    const result = validateEvidence(bad);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.some((i) => i.startsWith(`${where}:`))).toBe(true);
    expect(committedSchema.safeParse(bad).success).toBe(false);
  });

  it('buildEvidence refuses to produce a record that does not validate', () => {
    const parts = fullParts();
    expect(() => buildEvidence({ ...parts, backup: { dir: '/b', state: 'complete', files: [{ path: 'x', size: -1, sha256: 'a'.repeat(64) }] } })).toThrow();
  });
});

describe('outcomeOf', () => {
  it('gives every exit name its own outcome; success is upgraded, or dry-run', () => {
    const names = Object.keys(ExitCode) as ExitCodeName[];
    const outcomes = names.map((n) => outcomeOf(n, false));
    expect(new Set(outcomes).size).toBe(names.length);
    expect([outcomeOf('Success', false), outcomeOf('Success', true), outcomeOf('EtcdSnapshotFailed', true)]).toEqual(['upgraded', 'dry-run', 'etcd-snapshot-failed']);
  });

  it('keeps no error on success even when one was passed', () => {
    expect(buildEvidence({ ...base, exit: 'Success', error: new Error('stale') }).error).toBeNull();
  });
});

describe('URL credentials in the report (issue 15, finding 3)', () => {
  it('inputs.flags, passThrough, the hand-off argv and the error carry no userinfo or signature', () => {
    const url = 'https://user:pass@host.example/releases.yaml';
    const presigned = 'https://b.s3.amazonaws.com/x.yaml?X-Amz-Security-Token=TOKENVALUE&X-Amz-Signature=SIGVALUE&X-Amz-Credential=CREDVALUE';
    const e = buildEvidence({
      ...fullParts(),
      exit: 'Usage',
      error: new UsageError(`could not read the release manifest ${url}: 401`, { hint: `check ${presigned}` }),
      inputs: { flags: ['--release-manifest', url], passThrough: ['--bundles-override', presigned] },
    });
    const text = JSON.stringify(e);
    for (const secret of ['user:pass', 'TOKENVALUE', 'SIGVALUE', 'CREDVALUE']) expect(text).not.toContain(secret);
    expect(e.inputs.flags).toEqual(['--release-manifest', 'https://***@host.example/releases.yaml']);
    expect(e.error?.message).toBe('could not read the release manifest https://***@host.example/releases.yaml: 401');
  });
});
