import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { KeyVault } from '../../../src/main/services/key-vault'
import { errorFromResponse, parseRetryAfter, redact, tidyMessage } from '../../../src/main/services/http/errors'
import { transportError } from '../../../src/main/services/http/transport-errors'
import { buildUrl } from '../../../src/main/services/http/url'
import { TestCipher } from '../../support/node-powers'

const json = (value: unknown): string => JSON.stringify(value)

describe('errorFromResponse', () => {
  it.each([
    [401, 'unauthorized'],
    [402, 'payment_required'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [408, 'timeout'],
    [413, 'too_large'],
    [429, 'rate_limited'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [500, 'server_error'],
    [504, 'server_error'],
    [529, 'server_error'],
    [400, 'invalid_argument'],
    [422, 'invalid_argument'],
    [301, 'bad_response']
  ])('maps %i to %s and keeps the status', (status, code) => {
    const error = errorFromResponse(status, {}, '')
    expect(error.code).toBe(code)
    expect(error.status).toBe(status)
    expect(error.message).toMatch(new RegExp(`HTTP ${status}`))
  })

  it.each([
    ['OpenAI', json({ error: { message: 'Invalid API key provided', type: 'x', param: null, code: 'invalid_api_key' } }), 'Invalid API key provided'],
    ['a string error', json({ error: 'Model not found' }), 'Model not found'],
    ['error and message', json({ error: 'Unauthorized', message: 'Invalid key' }), 'Unauthorized: Invalid key'],
    ['error and the same message', json({ error: 'Bad key', message: 'Bad key' }), 'Bad key'],
    ['Anthropic', json({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), 'Overloaded'],
    ['a message', json({ message: 'Slow down' }), 'Slow down'],
    ['FastAPI detail', json({ detail: 'Not Found' }), 'Not Found'],
    ['FastAPI validation', json({ detail: [{ loc: ['body'], msg: 'field required' }] }), 'field required'],
    ['unknown JSON', json({ status: 'nope' }), '{"status":"nope"}'],
    ['plain text', 'All providers failed\n\n  try later ', 'All providers failed try later'],
    [
      'HTML with a title',
      '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>',
      '502 Bad Gateway'
    ],
    ['HTML without a title', '<html><body><h1>Oops &amp; sorry</h1><p>down</p><script>x()</script></body></html>', 'Oops & sorry down'],
    ['a BOM and blanks', '\uFEFF  {"error":{"message":"x y"}}  ', 'x y']
  ])('reads %s', (_name, body, message) => {
    expect(errorFromResponse(400, {}, body).message).toBe(message)
  })

  it('says something for an empty body', () => {
    expect(errorFromResponse(401, {}, '   ').message).toBe('The server rejected the API key (HTTP 401).')
    expect(errorFromResponse(418, {}, '').message).toBe("The server answered with HTTP 418 I'm a Teapot.")
  })

  it('keeps the base URL advice for a redirect that has a body, and names where it points', () => {
    const page = '<html><head><title>301 Moved Permanently</title></head><body><center>nginx</center></body></html>'
    const error = errorFromResponse(301, { location: 'https://api.example/v1/models' }, page)
    expect(error).toMatchObject({ code: 'bad_response', status: 301 })
    expect(error.message).toBe(
      'The server answered with a redirect (HTTP 301) to https://api.example/v1/models; check the base URL. The server said: 301 Moved Permanently'
    )
    expect(errorFromResponse(302, {}, 'Found. Redirecting to /login').message).toBe(
      'The server answered with a redirect (HTTP 302); check the base URL. The server said: Found. Redirecting to /login'
    )
  })

  it('cuts long messages with an ellipsis', () => {
    const message = errorFromResponse(500, {}, 'word '.repeat(200)).message
    expect(message.length).toBe(300)
    expect(message.endsWith('…')).toBe(true)
  })

  it('removes the key, plain and URL-encoded, before cutting', () => {
    const key = 'sk-secret/key+1234'
    const body = json({ error: { message: `Key ${key} is invalid (${encodeURIComponent(key)})` } })
    const message = errorFromResponse(401, {}, body, [key]).message
    expect(message).toBe('Key [redacted] is invalid ([redacted])')
    const long = errorFromResponse(401, {}, `${'x '.repeat(147)}${key}`, [key]).message
    expect(long).not.toContain('sk-secret')
  })

  it('reads Retry-After in seconds, as a date, and retry-after-ms', () => {
    expect(errorFromResponse(429, { 'retry-after': '7' }, '').retryAfterMs).toBe(7000)
    expect(errorFromResponse(503, { 'retry-after-ms': '250' }, '').retryAfterMs).toBe(250)
    const now = Date.parse('2030-01-01T00:00:00Z')
    expect(parseRetryAfter({ 'retry-after': 'Tue, 01 Jan 2030 00:00:30 GMT' }, now)).toBe(30_000)
    expect(parseRetryAfter({ 'retry-after': 'soon' })).toBeUndefined()
    expect(parseRetryAfter(new Headers({ 'Retry-After': '2' }))).toBe(2000)
  })

  it('reads the wait from the gateway\'s 429 sentence when no header says it', () => {
    const body = json({ error: { message: 'Rate limit exceeded (1 request(s) per minute). Try again in 56 seconds.' } })
    expect(errorFromResponse(429, {}, body).retryAfterMs).toBe(56_000)
  })
})

describe('message helpers', () => {
  it('collapses whitespace', () => {
    expect(tidyMessage(' a \n\t b ')).toBe('a b')
  })
  it('ignores secrets too short to be keys', () => {
    expect(redact('a b c', ['a', ''])).toBe('a b c')
  })
})

describe('redact', () => {
  /** Every way the app writes a key into text, each found here with the encoder itself. */
  function writtenForms(key: string): string[] {
    const appended = buildUrl('http://127.0.0.1:1', '/check', { key })
    const assigned = new URL('http://127.0.0.1:1/check')
    assigned.search = `key=${key}`
    return [
      key,
      encodeURIComponent(key),
      new URLSearchParams({ key }).toString().slice('key='.length),
      appended.search.slice('?key='.length),
      assigned.search.slice('?key='.length)
    ]
  }
  const hexCase = (text: string, change: (hex: string) => string): string => text.replace(/%[0-9a-f]{2}/gi, change)

  // No letters of "[redacted]" or of the text around the key, so a form can only survive, never reappear.
  const alphabet = [...'ABCXYZ0189', ...`~()!'*%+ &=`, ...'-_./?#:@"<>', 'é', '😀']
  const keys = fc.string({ unit: fc.constantFrom(...alphabet), minLength: 12, maxLength: 40 })

  it('leaves no written form of the key, in lower- or upper-case hex', () => {
    fc.assert(
      fc.property(keys, (key) => {
        for (const form of writtenForms(key)) {
          for (const variant of [form, hexCase(form, (hex) => hex.toLowerCase()), hexCase(form, (hex) => hex.toUpperCase())]) {
            const scrubbed = redact(`Invalid token ${variant} (sent as ${variant})`, [key])
            expect(scrubbed).not.toContain(variant)
            expect(scrubbed).toContain('[redacted]')
          }
        }
      }),
      { numRuns: 300 }
    )
  })

  it('scrubs a key= query value whatever key it holds', () => {
    expect(redact('GET https://api.example/check?key=sk-old-key~1&x=1 failed', [])).toBe('GET https://api.example/check?key=[redacted]&x=1 failed')
    expect(redact('bad parameter api_key=abc%27def', [])).toBe('bad parameter api_key=[redacted]')
    expect(redact('the monkey=banana rule', [])).toBe('the monkey=banana rule')
  })

  it('is what the key vault uses, so every message says the same', async () => {
    const vault = new KeyVault({ cipher: new TestCipher(), filePath: join(mkdtempSync(join(tmpdir(), 'skyport-redact-')), 'api-key.bin') })
    const key = "sk-(it's)~key!"
    await vault.set(key, 'https://api.example')
    const text = `Key ${key} / ${new URLSearchParams({ key }).toString()} / ${encodeURIComponent(key)}`
    expect(vault.redact(text)).toBe(redact(text, [key]))
    expect(vault.redact(text)).toBe('Key [redacted] / key=[redacted] / [redacted]')
  })
})

describe('transportError', () => {
  const ctx = { host: 'api.example:443', proxy: null, timeouts: { connectMs: 1000, headersMs: 2500, idleMs: 3000 }, secrets: [] }
  const coded = (code: string, message = code): Error => Object.assign(new Error(message), { code })

  it.each([
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout', /connect to api.example:443 within 1 s/],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout', /did not start answering within 2.5 s/],
    ['UND_ERR_BODY_TIMEOUT', 'timeout', /went silent for more than 3 s/],
    ['ECONNREFUSED', 'network', /refused the connection/],
    ['ECONNRESET', 'network', /closed unexpectedly/],
    ['UND_ERR_SOCKET', 'network', /closed unexpectedly/],
    ['ENOTFOUND', 'network', /DNS lookup failed/],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'network', /TLS certificate/]
  ])('%s → %s', (code, appCode, message) => {
    const error = transportError(coded(code), ctx)
    expect(error.code).toBe(appCode)
    expect(error.message).toMatch(message)
  })

  it('finds codes in causes and AggregateErrors', () => {
    const aggregate = new AggregateError([coded('ECONNREFUSED')], 'many')
    expect(transportError(new Error('fetch failed', { cause: aggregate }), ctx).message).toMatch(/refused/)
  })

  it('names the proxy', () => {
    const error = transportError(coded('ECONNREFUSED'), { ...ctx, proxy: '127.0.0.1:9' })
    expect(error.message).toBe('The proxy 127.0.0.1:9 refused the connection.')
  })

  it('says aborted when the caller stopped, whatever undici threw', () => {
    const controller = new AbortController()
    controller.abort()
    expect(transportError(coded('UND_ERR_SOCKET'), { ...ctx, signal: controller.signal }).code).toBe('aborted')
  })
})
