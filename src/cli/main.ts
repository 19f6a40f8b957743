#!/usr/bin/env node
// eks-access-entries, also installed as kubectl-access_entries so that `kubectl access-entries`
// runs it as a kubectl plugin.
import { runCli } from './program.ts';
import { processIo } from './shared/io.ts';

// A reader that stops early (`| head`) closes the pipe: stop quietly, as other command-line tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await runCli(process.argv.slice(2), processIo(process.argv[1]));
// Idle keep-alive sockets of the AWS and Kubernetes clients would hold the process open for a
// while: exit once what was written has been handed to the streams (pipes are asynchronous on
// some systems, so wait for them rather than cut the output short).
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
process.exit(code);
