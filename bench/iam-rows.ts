// The IAM scenario's figures as rows of BENCHMARKS.md.
import type { BenchEnvironment } from './environment.ts';
import { iamPerResync } from './iam.ts';
import type { Row } from './report.ts';

export async function iamRows(env: BenchEnvironment, options: Parameters<typeof iamPerResync>[1]): Promise<Row[]> {
  const f = await iamPerResync(env, options);
  const where = `${f.entries} entries, one account of ${f.rolesInAccount} roles`;
  const pages = Math.ceil(f.rolesInAccount / 1000);
  return f.ways.map((way) => {
    const calls = way.callsPerResync.GetRole + way.callsPerResync.GetUser + way.callsPerResync.ListRoles;
    const how = way.listRolesFrom === 0 ? 'GetRole per role (--iam-list-roles-from 0)' : `ListRoles per account (default, from ${way.listRolesFrom} roles)`;
    return {
      figure: `IAM reads per resync, ${where}: ${how}`,
      value:
        `${calls.toFixed(1)} calls (${way.callsPerResync.ListRoles.toFixed(1)} ListRoles, ${way.callsPerResync.GetRole.toFixed(1)} GetRole); ` +
        `IAM answering ${way.iamMsPerResync.toFixed(0)} ms; controller ${way.cpuSecondsPerResync.toFixed(2)} CPU s; ${way.describesPerEntry.toFixed(2)} Describes per entry`,
      ...(way.listRolesFrom === 0
        ? { target: '1 GetRole per role', met: Math.abs(way.callsPerResync.GetRole - f.entries) <= f.entries * 0.05 }
        : { target: `≤ ${pages} ListRoles pages, no GetRole`, met: way.callsPerResync.ListRoles <= pages && way.callsPerResync.GetRole === 0 }),
    };
  });
}
