// backups push / pull against the real CNCF distribution registry on loopback (htpasswd auth), over plain
// HTTP and over TLS with a test CA; the age CLI decrypts what was pushed; raw blobs hold no plaintext.
import { execFileSync } from 'node:child_process';
import { execa } from 'execa';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciClient } from '../../src/offsite/oci-client.js';
import { tempFolder } from '../backup-sets/fixtures.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { binPath, runBin } from '../helpers/run-bin.js';
import { LARGE_FILE, SIM_SECRET_VALUE, ageKey, allFiles, contentsOf, setWithSecrets } from './fixtures.js';

const available = registryAvailable();
const env = (dockerConfig: string) => ({ PATH: process.env.PATH ?? '', HOME: '/nonexistent', DOCKER_CONFIG: dockerConfig });

describe.skipIf(!available)('backups push and pull over plain HTTP', () => {
  let registry: TestRegistry;
  let config: string;
  beforeAll(async () => {
    registry = await startRegistry({ tls: false });
    config = registry.dockerConfig();
  });
  afterAll(async () => registry?.stop());

  it('pushes an encrypted set, the registry holds ciphertext only, age decrypts it, and a pull brings it back verified', async () => {
    const set = await setWithSecrets({ large: true });
    const key = ageKey();
    const url = `oci://${registry.host}/backups/mgmt`;
    const push = await runBin(['backups', 'push', set.dir, url, '--insecure-registry', '--encrypt-to', key.recipient, '-o', 'json'], { env: env(config) });
    expect(push.stderr).toContain('encrypted to 1 age recipient(s)');
    expect(push.exitCode).toBe(0);
    const record = JSON.parse(push.stdout);
    expect(record).toMatchObject({ url, encrypted: true, recipients: [key.recipient] });
    expect(record.reference).toMatch(/^sha256:[0-9a-f]{64}$/);

    // Raw blobs on the registry's disk: no YAML/JSON object, no simulated secret, in clear or base64.
    const blobs = allFiles(registry.storage).filter((f) => f.endsWith('/data') && f.includes('/blobs/'));
    // The config, the manifest, the pack of small files and the large file.
    expect(blobs.length).toBe(4);
    const b64 = Buffer.from(SIM_SECRET_VALUE).toString('base64');
    for (const blob of blobs) {
      const text = readFileSync(blob).toString('latin1');
      expect(text).not.toContain('apiVersion');
      expect(text).not.toContain(SIM_SECRET_VALUE);
      expect(text).not.toContain(b64);
    }

    // By hand, without this tool: the large file's layer is an age file; the pack is a tar (GNU tar extracts
    // it) of age files, one per small file. The age CLI decrypts both to the set's bytes.
    const client = new OciClient({ host: registry.host, repository: 'backups/mgmt', insecure: true, credentials: { username: registry.user, password: registry.password } });
    const manifest = JSON.parse((await client.getManifest(set.name))!.body.toString());
    client.close();
    expect(manifest.artifactType).toBe('application/vnd.eksa-safe-upgrade.backup.v1');
    expect(manifest.annotations['io.github.eksa-safe-upgrade.cluster']).toBe('mgmt');
    const titled = (title: string) => manifest.layers.find((l: { annotations: Record<string, string> }) => l.annotations['org.opencontainers.image.title'] === title);
    expect(manifest.layers.map((l: { annotations: Record<string, string> }) => l.annotations['org.opencontainers.image.title']).sort()).toEqual([LARGE_FILE, 'small-files.tar']);
    const blobOf = (layer: { digest: string }) => {
      const hex = layer.digest.slice('sha256:'.length);
      return path.join(registry.storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    };
    expect(titled(LARGE_FILE).mediaType).toBe('application/vnd.eksa-safe-upgrade.file.v1.age');
    const large = path.join(await tempFolder('offsite-large-'), 'large.bin');
    execFileSync('age', ['-d', '-i', key.identityFile, '-o', large, blobOf(titled(LARGE_FILE))]);
    expect(readFileSync(large).equals(readFileSync(path.join(set.dir, LARGE_FILE)))).toBe(true);
    const pack = titled('small-files.tar');
    expect(pack.mediaType).toBe('application/vnd.eksa-safe-upgrade.files.v1.tar');
    const unpacked = await tempFolder('offsite-unpack-');
    execFileSync('tar', ['-xf', blobOf(pack), '-C', unpacked]);
    const small = Object.keys(contentsOf(set.dir)).filter((f) => f !== LARGE_FILE);
    expect(Object.keys(contentsOf(unpacked)).sort()).toEqual(small.map((f) => `${f}.age`).sort());
    const plain = execFileSync('age', ['-d', '-i', key.identityFile, path.join(unpacked, 'capi/Secret_eksa-system_mgmt-ca.yaml.age')]);
    expect(plain.equals(readFileSync(path.join(set.dir, 'capi/Secret_eksa-system_mgmt-ca.yaml')))).toBe(true);

    // Pull into a fresh management folder: same files, verified, renamed into place.
    const mgmt = await tempFolder('offsite-pull-');
    const pull = await runBin(['backups', 'pull', `${url}:${set.name}`, '--dir', mgmt, '--insecure-registry', '--identity', key.identityFile], { env: env(config) });
    expect(pull.stderr).toBe('');
    expect(pull.exitCode).toBe(0);
    expect(pull.stdout).toContain('Pulled and verified');
    expect(contentsOf(path.join(mgmt, set.name))).toEqual(contentsOf(set.dir));
    expect(existsSync(path.join(mgmt, `${set.name}.partial`))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(mgmt, `${set.name}.verified.json`), 'utf8')).ok).toBe(true);

    // Never over an existing set.
    const again = await runBin(['backups', 'pull', `${url}:${set.name}`, '--dir', mgmt, '--insecure-registry', '--identity', key.identityFile], { env: env(config) });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('already exists: a pull never overwrites a set');

    // Without the identity: refused, nothing left behind.
    const other = await tempFolder('offsite-pull-');
    const noKey = await runBin(['backups', 'pull', `${url}:${set.name}`, '--dir', other, '--insecure-registry', '--identity', ageKey().identityFile], { env: env(config) });
    expect(noKey.exitCode).toBe(9);
    expect(noKey.stderr).toMatch(/^Error: cannot decrypt the set/m);
    expect(allFiles(other)).toEqual([]);

    // The same tag again: refused, not overwritten.
    const twice = await runBin(['backups', 'push', set.dir, url, '--insecure-registry', '--encrypt-to', key.recipient], { env: env(config) });
    expect(twice.exitCode).toBe(7);
    expect(twice.stderr).toContain(`already has a set named ${set.name}: refused`);
  }, 180_000);

  it('refuses a wrong password with exit 3 and never shows the password', async () => {
    const set = await setWithSecrets();
    const wrong = 'sim-secret-wrong-password-91c2';
    const result = await runBin(['backups', 'push', set.dir, `oci://${registry.host}/backups/mgmt`, '--insecure-registry', '--allow-plaintext-push'], { env: env(registry.dockerConfig(registry.user, wrong)) }).catch((e) => e);
    // runBin itself throws if a sim-secret value shows in the output.
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^Error: push to oci:\/\/127\.0\.0\.1:\d+\/backups\/mgmt refused: .*refused the credentials of backup-bot .*HTTP 401/m);
    expect(result.stderr).not.toContain(wrong);
    expect(result.stderr).not.toContain(Buffer.from(`${registry.user}:${wrong}`).toString('base64'));
  }, 180_000);

  it('refuses a push without --encrypt-to unless --allow-plaintext-push, and says what a plaintext push sends', async () => {
    const set = await setWithSecrets();
    const url = `oci://${registry.host}/plain/mgmt`;
    const refused = await runBin(['backups', 'push', set.dir, url, '--insecure-registry'], { env: env(config) });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('would send every Secret and etcd snapshot of the set in plaintext');
    const plain = await runBin(['backups', 'push', set.dir, url, '--insecure-registry', '--allow-plaintext-push'], { env: env(config) });
    expect(plain.exitCode).toBe(0);
    expect(plain.stderr).toContain('IN PLAINTEXT (--allow-plaintext-push)');
    const mgmt = await tempFolder('offsite-pull-');
    const pull = await runBin(['backups', 'pull', `${url}:${set.name}`, '--dir', mgmt, '--insecure-registry'], { env: env(config) });
    expect(pull.exitCode).toBe(0);
    expect(contentsOf(path.join(mgmt, set.name))).toEqual(contentsOf(set.dir));
  }, 180_000);

  it('refuses to pull a set whose pack was changed on the registry, and leaves nothing behind', async () => {
    const set = await setWithSecrets({ large: true });
    const key = ageKey();
    const url = `oci://${registry.host}/tampered/mgmt`;
    const push = await runBin(['backups', 'push', set.dir, url, '--insecure-registry', '--encrypt-to', key.recipient], { env: env(config) });
    expect(push.exitCode, push.stderr).toBe(0);
    const client = new OciClient({ host: registry.host, repository: 'tampered/mgmt', insecure: true, credentials: { username: registry.user, password: registry.password } });
    const manifest = JSON.parse((await client.getManifest(set.name))!.body.toString());
    client.close();
    const pack = manifest.layers.find((l: { mediaType: string }) => l.mediaType === 'application/vnd.eksa-safe-upgrade.files.v1.tar');
    const hex = pack.digest.slice('sha256:'.length);
    const blob = path.join(registry.storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    // One byte inside the first file's stored bytes (after its 512-byte tar header).
    const bytes = readFileSync(blob);
    bytes[600] ^= 0xff;
    writeFileSync(blob, bytes);
    const mgmt = await tempFolder('offsite-pull-');
    const pull = await runBin(['backups', 'pull', `${url}:${set.name}`, '--dir', mgmt, '--insecure-registry', '--identity', key.identityFile], { env: env(config) });
    expect(pull.exitCode).toBe(9);
    expect(pull.stderr).toMatch(/^Error: stored \S+: sha256 [0-9a-f]{12}… size \d+, expected [0-9a-f]{12}…/m);
    expect(allFiles(mgmt)).toEqual([]);
  }, 180_000);

  // A folder on a small tmpfs (root mounts it): the room is checked before anything is written, and a disk that
  // fills all the same (here: out of inodes) is named as the admin machine's, with nothing of the set left.
  const root = process.getuid?.() === 0;
  if (!root && process.env.REQUIRE_REAL_TOOLS === '1') throw new Error('REQUIRE_REAL_TOOLS=1 but not root: the pull room tests mount a tmpfs');
  it.skipIf(!root).each([
    ['too little room', 'size=1m', /^Error: not enough room to pull \S+ into \S+: [\d.]+ MiB needed, [\d.]+ (KiB|MiB) free$/m, /^ {2}hint: free [\d.]+ MiB there, or pull into another --dir$/m],
    ['no inode left', 'size=64m,nr_inodes=12', /^Error: pull into \S+ failed: ENOSPC: no space left on device/m, /nothing of the set was kept/],
  ])('a pull into a folder with %s: exit 3, nothing left there', async (_title, mountOptions, error, hint) => {
    const set = await setWithSecrets({ large: true });
    const key = ageKey();
    const url = `oci://${registry.host}/room/${mountOptions.startsWith('size=1m') ? 'small' : 'inodes'}`;
    const push = await runBin(['backups', 'push', set.dir, url, '--insecure-registry', '--encrypt-to', key.recipient], { env: env(config) });
    expect(push.exitCode, push.stderr).toBe(0);
    const mount = await tempFolder('offsite-room-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', mountOptions, 'tmpfs', mount]);
    try {
      const pull = await runBin(['backups', 'pull', `${url}:${set.name}`, '--dir', mount, '--insecure-registry', '--identity', key.identityFile], { env: env(config) });
      expect(pull.exitCode, pull.stderr).toBe(3);
      expect(pull.stderr).toMatch(error);
      expect(pull.stderr).toMatch(hint);
      expect(allFiles(mount)).toEqual([]);
    } finally {
      execFileSync('umount', [mount]);
    }
  }, 120_000);

  // A set that does not verify is never tagged.
  const tags = async (repository: string) => {
    const client = new OciClient({ host: registry.host, repository, insecure: true, credentials: { username: registry.user, password: registry.password } });
    try {
      return await client.listTags().catch(() => []);
    } finally {
      client.close();
    }
  };

  const encrypt = () => ['--encrypt-to', ageKey().recipient];
  const plaintext = () => ['--allow-plaintext-push'];
  // Same size, one byte changed: only a digest tells.
  const flipByte = (file: string) => {
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(file, bytes);
  };
  it.each([
    ['a small file changed after the backup (in the pack)', encrypt, (dir: string) => appendFileSync(path.join(dir, 'capi/Secret_eksa-system_mgmt-ca.yaml'), '# changed\n'), /1 file\(s\) do not match the manifest/],
    ['a large file changed after the backup (encrypted, hashed as read)', encrypt, (dir: string) => flipByte(path.join(dir, LARGE_FILE)), /1 file\(s\) do not match the manifest/],
    ['a large file changed after the backup (plaintext: the registry finds another digest)', plaintext, (dir: string) => flipByte(path.join(dir, LARGE_FILE)), /extra\/large\.bin does not match its sha256 in the manifest/],
    ['a 2 MiB file the manifest does not list (streamed)', encrypt, (dir: string) => writeFileSync(path.join(dir, 'extra.bin'), Buffer.alloc(2 * 1024 * 1024, 1)), /1 file\(s\) do not match the manifest/],
    ['a 2 MiB file the manifest does not list (plaintext)', plaintext, (dir: string) => writeFileSync(path.join(dir, 'extra.bin'), Buffer.alloc(2 * 1024 * 1024, 1)), /1 file\(s\) do not match the manifest/],
    ['a FIFO in the set (never opened for reading)', encrypt, (dir: string) => execFileSync('mkfifo', [path.join(dir, 'capi', 'pipe.yaml')]), /pipe\.yaml is a FIFO/],
  ])('%s: exit 9, nothing tagged', async (_title, flags, spoil, message) => {
    const set = await setWithSecrets({ large: true });
    spoil(set.dir);
    const repository = `spoilt/${Math.random().toString(36).slice(2, 8)}`;
    const push = await runBin(['backups', 'push', set.dir, `oci://${registry.host}/${repository}`, '--insecure-registry', ...flags()], { env: env(config), timeoutMs: 60_000 });
    expect(push.exitCode, push.stderr).toBe(9);
    expect(push.stderr).toMatch(/^Error: .* does not verify, so it is not pushed/m);
    expect(push.stderr).toMatch(message);
    expect(await tags(repository)).toEqual([]);
  }, 120_000);
});

describe.skipIf(!available)('backups push and pull over TLS with a test CA', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true });
  });
  afterAll(async () => registry?.stop());

  it('trusts the registry only with --registry-ca, and round-trips an encrypted set', async () => {
    const set = await setWithSecrets();
    const key = ageKey();
    const config = registry.dockerConfig();
    const url = `oci://${registry.host}/backups/mgmt`;
    const untrusted = await runBin(['backups', 'push', set.dir, url, '--encrypt-to', key.recipient], { env: env(config) });
    expect(untrusted.exitCode).toBe(7);
    expect(untrusted.stderr).toMatch(/certificate/i);
    const push = await runBin(['backups', 'push', set.dir, url, '--registry-ca', registry.pki!.ca, '--encrypt-to', key.recipient], { env: env(config) });
    expect(push.exitCode).toBe(0);
    const mgmt = await tempFolder('offsite-pull-');
    const pull = await runBin(['backups', 'pull', `${url}:${set.name}`, '--dir', mgmt, '--registry-ca', registry.pki!.ca, '--identity', key.identityFile], { env: env(config) });
    expect(pull.exitCode).toBe(0);
    expect(contentsOf(path.join(mgmt, set.name))).toEqual(contentsOf(set.dir));
  }, 180_000);
});

/** A loopback TCP proxy that kills the registry once `after` bytes went from the client towards it. */
async function killingProxy(registry: TestRegistry, after: number): Promise<{ port: number; server: Server }> {
  const [host, port] = registry.host.split(':') as [string, string];
  let sent = 0;
  const server = createServer((client) => {
    const upstream = connect(Number(port), host);
    client.on('data', (d: Buffer) => {
      sent += d.length;
      upstream.write(d);
      if (sent > after) void registry.kill('SIGKILL');
    });
    upstream.on('data', (d) => client.write(d));
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

/**
 * A loopback TCP proxy that forwards until `after` bytes went in `direction` (towards the registry, or back from
 * it), then holds everything: a transfer stalled in the middle, for a Ctrl-C to land in. `stalled` resolves then.
 */
async function stallingProxy(registry: TestRegistry, after: number, direction: 'up' | 'down'): Promise<{ port: number; server: Server; stalled: Promise<void> }> {
  const [host, port] = registry.host.split(':') as [string, string];
  let passed = 0;
  let stall!: () => void;
  const stalled = new Promise<void>((resolve) => (stall = resolve));
  const server = createServer((client) => {
    const upstream = connect(Number(port), host);
    const forward = (counted: boolean, to: typeof client) => (d: Buffer) => {
      if (passed > after) return;
      if (counted) passed += d.length;
      to.write(d);
      if (passed > after) stall();
    };
    client.on('data', forward(direction === 'up', upstream));
    upstream.on('data', forward(direction === 'down', client));
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server, stalled };
}

/** The registry's Docker config, its credentials also given for `127.0.0.1:<port>` (a proxy in front of it). */
function configThrough(registry: TestRegistry, port: number): string {
  const config = registry.dockerConfig();
  const fixed = JSON.parse(readFileSync(path.join(config, 'config.json'), 'utf8'));
  fixed.auths[`127.0.0.1:${port}`] = fixed.auths[registry.host];
  writeFileSync(path.join(config, 'config.json'), JSON.stringify(fixed));
  return config;
}

describe.skipIf(!available)('Ctrl-C in the middle of a transfer', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: false });
  });
  afterAll(async () => registry?.stop());

  it('a push: exit 130, says nothing was tagged, and nothing is', async () => {
    const set = await setWithSecrets({ large: true });
    const proxy = await stallingProxy(registry, 200_000, 'up');
    try {
      const url = `oci://127.0.0.1:${proxy.port}/interrupted/push`;
      const child = execa(process.execPath, [binPath, 'backups', 'push', set.dir, url, '--insecure-registry', '--encrypt-to', ageKey().recipient], { env: env(configThrough(registry, proxy.port)), reject: false });
      await proxy.stalled;
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode, String(r.stderr)).toBe(130);
      expect(String(r.stderr)).toMatch(/^Error: interrupted: nothing was tagged at oci:\/\/127\.0\.0\.1:\d+\/interrupted\/push$/m);
      const client = new OciClient({ host: registry.host, repository: 'interrupted/push', insecure: true, credentials: { username: registry.user, password: registry.password } });
      expect(await client.manifestExists(set.name)).toBe(false);
      client.close();
    } finally {
      proxy.server.close();
    }
  }, 120_000);

  it('a pull: exit 130, and the .partial folder is removed', async () => {
    const set = await setWithSecrets({ large: true });
    const key = ageKey();
    const pushed = await runBin(['backups', 'push', set.dir, `oci://${registry.host}/interrupted/pull`, '--insecure-registry', '--encrypt-to', key.recipient], { env: env(registry.dockerConfig()) });
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    const proxy = await stallingProxy(registry, 300_000, 'down');
    try {
      const mgmt = await tempFolder('offsite-pull-');
      const url = `oci://127.0.0.1:${proxy.port}/interrupted/pull:${set.name}`;
      const child = execa(process.execPath, [binPath, 'backups', 'pull', url, '--dir', mgmt, '--insecure-registry', '--identity', key.identityFile], { env: env(configThrough(registry, proxy.port)), reject: false });
      await proxy.stalled;
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode, String(r.stderr)).toBe(130);
      expect(String(r.stderr)).toMatch(new RegExp(`^Error: interrupted: ${set.name} was not pulled; .*${set.name}\\.partial was removed$`, 'm'));
      expect(allFiles(mgmt)).toEqual([]);
    } finally {
      proxy.server.close();
    }
  }, 120_000);
});

describe.skipIf(!available)('a registry that dies mid-push', () => {
  it('fails the push with exit 7 and no tag is claimed complete', async () => {
    const set = await setWithSecrets();
    const key = ageKey();
    let registry = await startRegistry({ tls: false });
    const proxy = await killingProxy(registry, 20_000);
    try {
      const url = `oci://127.0.0.1:${proxy.port}/backups/mgmt`;
      const config = configThrough(registry, proxy.port);
      const push = await runBin(['backups', 'push', set.dir, url, '--insecure-registry', '--encrypt-to', key.recipient], { env: env(config) });
      expect(push.exitCode).toBe(7);
      expect(push.stderr).toMatch(/^Error: push to .* failed: /m);
      expect(push.stderr).toContain('nothing was tagged there');
      expect(registry.process.signalCode).toBe('SIGKILL');
      registry = await registry.restart();
      const client = new OciClient({ host: registry.host, repository: 'backups/mgmt', insecure: true, credentials: { username: registry.user, password: registry.password } });
      expect(await client.manifestExists(set.name)).toBe(false);
      expect(await client.listTags()).toEqual([]);
      client.close();
    } finally {
      proxy.server.close();
      await registry.stop();
    }
  }, 180_000);
});
