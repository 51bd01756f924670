import { describe, expect, it } from 'vitest'
import { spellcheckLanguages } from '../../src/main/services/spellcheck'

const available = ['en-US', 'en-GB', 'de-DE', 'fr', 'pt-BR', 'pt-PT']

describe('spellchecker languages', () => {
  it('uses the chosen languages the spellchecker has, in order', () => {
    expect(spellcheckLanguages(['de-DE', 'en-GB'], available, 'en-US')).toEqual(['de-DE', 'en-GB'])
  })

  it('matches case-insensitively and by base language', () => {
    expect(spellcheckLanguages(['EN-gb', 'pt', 'fr-CA'], available, 'en-US')).toEqual(['en-GB', 'pt-BR', 'fr'])
  })

  it('drops languages it has no dictionary for (Electron would throw) and falls back to the OS language', () => {
    expect(spellcheckLanguages(['xx-YY', 'de-DE'], available, 'en-US')).toEqual(['de-DE'])
    expect(spellcheckLanguages(['xx-YY'], available, 'fr-FR')).toEqual(['fr'])
    expect(spellcheckLanguages([], available, 'en-US')).toEqual(['en-US'])
    expect(spellcheckLanguages([], available, 'ja-JP')).toEqual([])
  })
})
