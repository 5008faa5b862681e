import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { buildSshArgv, defaultSshKey, sshPath, validateSshOption, type SshSettings } from '../../src/etcd/ssh-options.js';
import { requireRealTools } from '../helpers/testbed.js';

const settings = (over: Partial<SshSettings> = {}): SshSettings => ({
  keyFile: '/keys/id_rsa',
  recordKnownHostsFile: '/backup/etcd/known_hosts',
  ...over,
});

/** What the real OpenSSH client would use, without connecting: `ssh -G` (argv minus the remote command). */
function effective(argv: readonly string[]): Map<string, string[]> {
  const out = execFileSync('ssh', ['-G', ...argv.slice(1, -1)]).toString();
  const map = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const at = line.indexOf(' ');
    if (at > 0) map.set(line.slice(0, at), [...(map.get(line.slice(0, at)) ?? []), line.slice(at + 1)]);
  }
  return map;
}

describe('buildSshArgv', () => {
  it('is non-interactive, records new host keys in the backup set, and ends with -- host command', () => {
    const argv = buildSshArgv(settings({ port: 2222 }), 'capv', '10.0.0.1', 'sudo -n sh -s');
    expect(argv[0]).toBe('ssh');
    expect(argv.slice(-5)).toEqual(['-l', 'capv', '--', '10.0.0.1', 'sudo -n sh -s']);
    expect(argv.filter((a) => a === '-p')).toHaveLength(1);
    expect(argv).toContain('BatchMode=yes');
    expect(argv).toContain('StrictHostKeyChecking=accept-new');
    expect(argv).toContain('UserKnownHostsFile=/backup/etcd/known_hosts');
  });

  it('--ssh-known-hosts: strict checking against that file only', () => {
    const argv = buildSshArgv(settings({ knownHostsFile: '/pinned/kh' }), 'capv', '10.0.0.1', 'x');
    expect(argv).toEqual(expect.arrayContaining(['StrictHostKeyChecking=yes', 'UserKnownHostsFile=/pinned/kh', 'GlobalKnownHostsFile=/dev/null']));
    expect(argv.join(' ')).not.toContain('accept-new');
  });

  it('leaves the port to ssh when --ssh-port is not given', () => {
    expect(buildSshArgv(settings(), 'capv', '10.0.0.1', 'x')).not.toContain('-p');
  });

  it.each([
    ['user', 'capv;id', '10.0.0.1'],
    ['user', '-oProxyCommand=id', '10.0.0.1'],
    ['address', 'capv', '-oProxyCommand=id'],
    ['address', 'capv', '10.0.0.1 id'],
    ['address', 'capv', 'a@b'],
  ])('rejects a hostile %s', (_what, user, address) => {
    expect(() => buildSshArgv(settings(), user, address, 'x')).toThrow(UsageError);
  });

  it.each([0, 65536, 1.5, -1])('rejects --ssh-port %d', (port) => {
    expect(() => buildSshArgv(settings({ port }), 'capv', '10.0.0.1', 'x')).toThrow(/invalid --ssh-port/);
  });
});

describe('--ssh-option', () => {
  it.each(['ProxyJump=bastion', 'Ciphers=aes128-ctr', 'ConnectTimeout=3', 'ServerAliveInterval=5'])('passes %s through', (option) => {
    expect(validateSshOption(option)).toBe(option);
  });

  it.each([
    ['BatchMode=no', /not allowed/],
    ['StrictHostKeyChecking=no', /--ssh-known-hosts/],
    ['stricthostkeychecking=no', /--ssh-known-hosts/],
    ['UserKnownHostsFile=/dev/null', /--ssh-known-hosts/],
    ['Port=22', /--ssh-port/],
    ['User=root', /--ssh-user/],
    ['IdentityFile=/x', /--ssh-key/],
    ['RequestTTY=force', /tty/],
    ['RemoteCommand=id', /not allowed/],
    ['NoEquals', /Key=Value/],
    ['-oBatchMode=no', /Key=Value/],
    ['ProxyJump=a\nb', /Key=Value/],
  ])('rejects %j', (option, message) => {
    expect(() => validateSshOption(option)).toThrow(message);
  });
});

describe('sshPath', () => {
  it.each([
    ['/plain/path', true, '/plain/path'],
    ['/with space/kh', true, '"/with space/kh"'],
    ['/with space/key', false, '/with space/key'],
    ['/pct%h/kh', true, '/pct%%h/kh'],
  ])('%j (option value: %s) → %j', (path, asOption, expected) => {
    expect(sshPath(path, asOption)).toBe(expected);
  });

  it.each(['/a"b', '/a\nb', '/${HOME}/x'])('refuses %j', (path) => {
    expect(() => sshPath(path, true)).toThrow(UsageError);
    expect(() => sshPath(path, false)).toThrow(UsageError);
  });

  it('refuses % in the -i key path, where ssh cannot take it escaped', () => {
    expect(() => sshPath('/keys/50%', false)).toThrow(UsageError);
  });

  it('defaults the key to <cluster>/eks-a-id_rsa under the working directory', () => {
    expect(defaultSshKey('mgmt', '/work')).toBe('/work/mgmt/eks-a-id_rsa');
  });
});

describe.skipIf(!requireRealTools(['ssh']))('what the real ssh client makes of the argv (ssh -G)', () => {
  it('keeps the safety options even when pass-through options come later, and lets pass-through tune the defaults', () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'esu-ssh-g-')), 'key file');
    writeFileSync(keyFile, '');
    const argv = buildSshArgv(
      settings({ keyFile, port: 2200, extraOptions: ['ConnectTimeout=3', 'ProxyJump=bastion.example.com'], recordKnownHostsFile: '/backup dir/100%/known_hosts' }),
      'capv',
      '10.0.0.1',
      'sudo -n sh -s',
    );
    const config = effective(argv);
    expect(config.get('batchmode')).toEqual(['yes']);
    expect(config.get('stricthostkeychecking')).toEqual(['accept-new']);
    expect(config.get('userknownhostsfile')).toEqual(['/backup dir/100%/known_hosts']); // one file, % literal
    expect(config.get('connecttimeout')).toEqual(['3']);
    expect(config.get('serveraliveinterval')).toEqual(['10']);
    expect(config.get('proxyjump')).toEqual(['bastion.example.com']);
    expect(config.get('port')).toEqual(['2200']);
    expect(config.get('user')).toEqual(['capv']);
    expect(config.get('hostname')).toEqual(['10.0.0.1']);
    expect(config.get('identityfile')).toContain(keyFile);
    expect(config.get('identitiesonly')).toEqual(['yes']);
    expect(config.get('requesttty')).toEqual(['false']);
    rmSync(join(keyFile, '..'), { recursive: true, force: true });
  });

  it.each([
    ["a single quote", "/ops/o'brien/known_hosts"],
    ['a quote and a space', "/ops/it's mine/known_hosts"],
    ['a backslash', '/ops/back\\slash/known_hosts'],
  ])('keeps %s in a known-hosts path (issue 15, finding 19)', (_label, file) => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'esu-ssh-g-')), 'key');
    writeFileSync(keyFile, '');
    for (const s of [settings({ keyFile, knownHostsFile: file }), settings({ keyFile, recordKnownHostsFile: file })]) {
      const config = effective(buildSshArgv(s, 'capv', '10.0.0.1', 'sudo -n sh -s'));
      expect(config.get('userknownhostsfile')).toEqual([file]);
    }
    rmSync(join(keyFile, '..'), { recursive: true, force: true });
  });
});
