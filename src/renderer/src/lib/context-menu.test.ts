import { describe, expect, it } from 'vitest'
import { contextTargetOf, quoteText } from './context-menu'

function html(markup: string): HTMLElement {
  const host = document.createElement('div')
  host.innerHTML = markup
  document.body.append(host)
  return host
}

describe('right-click targets', () => {
  it('finds the marked message or image around what was clicked', () => {
    const host = html(`
      <article data-context-menu="message" data-message-id="m1" data-role="assistant"><p><b id="b">bold</b> words</p>
        <a id="link" href="https://example.com">a link</a></article>
      <div data-context-menu="image" data-media-id="img7"><img id="img" alt=""></div>
      <textarea id="field"></textarea>
      <p id="plain">nothing</p>`)
    const byId = (id: string) => host.querySelector(`#${id}`)
    expect(contextTargetOf(byId('b'))).toEqual({ kind: 'message', messageId: 'm1', role: 'assistant', hasSelection: false })
    expect(contextTargetOf(byId('b'), 'bold words')).toMatchObject({ hasSelection: true })
    // A selection elsewhere is no selection of this message.
    expect(contextTargetOf(byId('b'), 'something else')).toMatchObject({ hasSelection: false })
    expect(contextTargetOf(byId('img'))).toEqual({ kind: 'image', mediaId: 'img7' })
    // Links and text fields keep the native menu (open link, spelling).
    expect(contextTargetOf(byId('link'))).toBeNull()
    expect(contextTargetOf(byId('field'))).toBeNull()
    expect(contextTargetOf(byId('plain'))).toBeNull()
    host.remove()
  })

  it('ignores marks without the ids the menu needs', () => {
    const host = html(`<div data-context-menu="message" data-message-id="m1" data-role="system"><span id="s">x</span></div>`)
    expect(contextTargetOf(host.querySelector('#s'))).toBeNull()
    host.remove()
  })

  it('quotes every line for a reply', () => {
    expect(quoteText('one\n\ntwo\n')).toBe('> one\n>\n> two\n\n')
  })
})
