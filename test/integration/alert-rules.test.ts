// The shipped alert rules checked and unit-tested by promtool, from Debian's prometheus package:
// `promtool check rules` (syntax, PromQL, templates) and `promtool test rules` (every alert's
// threshold and window on synthetic series, deploy/monitoring/alerts.test.yaml).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusTools, run } from './support/prometheus.ts';

const MONITORING = fileURLToPath(new URL('../../deploy/monitoring/', import.meta.url));
let promtool: string;
let workDir: string;

beforeAll(async () => {
  promtool = join(await prometheusTools(), 'promtool');
  workDir = await mkdtemp(join(tmpdir(), 'eaec-rules-'));
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** promtool test rules on alerts.test.yaml, run against `rules` (the shipped file by default). */
async function testRules(rules?: string): Promise<{ code: number | null; output: string }> {
  let tests = join(MONITORING, 'alerts.test.yaml');
  if (rules !== undefined) {
    await writeFile(join(workDir, 'alerts.yaml'), rules);
    tests = join(workDir, 'alerts.test.yaml');
    await writeFile(tests, await readFile(join(MONITORING, 'alerts.test.yaml'), 'utf8'));
  }
  const result = await run(promtool, ['test', 'rules', tests]);
  return { code: result.code, output: result.stdout + result.stderr };
}

describe('deploy/monitoring/alerts.yaml', () => {
  it('passes promtool check rules', async () => {
    const result = await run(promtool, ['check', 'rules', join(MONITORING, 'alerts.yaml')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS: 7 rules found');
  });

  it('passes its promtool unit tests (alerts.test.yaml)', async () => {
    const result = await testRules();
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  // The unit tests are worth something only if a changed threshold or window fails them.
  it.each([
    ['a higher error threshold', (rules: string) => rules.replace('> 0.2', '> 0.5'), 'EksAccessEntryReconcileErrorsHigh'],
    ['a longer not-Ready window', (rules: string) => rules.replace(/(alert: EksAccessEntryNotReady[\s\S]*?for: )15m/, '$120m'), 'EksAccessEntryNotReady'],
    ['a throttling threshold of 30', (rules: string) => rules.replace('[10m])) > 10', '[10m])) > 30'), 'EksAccessEntryAwsThrottlingSustained'],
    ['a drift alert that waits', (rules: string) => rules.replace(/(alert: EksAccessEntryDriftCorrected[\s\S]*?for: )0m/, '$110m'), 'EksAccessEntryDriftCorrected'],
    ['no leader as fewer than one', (rules: string) => rules.replace('== 0\n        for: 5m', '< 0\n        for: 5m'), 'EksAccessEntryNoLeader'],
  ])('fails them with %s', async (_label, change, alertname) => {
    const shipped = await readFile(join(MONITORING, 'alerts.yaml'), 'utf8');
    const changed = change(shipped);
    expect(changed).not.toBe(shipped);
    const result = await testRules(changed);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`alertname: ${alertname}`);
  });
});
