// The release-manifest fetch ends at its time limit even when the garbage collector runs while it waits: a
// timeout signal held only by AbortSignal.any() could be collected before it fired (Node 20), and the run then
// hung on a host that accepts the connection and never answers (the find-clusterctl × manifest-hang cell).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-bin.js';

const PROBE = `
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
const { resolveBundle } = await import(process.argv[1]);
const server = net.createServer(() => {});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const gc = setInterval(() => globalThis.gc(), 5);
const started = Date.now();
try {
  await resolveBundle({ releaseManifest: 'http://127.0.0.1:' + server.address().port + '/m.yaml', eksaVersion: 'v0.23.0', cacheDir: mkdtempSync(path.join(tmpdir(), 'esu-gc-')), fetchTimeoutMs: 500, abort: new AbortController().signal });
  console.log('resolved');
} catch (e) {
  console.log(JSON.stringify({ ms: Date.now() - started, message: e.message }));
}
clearInterval(gc);
process.exit(0);
`;

describe('the release-manifest fetch under garbage collection', () => {
  it('gives up at its time limit on a host that never answers', () => {
    const module = path.join(repoRoot, 'dist', 'capi', 'cli-tools-image.js');
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', PROBE, module], { encoding: 'utf8', timeout: 20_000 });
    expect(r.signal, 'the fetch outlived its time limit').toBeNull();
    const out = JSON.parse(r.stdout.trim()) as { ms: number; message: string };
    expect(out.message).toMatch(/cannot fetch the release manifest .*no answer within 500 ms/);
  }, 30_000);
});
