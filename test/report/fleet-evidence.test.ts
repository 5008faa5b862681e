import { describe, expect, it } from 'vitest';
import { fleetEvidenceSchema, renderFleetSummary, type FleetEvidence } from '../../src/report/fleet-evidence.js';

const URL = 'oci://registry.example:5000/backups';
const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

function record(clusters: FleetEvidence['clusters']): FleetEvidence {
  return fleetEvidenceSchema.parse({
    schemaVersion: 1,
    command: 'workloads',
    toolVersion: '0.0.0-test',
    dryRun: false,
    startedAt: '2026-12-06T10:00:00.000Z',
    finishedAt: '2026-12-06T10:10:00.000Z',
    exit: 'Success',
    exitCode: 0,
    management: { name: 'mgmt', eksaVersion: 'v0.23.0' },
    targetEksaVersion: 'v0.23.0',
    options: { order: 'given', canary: 1, waveSize: 5, parallel: 1, soakMs: 0, onFailure: 'stop', notAfter: null },
    waves: [{ index: 0, canary: true, clusters: clusters.map((c) => c.name) }],
    clusters,
    leftOut: [],
    notAttempted: [],
    stopped: null,
    error: null,
  });
}

describe('the fleet record: --push per cluster', () => {
  const done = { url: URL, ok: true, reference: `sha256:${'a'.repeat(64)}`, durationMs: 1200, encrypted: true, recipients: [RECIPIENT] };
  const failed = { url: URL, ok: false, encrypted: true, recipients: [RECIPIENT], error: 'connect ECONNREFUSED' };

  it.each([
    ['a cluster without --push', {}, '| 0 (canary) | w01 | confirmed |  |'],
    ['a done copy', { pushes: [done] }, '| 0 (canary) | w01 | confirmed |  |'],
    ['a failed optional copy', { pushes: [failed] }, '| 0 (canary) | w01 | confirmed; 1 off-site copy failed (--push-optional) |  |'],
  ])('%s: the summary row', (_name, extra, row) => {
    const e = record([{ name: 'w01', wave: 0, state: 'confirmed', ...extra }]);
    expect(renderFleetSummary(e).split('\n')).toContain(row);
  });

  it('refuses a push record without its recipients or with an unknown field', () => {
    const { recipients: _r, ...noRecipients } = done;
    expect(() => record([{ name: 'w01', wave: 0, state: 'confirmed', pushes: [noRecipients as never] }])).toThrow();
    expect(() => record([{ name: 'w01', wave: 0, state: 'confirmed', pushes: [{ ...done, password: 'x' } as never] }])).toThrow();
  });
});
