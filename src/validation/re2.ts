// Regular expressions as the API server runs them: Go's regexp, which is RE2. JavaScript's
// RegExp differs (backtracking, \p classes only with /u, different escapes), so both the schema's
// `pattern` and CEL's matches() go through an RE2 port. Compiled once per pattern.
import { RE2JS } from '@bufbuild/re2';

export interface Matcher {
  test(text: string): boolean;
}

/** Compiles RE2 patterns, keeping each compiled one for the next document. */
export class Re2Cache {
  private readonly compiled = new Map<string, Matcher>();

  /** Throws the RE2 syntax error for a pattern RE2 refuses, as Go's regexp.Compile would. */
  compile(pattern: string): Matcher {
    let matcher = this.compiled.get(pattern);
    if (matcher === undefined) {
      const re = RE2JS.compile(pattern);
      // Unanchored, as Go's MatchString and CEL's matches() are.
      matcher = { test: (text: string): boolean => re.test(text) };
      this.compiled.set(pattern, matcher);
    }
    return matcher;
  }
}
