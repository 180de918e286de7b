import { decodeGoString } from './go-string.js';

/** One token of a rule. Columns are 1-based and count UTF-16 code units of the rule text. */
export type Token =
  | { readonly kind: 'ident'; readonly text: string; readonly column: number }
  | { readonly kind: 'string'; readonly value: string; readonly column: number }
  | { readonly kind: '(' | ')' | ',' | '&&' | '||' | '!' | 'eof'; readonly column: number }
  /** Anything Go's scanner would accept but a rule cannot use (numbers, `==`, `.`...), kept for the message. */
  | { readonly kind: 'other'; readonly text: string; readonly column: number };

export interface LexError {
  readonly kind: 'error';
  /** What is wrong, without the column (the parser adds it). */
  readonly message: string;
  readonly column: number;
}

// Go's identifiers: a Unicode letter or underscore, then letters, digits, underscores.
const IDENT = /[\p{L}_][\p{L}\p{Nd}_]*/uy;
const NUMBER = /[0-9][\w.]*/y;

/**
 * Reads a rule one token at a time, so that the first problem reported is the leftmost one, whichever of the
 * lexer and the parser finds it. The token set is the part of Go's expression syntax Traefik's parser
 * (`vulcand/predicate` on `go/parser`) gives a meaning to.
 */
export class Lexer {
  readonly #text: string;
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  next(): Token | LexError {
    const text = this.#text;
    // Go's whitespace. Go would also insert a semicolon at a line break after `)`, which made such rules fail in
    // Traefik; Berth reads any line break as a space.
    while (this.#pos < text.length && ' \t\r\n'.includes(text.charAt(this.#pos))) this.#pos++;
    const start = this.#pos;
    const column = start + 1;
    if (start >= text.length) return { kind: 'eof', column };
    const ch = text.charAt(start);
    const two = text.slice(start, start + 2);
    if (two === '&&' || two === '||') {
      this.#pos += 2;
      return { kind: two, column };
    }
    if (ch === '(' || ch === ')' || ch === ',' || ch === '!') {
      this.#pos++;
      return { kind: ch, column };
    }
    if (ch === '`' || ch === '"') return this.#string(ch, column);
    if (ch === '&' || ch === '|') {
      return { kind: 'error', column, message: `expected '${ch}${ch}', found a single '${ch}'` };
    }
    if (ch === "'") {
      return {
        kind: 'error',
        column,
        message: 'single quotes do not delimit strings in rules; use backticks (`...`) or double quotes',
      };
    }
    const word = this.#sticky(IDENT) ?? this.#sticky(NUMBER);
    if (word !== undefined) return /^[\p{L}_]/u.test(word) ? { kind: 'ident', text: word, column } : { kind: 'other', text: word, column };
    const codePoint = text.codePointAt(start) ?? 0;
    this.#pos += codePoint > 0xffff ? 2 : 1;
    return { kind: 'other', text: String.fromCodePoint(codePoint), column };
  }

  #sticky(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.#pos;
    const match = pattern.exec(this.#text);
    if (match === null) return undefined;
    this.#pos += match[0].length;
    return match[0];
  }

  #string(quote: '`' | '"', column: number): Token | LexError {
    const text = this.#text;
    const open = this.#pos;
    let end = open + 1;
    if (quote === '`') {
      end = text.indexOf('`', open + 1);
      if (end === -1) return { kind: 'error', column, message: 'unterminated string: missing closing backtick' };
      this.#pos = end + 1;
      // Go drops carriage returns from raw strings, so a rule written on Windows means the same thing.
      return { kind: 'string', value: text.slice(open + 1, end).replaceAll('\r', ''), column };
    }
    while (end < text.length && text.charAt(end) !== '"') {
      const c = text.charAt(end);
      if (c === '\n') break;
      end += c === '\\' ? 2 : 1;
    }
    if (end >= text.length || text.charAt(end) !== '"') {
      return { kind: 'error', column, message: 'unterminated string: missing closing double quote' };
    }
    const decoded = decodeGoString(text.slice(open + 1, end));
    if (!decoded.ok) {
      const at = open + 2 + decoded.offset;
      return { kind: 'error', column: at, message: decoded.message };
    }
    this.#pos = end + 1;
    return { kind: 'string', value: decoded.value, column };
  }
}

/** How a token is named in "expected X, found Y". */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of rule';
    case 'ident':
      return `'${token.text}'`;
    case 'string':
      return `string "${token.value}"`;
    case 'other': {
      const printable = /^[\x21-\x7e]/.test(token.text) || /^[\p{L}\p{N}]/u.test(token.text);
      return printable ? `'${token.text}'` : `U+${(token.text.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    }
    default:
      return `'${token.kind}'`;
  }
}
