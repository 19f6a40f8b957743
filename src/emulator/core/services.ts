// The objects one emulator is made of, handed to the server, the call pipeline and the admin API.
import type { Logger } from 'pino';
import type { AuditLog } from './audit.ts';
import type { CallCounter } from './calls.ts';
import type { FaultInjector } from '../faults/faults.ts';
import type { EmulatorState } from '../state.ts';

export interface EmulatorServices {
  state: EmulatorState;
  faults: FaultInjector;
  calls: CallCounter;
  logger?: Logger;
  /** Where each call's IAM audit record goes; absent, none is made. */
  audit?: AuditLog;
}
