import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyBackupSet } from '../../src/backup/verify-set.js';
import { TREE, buildSet, tempFolder } from '../backup-sets/fixtures.js';

const WHEN = new Date(2026, 10, 29, 10, 0, 0);

async function editManifest(dir: string, edit: (m: { etcd: Array<Record<string, unknown>> }) => void) {
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(await readFile(file, 'utf8'));
  edit(m);
  await writeFile(file, JSON.stringify(m, null, 2));
}

describe('verify checks every etcd entry against its own file (issue 15, finding 13)', () => {
  it('an entry whose file holds another cluster\'s database (a name collision) fails verification', async () => {
    const root = await tempFolder();
    const { dir } = await buildSet(path.join(root, 'mgmt'), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE });
    expect((await verifyBackupSet(dir)).ok).toBe(true);
    await editManifest(dir, (m) => {
      m.etcd[1]!.file = m.etcd[0]!.file; // w01's entry names mgmt's file, keeping its own sha256 and size
    });
    const result = await verifyBackupSet(dir);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/etcd snapshot of w01 .*does not match its entry/);
  });

  it('an entry naming a file outside the set, or missing, fails verification', async () => {
    const root = await tempFolder();
    const { dir } = await buildSet(path.join(root, 'mgmt'), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE });
    await editManifest(dir, (m) => {
      m.etcd[0]!.file = '../../outside.db';
      m.etcd[2]!.file = 'etcd/none.db';
    });
    const result = await verifyBackupSet(dir);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/etcd snapshot of mgmt names .*outside/);
    expect(result.problems.join('\n')).toMatch(/etcd snapshot of w02\b.*etcd\/none\.db.*missing/);
  });
});

describe('RESTORE.md follows snapshot files in a folder per cluster (issue 15, finding 13)', () => {
  it('an entry `etcd/<cluster>/<member>.db` is copied and checked from that path', async () => {
    const { renderRestoreRunbook } = await import('../../src/runbook/restore-runbook.js');
    const root = await tempFolder();
    const { dir, manifest } = await buildSet(path.join(root, 'mgmt'), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE });
    const m = { ...manifest!, etcd: manifest!.etcd.map((e) => ({ ...e, file: `etcd/${e.cluster}/${e.member}.db` })) };
    const text = renderRestoreRunbook(m, dir);
    expect(text).not.toContain('Left out of this runbook');
    for (const e of m.etcd) {
      expect(text).toContain(`${e.sha256}  ${e.file}`);
      expect(text).toContain(`scp -i "$SSH_KEY" ${path.join(dir, e.file)}`);
    }
  });
});
