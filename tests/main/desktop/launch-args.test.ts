import { describe, expect, it } from 'vitest'
import { parseDeepLink, parseLaunchArgs } from '../../../src/main/services/desktop/launch-args'
import { LIMITS } from '../../../src/shared/limits'

describe('launch arguments', () => {
  it('reads --quick-ask and --hidden among the switches Chromium and the OS add', () => {
    const exe = ['/opt/Skyport/skyport', '--no-sandbox', '--allow-file-access-from-files']
    expect(parseLaunchArgs([...exe, '--quick-ask'])).toEqual({ request: { action: 'quick-ask', question: null }, problem: null })
    expect(parseLaunchArgs([...exe, '--hidden'])).toEqual({ request: { action: 'background' }, problem: null })
    expect(parseLaunchArgs(exe)).toEqual({ request: { action: 'open' }, problem: null })
    // A file or a word that happens to be on the line is not an action.
    expect(parseLaunchArgs([...exe, 'quick-ask', '/home/a/notes.txt']).request).toEqual({ action: 'open' })
  })

  it('takes a skyport://ask link from the command line (Windows and Linux), over --quick-ask', () => {
    const argv = ['C:\\Skyport\\Skyport.exe', '--quick-ask', 'skyport://ask?q=What%20is%20a%20quasar%3F']
    expect(parseLaunchArgs(argv)).toEqual({ request: { action: 'quick-ask', question: 'What is a quasar?' }, problem: null })
  })
})

describe('deep links', () => {
  it.each([
    ['skyport://ask?q=hello%20world', 'hello world'],
    ['skyport://ask/?q=hello+world', 'hello world'],
    ['skyport:ask?q=hello', 'hello'],
    ['SKYPORT://ASK?q=Hi', 'Hi'],
    ['skyport://ask?q=%E4%BD%A0%E5%A5%BD%20%F0%9F%9A%80', '你好 🚀'],
    ['skyport://ask?q=line%20one%0Aline%20two', 'line one\nline two']
  ])('%s asks quick ask to show with the question filled in', (link, question) => {
    expect(parseDeepLink(link)).toEqual({ request: { action: 'quick-ask', question }, problem: null })
  })

  it('opens quick ask empty without a question, and strips control characters', () => {
    expect(parseDeepLink('skyport://ask').request).toEqual({ action: 'quick-ask', question: null })
    expect(parseDeepLink('skyport://ask?q=%20%20').request).toEqual({ action: 'quick-ask', question: null })
    expect(parseDeepLink('skyport://ask?q=a%00b%1B%5B2Jc%7F').request).toEqual({ action: 'quick-ask', question: 'ab[2Jc' })
  })

  it('never sends: parameters asking for it are ignored and the request has nothing to send with', () => {
    const parsed = parseDeepLink('skyport://ask?q=hi&send=1&autosend=true&model=gpt-4o&web=1')
    expect(parsed.request).toStrictEqual({ action: 'quick-ask', question: 'hi' })
  })

  it.each([
    ['skyport://settings?baseUrl=http://evil.example', /unknown action "settings"/],
    ['skyport://delete-all', /unknown action "delete-all"/],
    ['skyport://', /unknown action ""/],
    ['skyport://ask%2F..%2Fsettings?q=x', /unknown action/],
    ['https://ask?q=hi', /another scheme/],
    ['skyport://[bad', /not a valid address/]
  ])('%s is not a known action: the main window opens and the log says why', (link, problem) => {
    const parsed = parseDeepLink(link)
    expect(parsed.request).toEqual({ action: 'open' })
    expect(parsed.problem).toMatch(problem)
  })

  it('refuses a question over the length limit instead of cutting it, and a link far longer still', () => {
    const atLimit = 'a'.repeat(LIMITS.deepLinkQuestionChars)
    expect(parseDeepLink(`skyport://ask?q=${atLimit}`).request).toEqual({ action: 'quick-ask', question: atLimit })
    const over = parseDeepLink(`skyport://ask?q=${atLimit}b`)
    expect(over.request).toEqual({ action: 'quick-ask', question: null })
    expect(over.problem).toMatch(/more than 4000/)
    const huge = parseDeepLink(`skyport://ask?q=${'%41'.repeat(LIMITS.deepLinkQuestionChars * 5)}`)
    expect(huge.request).toEqual({ action: 'open' })
    expect(huge.problem).toMatch(/too long/)
  })
})
