import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { cookieValue, defaultCookieName, sanitizeCookieName, StickyCookie, stickyValue } from '../../../src/runtime/services/sticky.js';

const cookie = { secure: false, httpOnly: false, maxAge: 0, path: '/' };
const request = (header: string | undefined): IncomingMessage => ({ headers: header === undefined ? {} : { cookie: header } }) as IncomingMessage;

describe('sticky cookies', () => {
  it('names and values cookies as Traefik does', () => {
    assert.equal(defaultCookieName('whoami@docker'), '_633ff');
    assert.equal(stickyValue('http://127.0.0.1:8080'), 'd30a576c03187167');
    assert.equal(sanitizeCookieName('my cookie;name/é'), 'my_cookie_name__');
  });

  it('reads a cookie as Go does: first match, spaces trimmed, quotes removed', () => {
    assert.equal(cookieValue('a=1; _x=abc; _x=def', '_x'), 'abc');
    assert.equal(cookieValue('a=1;_x="quoted"', '_x'), 'quoted');
    assert.equal(cookieValue('a_x=1', '_x'), undefined);
    assert.equal(cookieValue(undefined, '_x'), undefined);
  });

  it('pins by hash, honours legacy values with a rewrite, and formats Set-Cookie once', () => {
    const servers = [{ name: 'http://a:80' }, { name: 'http://b:80' }];
    const sticky = new StickyCookie({ ...cookie, name: 'pin', sameSite: 'strict', maxAge: -1, path: '/app', domain: '.example.com' }, 'svc@file', servers);
    assert.equal(sticky.name, 'pin');
    const current = sticky.pinned(request(`pin=${stickyValue('http://b:80')}`));
    assert.equal(current?.candidate, servers[1]);
    assert.equal(current?.rewrite, false);
    const legacy = sticky.pinned(request('pin=http://a:80'));
    assert.equal(legacy?.candidate, servers[0]);
    assert.equal(legacy?.rewrite, true);
    assert.equal(sticky.pinned(request('pin=unknown')), undefined);
    const headers: string[] = [];
    sticky.pin({ appendHeader: (_name: string, value: string) => headers.push(value) } as never, servers[0] as { name: string });
    assert.deepEqual(headers, [`pin=${stickyValue('http://a:80')}; Path=/app; Domain=example.com; Max-Age=0; SameSite=Strict`]);
  });
});
