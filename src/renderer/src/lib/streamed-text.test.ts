import { describe, expect, it } from 'vitest'
import { StreamedText } from './streamed-text'

describe('StreamedText', () => {
  it('reads the text from any offset, across the pieces it came in', () => {
    const text = new StreamedText('Hello')
    for (const piece of [', ', '', 'wor', 'ld', '!']) text.append(piece)
    const whole = 'Hello, world!'
    expect(text.length).toBe(whole.length)
    for (let offset = 0; offset <= whole.length + 2; offset++) expect(text.from(offset), `from ${offset}`).toBe(whole.slice(offset))
  })

  it('starts empty', () => {
    const text = new StreamedText()
    expect(text.length).toBe(0)
    expect(text.from(0)).toBe('')
    text.append('a')
    expect(text.from(0)).toBe('a')
  })
})
