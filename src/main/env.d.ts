// Types of electron-vite's import suffixes, e.g. `./worker?nodeWorker` (a worker thread bundled with main).
/// <reference types="electron-vite/node" />
