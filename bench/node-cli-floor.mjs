#!/usr/bin/env node
// The least a Node.js command line built on this project's libraries must do to gate a management tree,
// measured as a floor beside `preflight` (bench/inventory.mjs): parse the command line with yargs, read
// the spec with yaml, run the same three reads through execa (kubectl's and eksctl's versions beside one
// `kubectl get` of the inventory kinds), parse kubectl's JSON and print a count. No readiness, no skew,
// no report, no journal, no validation: what is left of our run once everything that is ours is gone.
//   node bench/node-cli-floor.mjs preflight -f SPEC --kinds a,b,c
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import yargs from 'yargs';

const argv = await yargs(process.argv.slice(2))
  .command('preflight', 'the gate, at its least')
  .option('filename', { alias: 'f', type: 'string', demandOption: true })
  .option('kinds', { type: 'string', demandOption: true })
  .strict()
  .parseAsync();

const [{ parseAllDocuments }, { execa }] = await Promise.all([import('yaml'), import('execa')]);
// An EKS-A spec is several documents: the Cluster first, then its provider objects.
const name = parseAllDocuments(await readFile(argv.filename, 'utf8')).map((d) => d.toJS()).find((o) => o?.kind === 'Cluster').metadata.name;
const kubeconfig = path.join(path.dirname(path.resolve(argv.filename)), `${name}-eks-a-cluster.kubeconfig`);
const [, , get] = await Promise.all([
  execa('kubectl', ['version', '--client', '-o', 'json']),
  execa('eksctl', ['anywhere', 'version']),
  execa('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=60s', 'get', argv.kinds, '--all-namespaces', '-o', 'json'], { maxBuffer: 512 * 1024 * 1024 }),
]);
process.stdout.write(`${JSON.stringify({ objects: JSON.parse(get.stdout).items.length })}\n`);
