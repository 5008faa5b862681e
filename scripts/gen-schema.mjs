#!/usr/bin/env node
// Writes the evidence record's JSON Schema from the built zod schema (run `npm run build` first).
// `--check` writes nothing and exits 1 when the committed file differs from what the code generates.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { EVIDENCE_SCHEMA_FILE, evidenceJsonSchemaText } = await import(path.join(root, 'dist', 'report', 'evidence.js'));
const file = path.join(root, EVIDENCE_SCHEMA_FILE);
const text = evidenceJsonSchemaText();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    committed = '';
  }
  if (committed !== text) {
    process.stderr.write(`${EVIDENCE_SCHEMA_FILE} is out of date: run npm run build && node scripts/gen-schema.mjs\n`);
    process.exit(1);
  }
  process.stdout.write(`${EVIDENCE_SCHEMA_FILE} is up to date\n`);
} else {
  writeFileSync(file, text);
  process.stdout.write(`wrote ${EVIDENCE_SCHEMA_FILE}\n`);
}
