import { mount } from 'svelte'
import App from './App.svelte'
import { applyTheme } from './lib/theme'
import './app.css'

// Follow the OS until the saved theme arrives, so the first paint does not flash.
applyTheme('system')

const target = document.getElementById('app')
if (!target) throw new Error('Missing #app element')

export default mount(App, { target })
