// Work directories record who owns them and which processes they started, so that the leftovers
// of a run that could not clean up (vitest killed with SIGKILL, a crashed machine) are removed by
// the next run instead of piling up.
import { readFileSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const WORK_DIR_PREFIX = 'eaec-testenv-';
export const OWNER_FILE = 'owner.json';
/** A directory without an owner file is only taken for abandoned once it is this old. */
const UNOWNED_GRACE_MS = 10 * 60_000;

export interface OwnerRecord {
  ownerPid: number;
  /** Distinguishes the owner from a later process that happens to get the same pid. */
  ownerStartTime: string | null;
  children: { name: string; pid: number }[];
}

/** The kernel's start time of a process (clock ticks since boot), or null if it is not running. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; starttime is field 22 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerIsAlive(record: OwnerRecord): boolean {
  if (!isRunning(record.ownerPid)) return false;
  const startTime = processStartTime(record.ownerPid);
  return record.ownerStartTime === null || startTime === null || startTime === record.ownerStartTime;
}

function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return null;
  }
}

export function ownRecord(children: OwnerRecord['children']): OwnerRecord {
  return { ownerPid: process.pid, ownerStartTime: processStartTime(process.pid), children };
}

export async function writeOwnerRecord(workDir: string, record: OwnerRecord): Promise<void> {
  // Written whole and renamed, so a reader never sees half a file.
  const temporary = join(workDir, `${OWNER_FILE}.tmp`);
  await writeFile(temporary, JSON.stringify(record, null, 2));
  await rename(temporary, join(workDir, OWNER_FILE));
}

async function readOwnerRecord(workDir: string): Promise<OwnerRecord | null> {
  try {
    const parsed = JSON.parse(await readFile(join(workDir, OWNER_FILE), 'utf8')) as Partial<OwnerRecord>;
    if (typeof parsed.ownerPid !== 'number' || !Array.isArray(parsed.children)) return null;
    return { ownerPid: parsed.ownerPid, ownerStartTime: parsed.ownerStartTime ?? null, children: parsed.children };
  } catch {
    return null;
  }
}

/**
 * Kills what a dead owner left running. A pid is only killed while its command line still names
 * the work directory: after a reboot or a long time the pid may belong to someone else.
 */
async function killLeftovers(workDir: string, record: OwnerRecord): Promise<number[]> {
  const killed: number[] = [];
  for (const { pid } of record.children) {
    if (!commandLine(pid)?.includes(`${workDir}/`)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // Gone already, or not ours to kill.
    }
  }
  for (let i = 0; i < 50 && killed.some(isRunning); i++) await sleep(100);
  return killed;
}

async function isAbandoned(workDir: string, record: OwnerRecord | null): Promise<boolean> {
  if (record !== null) return !ownerIsAlive(record);
  const { mtimeMs } = await stat(workDir);
  return Date.now() - mtimeMs > UNOWNED_GRACE_MS;
}

/**
 * Removes the `eaec-testenv-*` directories under root whose owner process is gone, after killing
 * the processes they record. Never throws: a directory it cannot handle is reported and skipped.
 * Returns the directories it removed.
 */
export async function cleanStaleWorkDirs(root: string, log: (line: string) => void): Promise<string[]> {
  let entries: string[];
  try {
    entries = (await readdir(root)).filter((name) => name.startsWith(WORK_DIR_PREFIX));
  } catch (error) {
    log(`could not look for stale test environments in ${root}: ${(error as Error).message}`);
    return [];
  }
  const removed: string[] = [];
  for (const name of entries) {
    const workDir = join(root, name);
    try {
      const record = await readOwnerRecord(workDir);
      if (!(await isAbandoned(workDir, record))) continue;
      const killed = record === null ? [] : await killLeftovers(workDir, record);
      await rm(workDir, { recursive: true, force: true, maxRetries: 3 });
      removed.push(workDir);
      const owner = record === null ? 'no owner file' : `owner pid ${record.ownerPid} is gone`;
      log(`removed stale ${workDir} (${owner}; killed ${killed.length ? killed.join(', ') : 'nothing'})`);
    } catch (error) {
      log(`could not clean up ${workDir}: ${(error as Error).message}`);
    }
  }
  return removed;
}
