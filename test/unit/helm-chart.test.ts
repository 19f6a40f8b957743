// The Helm chart's files that must follow others: its CRDs (crds/ of the repository, which Helm
// installs on first install), its copies of deploy/monitoring/ (alerts, dashboard) and its
// README's table of values (values.yaml).
import { readdirSync, readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const chart = new URL('deploy/helm/eks-access-entry-controller/', root);
const read = (url: URL): string => readFileSync(url, 'utf8');

describe('the Helm chart', () => {
  // Each copy starts with a document separator: `helm show crds` prints the files back to back,
  // and without it `helm show crds CHART | kubectl apply -f -` would merge the two CRDs into one.
  it('ships the CRDs of crds/, byte for byte after a leading ---', () => {
    const source = readdirSync(new URL('crds/', root)).filter((f) => f.endsWith('.yaml')).sort();
    const shipped = readdirSync(new URL('crds/', chart)).sort();
    expect(shipped).toEqual(source);
    expect(source).toEqual(['accessentries.eksaccess.dev.yaml', 'clusteraccesses.eksaccess.dev.yaml']);
    const resync = 'for f in crds/*.yaml; do { echo ---; cat "$f"; } > deploy/helm/eks-access-entry-controller/crds/"$(basename "$f")"; done';
    for (const file of source) {
      expect(read(new URL(`crds/${file}`, chart)), `${file} differs from crds/${file}; copy it over: ${resync}`).toBe(`---\n${read(new URL(`crds/${file}`, root))}`);
    }
  });

  // The chart can only read files inside itself: its files/ are copies of deploy/monitoring/.
  it('ships the alert rules and the Grafana dashboard of deploy/monitoring/, byte for byte', () => {
    const resync = 'cp deploy/monitoring/alerts.yaml deploy/monitoring/grafana-dashboard.json deploy/helm/eks-access-entry-controller/files/';
    expect(readdirSync(new URL('files/', chart)).sort()).toEqual(['alerts.yaml', 'grafana-dashboard.json']);
    for (const file of ['alerts.yaml', 'grafana-dashboard.json']) {
      expect(read(new URL(`files/${file}`, chart)), `files/${file} differs from deploy/monitoring/${file}; copy it over: ${resync}`).toBe(read(new URL(`deploy/monitoring/${file}`, root)));
    }
  });

  it('lists every value in its README with the default of values.yaml', () => {
    const values = loadYaml(read(new URL('values.yaml', chart))) as Record<string, unknown>;
    const readme = read(new URL('README.md', chart));
    const rows = new Map(
      [...readme.matchAll(/^\| `([^`]+)` \| (.*?) \| `(.*?)` \|/gm)].map(([, key, , value]) => [key!, value!] as const),
    );
    const leaves: Array<[string, unknown]> = [];
    const walk = (prefix: string, value: unknown): void => {
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 && !['resources', 'podSecurityContext', 'securityContext'].includes(prefix)) {
        for (const [key, child] of Object.entries(value)) walk(prefix === '' ? key : `${prefix}.${key}`, child);
      } else leaves.push([prefix, value]);
    };
    walk('', values);
    for (const [key, value] of leaves) {
      expect(rows.has(key), `README row for ${key}`).toBe(true);
      expect(rows.get(key), key).toBe(JSON.stringify(value));
    }
    expect([...rows.keys()].filter((key) => !leaves.some(([leaf]) => leaf === key))).toEqual([]);
  });
});
