/** Speakable text from markdown, and splitting it under the per-request limit (a property test). */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CODE_PHRASE, MATH_PHRASE, speakableText, TABLE_PHRASE } from '../../../src/main/services/sound/speakable'
import { splitForSpeech } from '../../../src/main/services/sound/split-text'

const words = (text: string) => text.split(/\s+/).filter(Boolean)

describe('speakableText', () => {
  it('skips code blocks with a phrase, keeps link and image words, reads headings and list items as sentences', () => {
    const markdown = [
      '# Getting started',
      '',
      'Read [the guide](https://example.com/guide) and **then** run `npm test`.',
      '',
      '```ts',
      'const secret = 1',
      '```',
      '',
      '- first step',
      '- second step!',
      '',
      '> quoted words',
      '',
      '![a red fox](fox.png) &amp; friends'
    ].join('\n')
    const spoken = speakableText(markdown)
    expect(spoken).toBe(
      ['Getting started.', 'Read the guide and then run npm test.', CODE_PHRASE, 'first step.', 'second step!', 'quoted words', 'a red fox & friends'].join('\n\n')
    )
    expect(spoken).not.toContain('http')
    expect(spoken).not.toContain('const secret')
  })

  it('reads a small table as header: value pairs and only announces a large one', () => {
    const small = '| Name | Age |\n| --- | --- |\n| Ann | 31 |\n| Bo | 4 |'
    expect(speakableText(small)).toBe('Name: Ann, Age: 31. Name: Bo, Age: 4.')
    const rows = Array.from({ length: 30 }, (_, i) => `| r${i} | v${i} |`).join('\n')
    expect(speakableText(`| A | B |\n| --- | --- |\n${rows}`)).toBe(TABLE_PHRASE)
  })

  it('skips inline and display math, but not prices', () => {
    expect(speakableText('The area is $\\pi r^2$ here.\n\n$$\\int_0^1 x\\,dx$$')).toBe(`The area is ${MATH_PHRASE} here.\n\n${MATH_PHRASE}`)
    expect(speakableText('It costs $5 and $6 today.')).toBe('It costs $5 and $6 today.')
  })
})

describe('splitForSpeech', () => {
  it('cuts at paragraph and sentence ends, packing parts up to the limit', () => {
    const text = 'One. Two is here.\n\nThree comes next. Four!'
    expect(splitForSpeech(text, 1000)).toEqual(['One. Two is here.\nThree comes next. Four!'])
    expect(splitForSpeech(text, 20)).toEqual(['One. Two is here.', 'Three comes next.', 'Four!'])
    expect(splitForSpeech('   \n\n  ', 10)).toEqual([])
  })

  it('loses nothing, reorders nothing, and keeps every part within the limit (property)', () => {
    const word = fc.oneof(
      fc.stringMatching(/^[A-Za-z]{1,12}$/),
      fc.constantFrom('Dr.', 'e.g.', '3.14', '—', '😀😀', 'ok?', 'yes!', 'end.'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !/\s/.test(s))
    )
    const separator = fc.constantFrom(' ', ' ', ' ', '. ', '\n', '\n\n', '  \n \n', '\t')
    const text = fc.array(fc.tuple(word, separator), { maxLength: 300 }).map((pairs) => pairs.map(([w, s]) => w + s).join(''))
    fc.assert(
      fc.property(text, fc.integer({ min: 2, max: 400 }), (input, limit) => {
        const parts = splitForSpeech(input, limit)
        for (const part of parts) {
          expect(part.length).toBeLessThanOrEqual(limit)
          expect(part.trim()).not.toBe('')
        }
        // Every character, in order: only white space may change (and a word cut in two at the limit).
        expect(parts.join('').replace(/\s+/g, '')).toBe(input.replace(/\s+/g, ''))
        // Words are never cut unless a word alone is longer than the limit.
        if (words(input).every((w) => w.length <= limit)) expect(parts.flatMap(words)).toEqual(words(input))
      }),
      { numRuns: 300 }
    )
  })
})
