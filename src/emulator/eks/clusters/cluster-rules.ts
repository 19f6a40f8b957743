// EKS's rules for clusters: names, and authentication modes that only move toward API.
import { invalidParameter } from '../../core/errors.ts';
import { AUTHENTICATION_MODES, type AuthenticationMode } from '../model.ts';

export function parseAuthenticationMode(value: string | undefined, field = 'authenticationMode'): AuthenticationMode | undefined {
  if (value === undefined) return undefined;
  if (!(AUTHENTICATION_MODES as readonly string[]).includes(value)) {
    throw invalidParameter(`${field} must be one of ${AUTHENTICATION_MODES.join(', ')}, got ${value}.`);
  }
  return value as AuthenticationMode;
}

/** The mode only moves toward API (CONFIG_MAP → API_AND_CONFIG_MAP → API, skipping allowed); access entries can't be turned off. */
export function validateModeTransition(from: AuthenticationMode, to: AuthenticationMode): void {
  const step = AUTHENTICATION_MODES.indexOf(to) - AUTHENTICATION_MODES.indexOf(from);
  if (step > 0) return;
  if (step === 0) throw invalidParameter(`The cluster already uses authentication mode ${to}; nothing to update.`);
  throw invalidParameter(
    `Unsupported authentication mode update from ${from} to ${to}: the mode can only move forward (CONFIG_MAP → API_AND_CONFIG_MAP → API).`,
  );
}

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;

export function validateClusterName(name: string): void {
  if (!CLUSTER_NAME.test(name)) {
    throw invalidParameter(`The cluster name ${name} is not valid: use 1 to 100 letters, digits, hyphens and underscores, starting with a letter or digit.`);
  }
}
