import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AnswerFilter } from '../../src/main/services/chat/answer-filter'
import { AppError } from '../../src/shared/errors'

/** Runs text through the filter in the given pieces; returns what was shown. */
function run(pieces: string[], showFooters = false): { shown: string; footer: string } {
  const filter = new AnswerFilter({ showFooters })
  let shown = ''
  for (const piece of pieces) shown += filter.push(piece)
  shown += filter.finish()
  return { shown, footer: filter.footer }
}

/** Splits text into pieces of 1..size characters, deterministically. */
function chop(text: string, size: number): string[] {
  const pieces: string[] = []
  for (let i = 0, n = 1; i < text.length; i += n, n = (n % size) + 1) pieces.push(text.slice(i, i + n))
  return pieces
}

const FOOTER = '\n\nNeed proxies cheaper than the market?\nhttps://op.wtf'
const UPGRADE = '\n\nUpgrade your plan to remove this message at https://api.airforce/pricing'

describe('AnswerFilter', () => {
  it('passes ordinary text through unchanged, however it is split', () => {
    const text = 'Hello! Here is `code` and <b>html</b> and a </ tag and 5 < 6.\n\n```js\nx()\n```'
    for (const size of [1, 2, 3, 7, 50]) expect(run(chop(text, size)).shown).toBe(text)
  })

  it('removes stray end tokens even when split across deltas', () => {
    const text = 'The answer is 42.<|im_end|>'
    for (const size of [1, 3, 5]) expect(run(chop(text, size)).shown).toBe('The answer is 42.')
    expect(run(['Done</', 's>']).shown).toBe('Done')
    expect(run(['a<|eot_id|>b<|endoftext|>']).shown).toBe('ab')
  })

  it('hides the advertising footer and keeps it aside', () => {
    for (const size of [1, 4, 9]) {
      const result = run(chop(`A fine answer.${FOOTER}`, size))
      expect(result.shown).toBe('A fine answer.')
      expect(result.footer).toContain('Need proxies')
    }
    expect(run([`Answer.${UPGRADE}`]).shown).toBe('Answer.')
  })

  it('shows the footer when the setting says so', () => {
    expect(run([`A fine answer.${FOOTER}`], true).shown).toBe(`A fine answer.${FOOTER}`)
  })

  it('turns the rate-limit notice sent as a 200 answer into a rate_limited error', () => {
    for (const notice of [
      'Ratelimit Exceeded!\nPlease join: https://discord.gg/airforce',
      'Rate limit (5/minute) exceeded. Join our discord for more: https://discord.gg/airforce',
      'Rate limit exceeded (1 request(s) per minute). Try again in 56 seconds.'
    ]) {
      const filter = new AnswerFilter({ showFooters: false })
      let shown = ''
      for (const piece of chop(notice, 3)) shown += filter.push(piece)
      expect(shown).toBe('')
      let caught: unknown
      try {
        filter.finish()
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(AppError)
      expect((caught as AppError).code).toBe('rate_limited')
      if (notice.includes('56 seconds')) expect((caught as AppError).retryAfterMs).toBe(56_000)
    }
  })

  it('does not mistake answers that merely start like a notice', () => {
    expect(run(chop('Rate limits protect servers from overload.', 2)).shown).toBe('Rate limits protect servers from overload.')
    expect(run(['Ra']).shown).toBe('Ra')
    const long = `Ratelimit Exceeded! is a phrase. ${'More text. '.repeat(60)}`
    expect(run(chop(long, 5)).shown).toBe(long)
  })

  it('never shows a prefix of a marker it later removes, and loses no other text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 1, max: 12 }), (body, size) => {
        let clean = body
        for (let before = ''; before !== clean; ) {
          before = clean
          clean = clean.replace(/<\||<\/|Need|Upgrade|Rate ?limit/gi, '')
        }
        expect(run(chop(`${clean}<|im_end|>`, size)).shown).toBe(clean)
      })
    )
  })
})
