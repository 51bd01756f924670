/**
 * For DOM emulations only: render.ts calls this when DOMPurify fails its
 * self-test, which happens under happy-dom (component tests), never in
 * Chromium; and each fix first probes whether it is needed, so in a real DOM
 * nothing is touched. DOMPurify caches what it uses when it is created, so
 * render.ts creates a new one afterwards.
 *
 * Two happy-dom gaps break DOMPurify 3.4 there:
 * - it reads `nodeName` through the getter of `Node.prototype`, which in
 *   happy-dom returns '' (only subclasses answer), so every element looks
 *   disallowed;
 * - happy-dom's NodeIterator stops once the node it stands on is removed,
 *   so everything after the first removed element went unsanitised.
 */
export function installHappyDomShims(): void {
  if (typeof window === 'undefined') return
  fixNodeName()
  fixNodeIterator()
}

const SHIMMED = Symbol.for('skyport.happy-dom-shim')

function fixNodeName(): void {
  const proto = window.Node.prototype
  const original = Object.getOwnPropertyDescriptor(proto, 'nodeName')
  const base = original?.get
  if (!original || !base || SHIMMED in base) return
  if (base.call(document.createElement('p')) === 'P') return // a real DOM: nothing to fix
  const get = function (this: Node): string {
    let level = Object.getPrototypeOf(this) as object | null
    while (level && level !== proto) {
      const own = Object.getOwnPropertyDescriptor(level, 'nodeName')
      if (own?.get) return own.get.call(this) as string
      level = Object.getPrototypeOf(level) as object | null
    }
    return base.call(this) as string
  }
  Object.defineProperty(get, SHIMMED, { value: true })
  Object.defineProperty(proto, 'nodeName', { ...original, get })
}

function following(node: Node, root: Node): Node | null {
  if (node.firstChild) return node.firstChild
  let at: Node | null = node
  while (at && at !== root) {
    if (at.nextSibling) return at.nextSibling
    at = at.parentNode
  }
  return null
}

function preceding(node: Node, root: Node): Node | null {
  if (node === root) return null
  let at = node.previousSibling
  if (!at) return node.parentNode
  while (at.lastChild) at = at.lastChild
  return at
}

/** A NodeIterator that survives removal of its current node, as the DOM spec's does. */
class LiveNodeIterator {
  #started = false
  #current: Node | null = null
  #before: Node | null = null
  constructor(
    readonly root: Node,
    readonly whatToShow: number
  ) {}
  nextNode(): Node | null {
    let node: Node | null
    if (!this.#started) {
      this.#started = true
      node = this.root
    } else if (this.#current && this.root.contains(this.#current)) {
      node = following(this.#current, this.root)
    } else {
      node = this.#before ? following(this.#before, this.root) : null
    }
    while (node && !(this.whatToShow & (1 << (node.nodeType - 1)))) node = following(node, this.root)
    if (node) {
      this.#current = node
      this.#before = preceding(node, this.root)
    }
    return node
  }
}

function fixNodeIterator(): void {
  // The prototype that really holds the method `document` uses.
  let proto = Object.getPrototypeOf(document) as object | null
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'createNodeIterator')) proto = Object.getPrototypeOf(proto) as object | null
  if (!proto || SHIMMED in proto) return
  // Probe: does the native iterator lose its way when its node is removed?
  const box = document.createElement('div')
  box.innerHTML = '<i></i><b></b>'
  const probe = document.createNodeIterator(box, 1)
  probe.nextNode()
  const first = probe.nextNode()
  first?.parentNode?.removeChild(first)
  if (probe.nextNode()?.nodeName === 'B') return
  Object.defineProperty(proto, SHIMMED, { value: true })
  Object.defineProperty(proto, 'createNodeIterator', {
    configurable: true,
    writable: true,
    value(root: Node, whatToShow = 0xffffffff) {
      return new LiveNodeIterator(root, whatToShow)
    }
  })
}
