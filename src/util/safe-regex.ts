import { RE2JS } from 're2js';

/**
 * Regular expressions from configuration (rules, stripPrefixRegex, redirectRegex...) are untrusted input. They
 * run on re2js, a port of RE2: matching time is linear in the input, so no pattern can hang the proxy through
 * catastrophic backtracking, and the syntax is the RE2 syntax Traefik users write for Go.
 */
export interface SafeRegex {
  readonly source: string;
  /** True when the pattern matches anywhere in `input` (Go's MatchString; anchor with ^...$). */
  test(input: string): boolean;
  /** The capture groups of the first match (index 0 is the whole match), or null. */
  exec(input: string): Array<string | null> | null;
  /** Go's ReplaceAllString: every match replaced by `template`, expanded with `$1`, `${1}`, `$name`, `${name}`. */
  replaceAll(input: string, template: string): string;
}

export type RegexResult = { ok: true; regex: SafeRegex } | { ok: false; message: string };

/** Compiles a pattern; never throws. The message says what is wrong in RE2 terms. */
export function compileRegex(pattern: string): RegexResult {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const hint = /Perl syntax|lookbehind|backreference|\\[1-9]/.test(detail)
      ? ' (lookarounds and backreferences are not supported: Berth uses RE2 syntax, as Traefik does, so matching stays linear-time)'
      : '';
    return { ok: false, message: `invalid regular expression \`${pattern}\`: ${detail}${hint}` };
  }
  const names = re.namedGroups();
  return {
    ok: true,
    regex: {
      source: pattern,
      test: (input) => re.test(input),
      exec(input) {
        const m = re.matcher(input);
        if (!m.find()) return null;
        const groups: Array<string | null> = [];
        for (let i = 0; i <= m.groupCount(); i++) groups.push(m.group(i));
        return groups;
      },
      replaceAll(input, template) {
        const m = re.matcher(input);
        const group = (ref: number | string): string => {
          const index = typeof ref === 'number' ? ref : names[ref];
          if (index === undefined || index > m.groupCount()) return '';
          return m.group(index) ?? '';
        };
        let out = '';
        let last = 0;
        let from = 0;
        let previousEnd = -1;
        while (from <= input.length && m.find(from)) {
          const start = m.start();
          const end = m.end();
          // As in Go, an empty match right after the previous match is skipped.
          if (!(start === end && start === previousEnd)) {
            out += input.slice(last, start) + expandGoTemplate(template, group);
            last = end;
          }
          previousEnd = end;
          from = end === start ? end + 1 : end;
        }
        return out + input.slice(last);
      },
    },
  };
}

/**
 * Go's Regexp.Expand: `$name` takes the longest run of letters, digits and underscores, so `$1x` means the
 * group named "1x" (empty) and users write `${1}x`; `$$` is a literal dollar.
 */
export function expandGoTemplate(template: string, group: (ref: number | string) => string): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch !== '$') {
      out += ch;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    let consumed = 0;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close === -1 ? '' : template.slice(i + 2, close);
      if (close !== -1 && /^\w+$/.test(inner)) {
        name = inner;
        consumed = close - i;
      }
    } else {
      const match = /^\w+/.exec(template.slice(i + 1));
      if (match !== null) {
        name = match[0];
        consumed = name.length;
      }
    }
    if (name === undefined) {
      out += '$';
      continue;
    }
    out += group(/^\d+$/.test(name) ? Number(name) : name);
    i += consumed;
  }
  return out;
}
