import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { PassTlsClientCertOptions } from '../../config/dynamic/middlewares/pass-tls-client-cert.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import { formatIp, parseIp } from './ip.js';
import type { MiddlewareFactory } from './middleware.js';
import { queryEscape } from './url-path.js';

type Info = NonNullable<DeepReadonly<PassTlsClientCertOptions>['info']>;
type DnOptions = NonNullable<Info['subject']>;

/**
 * passTLSClientCert: passes the client certificate of a mutual-TLS connection to the backend, as
 * X-Forwarded-Tls-Client-Cert (base64 DER, certificates separated by commas) and/or
 * X-Forwarded-Tls-Client-Cert-Info (the selected fields, URL-escaped), in Traefik's exact formats.
 * Values a client sent itself in these headers are removed unless its X-Forwarded-* are trusted.
 */
export const passTLSClientCert: MiddlewareFactory<'passTLSClientCert'> = (options) => {
  const info = options.info;
  return (next) => (req, res, ctx) => {
    if (!ctx.trustForwardHeaders) {
      delete req.headers['x-forwarded-tls-client-cert'];
      delete req.headers['x-forwarded-tls-client-cert-info'];
    }
    const chain = ctx.tls ? peerChain(req.socket as TLSSocket) : [];
    if (chain.length > 0) {
      if (options.pem) req.headers['x-forwarded-tls-client-cert'] = chain.map((cert) => cert.raw.toString('base64')).join(',');
      if (info !== undefined) req.headers['x-forwarded-tls-client-cert-info'] = queryEscape(chain.map((cert) => certificateInfo(cert, info)).join(','));
    }
    next(req, res, ctx);
  };
};

/**
 * The client's certificates, leaf first. Node gives the verified chain; the self-signed root at its end is
 * left out, since clients send (and Go's PeerCertificates holds) the leaf and intermediates only.
 */
function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let cert = typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
  while (cert !== undefined && chain.length < 10) {
    const isRoot = cert.subject === cert.issuer && chain.length > 0;
    if (isRoot) break;
    chain.push(cert);
    const issuer: X509Certificate | undefined = (cert as X509Certificate & { issuerCertificate?: X509Certificate }).issuerCertificate;
    if (issuer === undefined || issuer.fingerprint256 === cert.fingerprint256) break;
    cert = issuer;
  }
  return chain;
}

/** `Subject="...";Issuer="...";SerialNumber="...";NB="...";NA="...";SAN="..."`, empty parts left out. */
function certificateInfo(cert: X509Certificate, info: Info): string {
  const values: string[] = [];
  const subject = info.subject === undefined ? '' : distinguishedName(cert.subject, info.subject, true);
  if (subject !== '') values.push(`Subject="${subject}"`);
  const issuer = info.issuer === undefined ? '' : distinguishedName(cert.issuer, info.issuer, false);
  if (issuer !== '') values.push(`Issuer="${issuer}"`);
  if (info.serialNumber) values.push(`SerialNumber="${BigInt(`0x${cert.serialNumber}`).toString()}"`);
  if (info.notBefore) values.push(`NB="${Math.floor(Date.parse(cert.validFrom) / 1000)}"`);
  if (info.notAfter) values.push(`NA="${Math.floor(Date.parse(cert.validTo) / 1000)}"`);
  if (info.sans) {
    const sans = subjectAltNames(cert.subjectAltName);
    if (sans.length > 0) values.push(`SAN="${sans.join(',')}"`);
  }
  return values.join(';');
}

/** Go's order: DC (as in the certificate), C, ST, L, O, OU (subject only), SN, CN; multi-valued fields repeat. */
function distinguishedName(text: string, options: DnOptions, subject: boolean): string {
  const attributes = parseLines(text);
  const all = (key: string): string[] => attributes.filter(([k]) => k === key).map(([, v]) => v).filter((v) => v !== '');
  // pkix.Name keeps the last value of single-valued attributes.
  const last = (key: string): string[] => all(key).slice(-1);
  const parts: string[] = [];
  const add = (enabled: boolean, prefix: string, values: string[]): void => {
    if (enabled) for (const value of values) parts.push(`${prefix}=${value}`);
  };
  add(options.domainComponent, 'DC', all('DC'));
  add(options.country, 'C', all('C'));
  add(options.province, 'ST', all('ST'));
  add(options.locality, 'L', all('L'));
  add(options.organization, 'O', all('O'));
  if (subject) add(options.organizationalUnit, 'OU', all('OU'));
  add(options.serialNumber, 'SN', last('serialNumber'));
  add(options.commonName, 'CN', last('CN'));
  return parts.join(',');
}

/** Node's `KEY=value` lines; values with special characters come JSON-quoted. */
function parseLines(text: string | undefined): Array<[string, string]> {
  return (text ?? '').split('\n').filter((line) => line.includes('=')).map((line) => {
    const eq = line.indexOf('=');
    return [line.slice(0, eq), unquote(line.slice(eq + 1))];
  });
}

/** SANs in Go's order: DNS names, e-mail addresses, IP addresses (Go's formatting), URIs. */
function subjectAltNames(text: string | undefined): string[] {
  const groups: Record<string, string[]> = { DNS: [], email: [], ip: [], URI: [] };
  for (const entry of splitList(text ?? '')) {
    const colon = entry.indexOf(':');
    const type = entry.slice(0, colon);
    const value = unquote(entry.slice(colon + 1));
    if (type === 'IP Address') {
      const ip = parseIp(value);
      groups['ip']?.push(ip === undefined ? value : formatIp(ip));
    } else groups[type]?.push(value);
  }
  return [...(groups['DNS'] ?? []), ...(groups['email'] ?? []), ...(groups['ip'] ?? []), ...(groups['URI'] ?? [])];
}

function splitList(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && ch === ',' && text[i + 1] === ' ') {
      out.push(current);
      current = '';
      i++;
      continue;
    }
    current += ch;
  }
  if (current !== '') out.push(current);
  return out;
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    return JSON.parse(value) as string;
  } catch {
    return value;
  }
}
