/**
 * The quick-ask window: a second, small entry of the renderer. It loads
 * only what the empty window needs; markdown (with math and highlighting)
 * is imported when the first answer arrives.
 */
import { mount } from 'svelte'
import QuickApp from './QuickApp.svelte'
import { applyTheme } from '../lib/theme'
import '../app.css'

applyTheme('system')

const target = document.getElementById('app')
if (!target) throw new Error('Missing #app element')

export default mount(QuickApp, { target })
