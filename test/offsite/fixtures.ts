import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { digestFiles } from '../../src/backup/digest.js';
import { TREE, buildSet, tempFolder } from '../backup-sets/fixtures.js';

export const SIM_SECRET_VALUE = 'sim-secret-mgmt-ca-key-0b7e19';
/** The file setWithSecrets({ large: true }) adds: stored on its own, not in the pack. */
export const LARGE_FILE = 'extra/large.bin';

/**
 * A complete set whose kubeconfig Secret holds a simulated secret (in clear and base64), manifest updated to match.
 * `large` adds a file over the pack's limit (3 MiB, the simulated secret inside), listed in the manifest.
 */
export async function setWithSecrets(options: { large?: boolean } = {}): Promise<{ root: string; dir: string; name: string }> {
  const root = await tempFolder('offsite-');
  const { dir } = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: new Date(2026, 10, 29, 10, 0, 0), clusters: TREE, runbook: true });
  const rel = 'capi/Secret_eksa-system_mgmt-ca.yaml';
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'mgmt-ca', namespace: 'eksa-system' },
    data: { 'tls.key': Buffer.from(SIM_SECRET_VALUE).toString('base64') },
    stringData: { note: SIM_SECRET_VALUE },
  };
  writeFileSync(path.join(dir, rel), `${JSON.stringify(secret)}\n`, { mode: 0o600 });
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const [d] = await digestFiles(dir, [rel]);
  manifest.files = manifest.files.map((f: { path: string }) => (f.path === rel ? d : f));
  if (options.large) {
    mkdirSync(path.join(dir, 'extra'), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(dir, LARGE_FILE), Buffer.concat([Buffer.from(`apiVersion: v1\n${SIM_SECRET_VALUE}\n`), randomBytes(3 * 1024 * 1024)]), { mode: 0o600 });
    manifest.files.push(...(await digestFiles(dir, [LARGE_FILE])));
  }
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return { root, dir, name: path.basename(dir) };
}

export function ageKey(): { identityFile: string; recipient: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'esu-age-'));
  const identityFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', identityFile]).toString().trim();
  return { identityFile, recipient };
}

/** Every file under a folder (the registry's raw storage), absolute paths. */
export function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...allFiles(full));
    else out.push(full);
  }
  return out;
}

/** Relative path → contents, for comparing a pulled set with the original. */
export function contentsOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of allFiles(dir)) out[path.relative(dir, file)] = readFileSync(file).toString('base64');
  return out;
}
