import { describe, expect, it } from 'vitest'
import { buildUrl } from '../../../src/main/services/http/url'

describe('buildUrl', () => {
  it.each([
    ['https://api.airforce', '/v1/models', 'https://api.airforce/v1/models'],
    ['https://api.airforce/', '/v1/models', 'https://api.airforce/v1/models'],
    ['https://api.airforce/v1', '/v1/models', 'https://api.airforce/v1/models'],
    ['https://api.airforce/v1/', '/v1/models', 'https://api.airforce/v1/models'],
    ['https://api.airforce/V1//', '/v1/chat/completions', 'https://api.airforce/v1/chat/completions'],
    ['https://openrouter.ai/api/v1', '/v1/chat/completions', 'https://openrouter.ai/api/v1/chat/completions'],
    ['http://127.0.0.1:8080/proxy', '/v1/models', 'http://127.0.0.1:8080/proxy/v1/models'],
    ['https://api.airforce/v1', '/check', 'https://api.airforce/check'],
    ['api.airforce', '/imagine', 'https://api.airforce/imagine'],
    ['localhost:8080/v1', '/v1/models', 'https://localhost:8080/v1/models']
  ])('%s + %s', (base, path, expected) => {
    expect(buildUrl(base, path).href).toBe(expected)
  })

  it('adds query parameters, encoded, skipping empty ones', () => {
    const url = buildUrl('https://api.airforce', '/check', { key: 'a b&c', none: undefined, nil: null, n: 3 })
    expect(url.search).toBe('?key=a+b%26c&n=3')
  })

  it('uses an absolute URL as is', () => {
    expect(buildUrl('https://api.airforce', 'https://cdn.example/a.mp3').href).toBe('https://cdn.example/a.mp3')
  })

  it('refuses a base URL that is not http(s)', () => {
    expect(() => buildUrl('ftp://x', '/v1/models')).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
    expect(() => buildUrl('http://', '/v1/models')).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
    expect(() => buildUrl('mailto:x@y', '/v1/models')).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
  })
})
