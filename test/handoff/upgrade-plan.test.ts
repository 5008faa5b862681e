import { describe, expect, it } from 'vitest';
import { UpgradePlanParseError, buildUpgradePlanCommand, parseUpgradePlan } from '../../src/handoff/upgrade-plan.js';

describe('buildUpgradePlanCommand', () => {
  it.each([
    { args: ['s.yaml'] as const, argv: ['eksctl', 'anywhere', 'upgrade', 'plan', 'cluster', '-f', 's.yaml', '-o', 'json'] },
    { args: ['s.yaml', 'k'] as const, argv: ['eksctl', 'anywhere', 'upgrade', 'plan', 'cluster', '-f', 's.yaml', '-o', 'json', '--kubeconfig', 'k'] },
    {
      args: ['s.yaml', 'k', 'b.yaml'] as const,
      argv: ['eksctl', 'anywhere', 'upgrade', 'plan', 'cluster', '-f', 's.yaml', '-o', 'json', '--kubeconfig', 'k', '--bundles-override', 'b.yaml'],
    },
  ])('$argv', ({ args, argv }) => {
    const command = buildUpgradePlanCommand(...args);
    expect(command.argv).toEqual(argv);
    expect(command.kind).toBe('read');
  });
});

const k8s = { name: 'kubernetes', oldVersion: 'v1.30.1-eks-1-30-10', newVersion: 'v1.31.2-eks-1-31-5' };
const cilium = { name: 'cilium', oldVersion: 'v1.14.1-eksa.1', newVersion: 'v1.15.3-eksa.2' };

describe('parseUpgradePlan', () => {
  it.each([
    {
      name: 'the JSON after the progress line',
      stdout: `Checking new release availability...\n${JSON.stringify({ components: [k8s, cilium] })}\n`,
      components: [k8s, cilium],
    },
    { name: 'nothing changes: components null', stdout: 'Checking new release availability...\n{"components":null}\n', components: [] },
    { name: 'an empty list', stdout: '{"components":[]}', components: [] },
    { name: 'trailing blank lines and CRLF', stdout: `Checking new release availability...\r\n${JSON.stringify({ components: [k8s] })}\r\n\r\n  \n`, components: [k8s] },
    {
      name: 'a -v4 log prefix (time and level) before the JSON',
      stdout: `2026-11-29T10:00:00.000Z\tV0\tChecking new release availability...\n2026-11-29T10:00:01.000Z\tV0\t${JSON.stringify({ components: [cilium] })}\n`,
      components: [cilium],
    },
    {
      name: 'extra fields are dropped',
      stdout: JSON.stringify({ components: [{ ...k8s, extra: 1 }], other: true }),
      components: [k8s],
    },
    {
      name: 'only the last line counts',
      stdout: `{"components":[${JSON.stringify(cilium)}]}\n{"components":null}\n`,
      components: [],
    },
  ])('$name', ({ stdout, components }) => {
    expect(parseUpgradePlan(stdout)).toEqual({ components });
  });

  it.each([
    { name: 'empty stdout', stdout: '', message: /printed nothing/ },
    { name: 'only whitespace', stdout: '\n  \n', message: /printed nothing/ },
    { name: 'an error line last', stdout: 'Checking new release availability...\nError: failed to get cluster\n', message: /did not end with JSON: "Error: failed to get cluster"/ },
    { name: 'text output instead of JSON', stdout: 'NAME     CURRENT VERSION   NEXT VERSION\ncilium   v1.14   v1.15\n', message: /did not end with JSON/ },
    { name: 'truncated JSON', stdout: '{"components":[{"name":"cilium"', message: /did not end with JSON/ },
    { name: 'no components key', stdout: '{}', message: /unexpected shape \(components:/ },
    { name: 'a component of the wrong shape', stdout: '{"components":[{"name":"cilium","oldVersion":1}]}', message: /unexpected shape \(components\.0\.oldVersion/ },
    { name: 'a JSON array', stdout: '[1,2]', message: /did not end with JSON/ },
  ])('refuses $name with a typed error', ({ stdout, message }) => {
    let error: unknown;
    try {
      parseUpgradePlan(stdout);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UpgradePlanParseError);
    expect((error as UpgradePlanParseError).message).toMatch(message);
    expect((error as UpgradePlanParseError).exit).toBe('Environment');
    expect((error as UpgradePlanParseError).hint).toMatch(/-o json/);
  });
});
