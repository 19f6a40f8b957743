/**
 * The one-character backslash escapes Go and CEL share: Go's strconv.Quote (the API server's
 * messages) and CEL's strings.quote write these the same way and differ only in what else they
 * escape.
 */
export const BACKSLASH_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};
