import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { DEFAULT_LAYOUT, buildRemoteScript, shellQuote } from '../../src/etcd/remote-script.js';
import type { RemoteLayout } from '../../src/etcd/types.js';

const HOSTILE = [
  '',
  'plain',
  "it's",
  "'",
  "''",
  '"; rm -rf / #',
  '$(touch /tmp/esu-pwned)',
  '`touch /tmp/esu-pwned`',
  '${HOME}',
  '$HOME',
  'a\nb',
  'line\n\nbreaks\r\n',
  '\\',
  '\\\'',
  'a b\tc',
  '*',
  '~root',
  '-n',
  '!!',
  'é ü 漢字 🙂',
  "'; touch /tmp/esu-pwned; '",
  "x'\"'\"'y",
];

const layout = (over: Partial<RemoteLayout> = {}): RemoteLayout => ({ ...DEFAULT_LAYOUT, topology: 'external', os: 'ubuntu', ...over });

describe('shellQuote', () => {
  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))('round-trips %s through dash and bash unchanged', (_label, value) => {
    for (const shell of ['sh', 'bash']) {
      const out = execFileSync(shell, ['-c', `printf '%s' ${shellQuote(value)}`]).toString();
      expect(out).toBe(value);
    }
  });

  it('is one single-quoted word with quotes escaped the POSIX way', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(shellQuote('$(x)')).toBe(`'$(x)'`);
  });

  it('refuses NUL, which no shell word can hold', () => {
    expect(() => shellQuote('a\0b')).toThrow(UsageError);
  });
});

describe('buildRemoteScript', () => {
  const cases: Array<[RemoteLayout['topology'], RemoteLayout['os'], string, RegExp]> = [
    ['external', 'ubuntu', 'sudo -n sh -s', /\. "\$ENV_FILE"[\s\S]*etcdctl --endpoints="\$EP"[\s\S]*snapshot save "\$SNAP"/],
    ['external', 'redhat', 'sudo -n sh -s', /etc\/etcd\/etcdctl\.env/],
    ['stacked', 'ubuntu', 'sudo -n sh -s', /\/etc\/kubernetes\/pki\/etcd"[\s\S]*crictl exec "\$CID" etcdctl/],
    ['stacked', 'redhat', 'sudo -n sh -s', /command -v etcdctl/],
    ['external', 'bottlerocket', 'sudo -n sheltie', /ETCD_ADVERTISE_CLIENT_URLS[\s\S]*ctr -n k8s\.io tasks exec --exec-id "eksa-snapshot-\$\$" "\$CID" etcdctl/],
    ['stacked', 'bottlerocket', 'sudo -n sheltie', /\/var\/lib\/etcd\/pki"/],
  ];

  it.each(cases)('%s %s: runs via %s, parses in sh and bash, and has the expected steps', (topology, os, command, shape) => {
    const { remoteCommand, script } = buildRemoteScript(layout({ topology, os }));
    expect(remoteCommand).toBe(command);
    expect(script).toMatch(shape);
    expect(script).toMatch(/^# eksa-safe-upgrade etcd snapshot/);
    expect(script).toContain('\nset -eu\n');
    expect(script).toContain('trap cleanup EXIT');
    expect(script).toMatch(/new_snapshot_file "\$ROOT\/var\/lib\/etcd(\/data)?"/);
    expect(script).toMatch(/\n {2}cat "\$SNAP"\n\}\n/);
    expect(script.trimEnd().endsWith('snapshot_main </dev/null')).toBe(true);
    for (const shell of ['sh', 'bash']) execFileSync(shell, ['-n'], { input: script });
  });

  it('puts every value in one quoted assignment that the shell reads back verbatim', () => {
    const root = `/tmp/r oot;$(touch /tmp/esu-pwned)'"\`x\``;
    const { script } = buildRemoteScript(layout({ root, endpoint: 'https://[::1]:2379', healthTimeoutSeconds: 7 }));
    const header = script.slice(0, script.indexOf('umask'));
    const out = execFileSync('sh', ['-c', `${header}\nprintf '%s|%s|%s' "$ROOT" "$ENDPOINT" "$HEALTH_TIMEOUT"`]).toString();
    expect(out).toBe(`${root}|https://[::1]:2379|7s`);
    expect(script.split(root).length - 1).toBe(0); // never spliced raw: only its quoted form is there
    expect(script).toContain(`ROOT=${shellQuote(root)}`);
  });

  it.each([
    ['relative root', { root: 'tmp/x' }],
    ['root with a newline', { root: '/tmp/x\ntouch /tmp/esu-pwned' }],
    ['root ending in /', { root: '/tmp/x/' }],
    ['endpoint with a command', { endpoint: 'https://127.0.0.1:2379;id' }],
    ['endpoint without a port', { endpoint: 'https://127.0.0.1' }],
    ['endpoint with a user part', { endpoint: 'https://a@b:2379' }],
    ['zero timeout', { healthTimeoutSeconds: 0 }],
    ['fractional timeout', { saveTimeoutSeconds: 1.5 }],
  ] as Array<[string, Partial<RemoteLayout>]>)('rejects %s', (_label, over) => {
    expect(() => buildRemoteScript(layout(over))).toThrow(UsageError);
  });

  it('uses the given endpoint, else the layout default', () => {
    const given = buildRemoteScript(layout({ topology: 'stacked', endpoint: 'https://10.0.0.5:2379' })).script;
    expect(given).toContain(`ENDPOINT='https://10.0.0.5:2379'`);
    const stacked = buildRemoteScript(layout({ topology: 'stacked' })).script;
    expect(stacked).toContain(`ENDPOINT=''`);
    expect(stacked).toContain('${ENDPOINT:-https://127.0.0.1:2379}');
  });
});
