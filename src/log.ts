import { pino, type Logger } from 'pino';

/** JSON lines on stdout, as log collectors expect; `accessEntry` and `awsRequestId` are fields. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { component: 'eks-access-entry-controller' }, timestamp: pino.stdTimeFunctions.isoTime });
}
