// The string formats the API server checks in CRD schemas, as kube-openapi's strfmt registry
// checks them. Formats it does not know are not checked by it either; the few it knows whose
// exact Go semantics are not reproduced here are reported as not checked offline.

export type FormatVerdict = 'valid' | 'invalid' | 'unchecked';

const DATE_TIME_CLOCK = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;
const FULL_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const UUIDS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
  uuid3: /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
  uuid4: /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i,
  uuid5: /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i,
};
/** Known to the API server, but their Go checks (net/mail, govalidator, net.ParseIP) are not reproduced. */
const NOT_REPRODUCED = new Set([
  'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'cidr', 'mac', 'isbn', 'isbn10', 'isbn13',
  'creditcard', 'ssn', 'hexcolor', 'rgbcolor', 'bsonobjectid', 'duration',
]);

/** Go's time.Parse("2006-01-02"): the day must exist in that month. */
export function isDate(text: string): boolean {
  const match = FULL_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** strfmt.IsDateTime: a date, a "t" in any case, then a clock, as kube-openapi reads it. */
export function isDateTime(text: string): boolean {
  if (text.length < 4) return false;
  const parts = text.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0]!)) return false;
  const clock = DATE_TIME_CLOCK.exec(parts[1]!);
  return clock !== null && clock[1]! <= '23' && clock[2]! <= '59' && clock[3]! <= '59';
}

/** How the API server judges a string of the given format. */
export function checkStringFormat(format: string, text: string): FormatVerdict {
  if (format === 'date-time' || format === 'datetime') return verdict(isDateTime(text));
  if (format === 'date') return verdict(isDate(text));
  if (format === 'byte') return verdict(BASE64.test(text));
  const uuid = UUIDS[format];
  if (uuid) return verdict(uuid.test(text));
  return NOT_REPRODUCED.has(format) ? 'unchecked' : 'valid';
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** The numeric formats: int32 is range-checked by the API server; the others pass. */
export function checkNumberFormat(format: string, value: number): FormatVerdict {
  if (format === 'int32') return verdict(Number.isInteger(value) && value >= INT32.min && value <= INT32.max);
  return 'valid';
}

function verdict(valid: boolean): FormatVerdict {
  return valid ? 'valid' : 'invalid';
}
