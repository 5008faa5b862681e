#!/usr/bin/env node
// Writes the JSON Schemas of the evidence record and of the plan file from the built zod schemas (run
// `npm run build` first). `--check` writes nothing and exits 1 when a committed file differs from what the code generates.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { EVIDENCE_SCHEMA_FILE, evidenceJsonSchemaText } = await import(path.join(root, 'dist', 'report', 'evidence.js'));
const { PLAN_SCHEMA_FILE, planJsonSchemaText } = await import(path.join(root, 'dist', 'plan', 'plan-file.js'));
const { FLEET_EVIDENCE_SCHEMA_FILE, fleetEvidenceJsonSchemaText } = await import(path.join(root, 'dist', 'report', 'fleet-evidence.js'));
const schemas = [
  [FLEET_EVIDENCE_SCHEMA_FILE, fleetEvidenceJsonSchemaText()],
  [EVIDENCE_SCHEMA_FILE, evidenceJsonSchemaText()],
  [PLAN_SCHEMA_FILE, planJsonSchemaText()],
];

let stale = 0;
for (const [name, text] of schemas) {
  const file = path.join(root, name);
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      committed = '';
    }
    if (committed !== text) {
      process.stderr.write(`${name} is out of date: run npm run build && node scripts/gen-schema.mjs\n`);
      stale += 1;
    } else {
      process.stdout.write(`${name} is up to date\n`);
    }
  } else {
    writeFileSync(file, text);
    process.stdout.write(`wrote ${name}\n`);
  }
}
if (stale > 0) process.exit(1);
