import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_SCHEMA_FILE, EVIDENCE_SCHEMA_VERSION, evidenceJsonSchemaText } from '../../src/report/evidence-schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('the committed JSON Schema', () => {
  it('is exactly what the zod schema generates (regenerate: npm run build && node scripts/gen-schema.mjs)', () => {
    expect(readFileSync(path.join(root, EVIDENCE_SCHEMA_FILE), 'utf8')).toBe(evidenceJsonSchemaText());
  });

  it('is versioned in its file name and its schemaVersion const', () => {
    expect(EVIDENCE_SCHEMA_FILE).toBe(`schema/evidence-report.v${EVIDENCE_SCHEMA_VERSION}.schema.json`);
    const schema = JSON.parse(evidenceJsonSchemaText()) as { properties: Record<string, { const?: unknown }>; required: string[]; additionalProperties: boolean };
    expect(schema.properties.schemaVersion?.const).toBe(EVIDENCE_SCHEMA_VERSION);
    expect(schema.additionalProperties).toBe(false);
    // Every field is always present (null or [] when a run ended before it): readers never guess.
    expect([...schema.required].sort()).toEqual(Object.keys(schema.properties).sort());
  });
});

describe('the committed plan file schema', () => {
  it('is exactly what the zod schema generates, versioned in its name', async () => {
    const { PLAN_SCHEMA_FILE, planJsonSchemaText } = await import('../../src/plan/plan-file.js');
    const { PLAN_SCHEMA_VERSION } = await import('../../src/plan/types.js');
    expect(PLAN_SCHEMA_FILE).toBe(`schema/upgrade-plan.v${PLAN_SCHEMA_VERSION}.schema.json`);
    expect(readFileSync(path.join(root, PLAN_SCHEMA_FILE), 'utf8')).toBe(planJsonSchemaText());
  });
});

describe('the committed fleet record schema', () => {
  it('is exactly what the zod schema generates, versioned in its name', async () => {
    const { FLEET_EVIDENCE_SCHEMA_FILE, FLEET_EVIDENCE_SCHEMA_VERSION, fleetEvidenceJsonSchemaText } = await import('../../src/report/fleet-evidence.js');
    expect(FLEET_EVIDENCE_SCHEMA_FILE).toBe(`schema/fleet-report.v${FLEET_EVIDENCE_SCHEMA_VERSION}.schema.json`);
    expect(readFileSync(path.join(root, FLEET_EVIDENCE_SCHEMA_FILE), 'utf8')).toBe(fleetEvidenceJsonSchemaText());
  });

  it('carries each cluster\'s --push copies', async () => {
    const { fleetEvidenceJsonSchemaText } = await import('../../src/report/fleet-evidence.js');
    const schema = JSON.parse(fleetEvidenceJsonSchemaText()) as { properties: { clusters: { items: { properties: Record<string, { items?: { required?: string[] } }> } } } };
    const pushes = schema.properties.clusters.items.properties.pushes;
    expect(pushes?.items?.required).toEqual(['url', 'ok', 'encrypted', 'recipients']);
  });
});
