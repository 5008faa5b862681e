// backups push --encrypt-to of a set with etcd snapshots over 1 MiB (encryptFile, the large-file path) to the real
// registry and to s3rver, then pull: each snapshot comes back byte for byte and verified.
import { randomBytes } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestFiles } from '../../src/backup/digest.js';
import { OciStore } from '../../src/offsite/oci-store.js';
import { pushSet } from '../../src/offsite/push-set.js';
import type { OffsiteStore } from '../../src/offsite/store.js';
import { tempFolder } from '../backup-sets/fixtures.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { runBin } from '../helpers/run-bin.js';
import { freePort } from '../helpers/testbed.js';
import { ageKey, contentsOf, setWithSecrets } from './fixtures.js';

const MIB = 1024 * 1024;

/** A complete set whose etcd snapshots are `sizes` bytes (the manifest updated to match). */
async function setWithLargeSnapshots(sizes: readonly number[]): Promise<{ dir: string; name: string }> {
  const set = await setWithSecrets();
  const manifestFile = path.join(set.dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  expect(manifest.etcd.length).toBeGreaterThanOrEqual(sizes.length);
  for (const [i, size] of sizes.entries()) {
    const entry = manifest.etcd[i];
    writeFileSync(path.join(set.dir, entry.file), randomBytes(size), { mode: 0o600 });
    const [d] = await digestFiles(set.dir, [entry.file]);
    Object.assign(entry, { size: d!.size, sha256: d!.sha256 });
    manifest.files = manifest.files.map((f: { path: string }) => (f.path === entry.file ? d : f));
  }
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return set;
}

// Just over the read size, a whole number of reads, and a few MiB ending mid-chunk.
const SIZES = [MIB + 1, 2 * MIB, 3 * MIB + 12345];

describe.skipIf(!registryAvailable())('backups push --encrypt-to of snapshots over 1 MiB', () => {
  let registry: TestRegistry;
  let s3: S3rver;
  let endpoint: string;
  beforeAll(async () => {
    registry = await startRegistry({ tls: false });
    const port = await freePort();
    s3 = new S3rver({ port, address: '127.0.0.1', silent: true, directory: await tempFolder('s3rver-'), configureBuckets: [{ name: 'eksa-backups', configs: [] }] });
    await s3.run();
    endpoint = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await registry?.stop();
    await s3?.close();
  });

  const stores = () => [
    { url: `oci://${registry.host}/backups/large`, flags: ['--insecure-registry'], env: { DOCKER_CONFIG: registry.dockerConfig() } },
    { url: 's3://eksa-backups/large', flags: ['--s3-endpoint', endpoint], env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' } },
  ];

  it.each([
    ['a registry', 0],
    ['S3', 1],
  ])('pushes to %s and pulls back every snapshot byte for byte', async (_name, which) => {
    const store = stores()[which]!;
    const env = { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...store.env };
    const set = await setWithLargeSnapshots(SIZES);
    const key = ageKey();
    const push = await runBin(['backups', 'push', set.dir, store.url, ...store.flags, '--encrypt-to', key.recipient, '-o', 'json'], { env, timeoutMs: 120_000 });
    expect(push.stderr).toContain('encrypted to 1 age recipient(s)');
    expect(push.exitCode).toBe(0);
    // Stored: every plaintext byte, and the age overhead (a header, 16 bytes a chunk) on top.
    expect(JSON.parse(push.stdout).bytes).toBeGreaterThan(SIZES.reduce((a, b) => a + b, 0));
    const mgmt = await tempFolder('offsite-pull-');
    const pull = await runBin(['backups', 'pull', `${store.url}:${set.name}`, '--dir', mgmt, ...store.flags, '--identity', key.identityFile], { env, timeoutMs: 120_000 });
    expect(pull.exitCode).toBe(0);
    expect(pull.stdout).toContain('Pulled and verified');
    expect(contentsOf(path.join(mgmt, set.name))).toEqual(contentsOf(set.dir));
  }, 240_000);

  it('fails the push naming a snapshot that shrinks while it is encrypted, and tags nothing', async () => {
    const set = await setWithLargeSnapshots([3 * MIB + 12345]);
    const snapshot = JSON.parse(readFileSync(path.join(set.dir, 'manifest.json'), 'utf8')).etcd[0].file as string;
    const options = { host: registry.host, repository: 'backups/shrink', insecure: true, credentials: { username: registry.user, password: registry.password } };
    const oci = new OciStore(options);
    // The snapshot is cut to 1 MiB once it is open and its size taken, before its first read.
    const store = new Proxy(oci, {
      get(target, key) {
        if (key === 'putFile') {
          return (name: string, rel: string, encrypted: boolean, body: Parameters<OffsiteStore['putFile']>[3]) => {
            if (rel === snapshot) truncateSync(path.join(set.dir, rel), MIB);
            return target.putFile(name, rel, encrypted, body);
          };
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(pushSet({ setDir: set.dir, store, recipients: [ageKey().recipient], toolVersion: '0.0.0-test', now: () => new Date() })).rejects.toThrow(`${snapshot} changed size while it was encrypted: ${3 * MIB + 12345} bytes when opened, then it ended at ${MIB}`);
    const check = new OciStore(options);
    expect(await check.has(set.name)).toBe(false);
    check.close();
  });
});
