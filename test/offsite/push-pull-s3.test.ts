// backups push / pull to s3:// against s3rver (a local S3-protocol server from npm) on loopback: no real S3
// server is packaged for Debian. Its storage folder is read raw for plaintext.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../backup-sets/fixtures.js';
import { registryAvailable } from '../helpers/registry.js';
import { runBin } from '../helpers/run-bin.js';
import { freePort } from '../helpers/testbed.js';
import { LARGE_FILE, SIM_SECRET_VALUE, ageKey, allFiles, contentsOf, setWithSecrets } from './fixtures.js';

describe.skipIf(!registryAvailable())('backups push and pull to S3 (s3rver)', () => {
  let server: S3rver;
  let storage: string;
  let endpoint: string;
  // s3rver's fixed test credentials: not a secret.
  const env = () => ({ PATH: process.env.PATH ?? '', HOME: '/nonexistent', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });

  beforeAll(async () => {
    storage = await tempFolder('s3rver-');
    const port = await freePort();
    server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: storage, configureBuckets: [{ name: 'eksa-backups', configs: [] }] });
    await server.run();
    endpoint = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => server?.close());

  it('round-trips an encrypted set; the bucket holds no plaintext; an existing set is refused', async () => {
    const set = await setWithSecrets({ large: true });
    const key = ageKey();
    const url = 's3://eksa-backups/site-a';
    const push = await runBin(['backups', 'push', set.dir, url, '--s3-endpoint', endpoint, '--encrypt-to', key.recipient, '-o', 'json'], { env: env() });
    expect(push.stderr).toContain('encrypted to 1 age recipient(s)');
    expect(push.exitCode).toBe(0);
    expect(JSON.parse(push.stdout)).toMatchObject({ url, encrypted: true, recipients: [key.recipient] });

    // The large file on its own, the small ones in the pack.
    const stored = allFiles(storage).filter((f) => f.includes(`/${set.name}/`) && f.endsWith('._S3rver_object') && !f.includes('remote-manifest.json'));
    expect(stored.map((f) => f.slice(f.indexOf(`/${set.name}/`) + set.name.length + 2)).sort()).toEqual([`files/${LARGE_FILE}.age._S3rver_object`, 'pack/small-files.tar._S3rver_object']);
    for (const file of stored) {
      const text = readFileSync(file).toString('latin1');
      expect(text).not.toContain('apiVersion');
      expect(text).not.toContain(SIM_SECRET_VALUE);
    }

    const mgmt = await tempFolder('offsite-pull-');
    const pull = await runBin(['backups', 'pull', `${url}:${set.name}`, '--dir', mgmt, '--s3-endpoint', endpoint, '--identity', key.identityFile], { env: env() });
    expect(pull.stderr).not.toMatch(/^Error/m);
    expect(pull.exitCode).toBe(0);
    expect(contentsOf(path.join(mgmt, set.name))).toEqual(contentsOf(set.dir));

    const twice = await runBin(['backups', 'push', set.dir, url, '--s3-endpoint', endpoint, '--encrypt-to', key.recipient], { env: env() });
    expect(twice.exitCode).toBe(7);
    expect(twice.stderr).toContain('already has a set named');
  });

  // s3rver checks the access key id, not SigV4 signatures: an unknown key id stands for refused credentials.
  it('refuses unknown keys with exit 3, the secret key never shown', async () => {
    const set = await setWithSecrets();
    const wrong = 'sim-secret-aws-key-5d1e';
    const result = await runBin(['backups', 'push', set.dir, 's3://eksa-backups/site-b', '--s3-endpoint', endpoint, '--allow-plaintext-push'], { env: { ...env(), AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN', AWS_SECRET_ACCESS_KEY: wrong } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^Error: push to s3:\/\/eksa-backups\/site-b refused: opening bucket eksa-backups: HTTP 403$/m);
    expect(result.stderr).toContain('hint: check the AWS credentials');
    expect(result.stderr).not.toContain(wrong);
  }, 180_000);
});
