import { STATUS_CODES } from 'node:http';

// Where Go's http.StatusText differs from Node's STATUS_CODES; bodies Traefik writes use Go's words.
const GO_TEXT: Readonly<Record<number, string>> = {
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  416: 'Requested Range Not Satisfiable',
  418: "I'm a teapot",
};

/** Go's http.StatusText: the reason phrase Traefik puts in the bodies it writes; '' for an unknown code. */
export function goStatusText(status: number): string {
  return GO_TEXT[status] ?? STATUS_CODES[status] ?? '';
}
