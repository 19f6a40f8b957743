// A real Prometheus server (Debian's package, unpacked into the tools cache by
// scripts/tools/promtool.sh) on loopback, with a fresh TSDB in a temporary directory, scraping and
// evaluating every second, and the few parts of its HTTP API the tests read.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump as dumpYaml, load as loadYaml } from 'js-yaml';
import { waitFor } from '../../testenv/kube.ts';
import { freePorts } from '../../testenv/ports.ts';
import { startProcess, type ManagedProcess } from '../../testenv/process.ts';

const TOOL_SCRIPT = fileURLToPath(new URL('../../../scripts/tools/promtool.sh', import.meta.url));

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
}

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], stdin = ''): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** The directory holding promtool and prometheus (installed on first use, cached afterwards). */
export async function prometheusTools(): Promise<string> {
  const installed = await run('bash', [TOOL_SCRIPT]);
  if (installed.code !== 0) throw new Error(`${TOOL_SCRIPT} failed (exit code ${String(installed.code)}):\n${installed.stderr}`);
  return installed.stdout.trim().split('\n').at(-1) ?? '';
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; for?: string }[] }[];
}

/**
 * The shipped rule file with the `for:` window of each alert set to `windows[alert]` (or
 * `otherwise`): the only change made to it, done on the parsed YAML, so the expressions, labels and
 * annotations Prometheus evaluates are the shipped ones byte for byte.
 */
export function withWindows(rulesYaml: string, windows: Readonly<Record<string, string>>, otherwise: string): string {
  const rules = loadYaml(rulesYaml) as RuleFile;
  for (const rule of rules.groups.flatMap((group) => group.rules)) {
    if (rule.alert !== undefined) rule.for = windows[rule.alert] ?? otherwise;
  }
  return dumpYaml(rules, { lineWidth: -1 });
}

export class Prometheus {
  private constructor(
    private readonly process: ManagedProcess,
    private readonly workDir: string,
    readonly api: string,
  ) {}

  /** Scrapes `target` (host:port) as `job` every second and evaluates `rules` every second. */
  static async start(toolDir: string, { job, target, rules }: { job: string; target: string; rules: string }): Promise<Prometheus> {
    const workDir = await mkdtemp(join(tmpdir(), 'eaec-prometheus-'));
    const [webPort] = (await freePorts(1)) as [number];
    await writeFile(join(workDir, 'rules.yaml'), rules);
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [join(workDir, 'rules.yaml')],
      scrape_configs: [{ job_name: job, static_configs: [{ targets: [target] }] }],
    };
    await writeFile(join(workDir, 'prometheus.yml'), dumpYaml(config));
    const process = await startProcess(
      'prometheus',
      join(toolDir, 'prometheus'),
      [`--config.file=${join(workDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(workDir, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`],
      { logFile: join(workDir, 'prometheus.log') },
    );
    const prometheus = new Prometheus(process, workDir, `http://127.0.0.1:${webPort}/api/v1`);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${webPort}/-/ready`)).ok, {
      description: `Prometheus ready\n${process.recentOutput()}`,
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    return prometheus;
  }

  async stop(): Promise<void> {
    await this.process.stop(5_000);
    await rm(this.workDir, { recursive: true, force: true });
  }

  recentOutput(): string {
    return this.process.recentOutput();
  }

  /** An instant query at the current time; throws with Prometheus's error for a query it rejects. */
  async query(promql: string): Promise<Sample[]> {
    return (await this.#get<{ result: Sample[] }>(`query?query=${encodeURIComponent(promql)}`)).result;
  }

  /** The active (pending or firing) alerts. */
  async alerts(): Promise<Alert[]> {
    return (await this.#get<{ alerts: Alert[] }>('alerts')).alerts;
  }

  /** When every rule group was last evaluated (epoch ms): the oldest of them. */
  async lastEvaluation(): Promise<number> {
    const { groups } = await this.#get<{ groups: { lastEvaluation: string }[] }>('rules');
    return Math.min(...groups.map((group) => Date.parse(group.lastEvaluation)));
  }

  async #get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.api}/${path}`);
    const body = (await response.json()) as { status: string; error?: string; data: T };
    if (body.status !== 'success') throw new Error(`${decodeURIComponent(path)}: ${body.error ?? body.status}`);
    return body.data;
  }
}
