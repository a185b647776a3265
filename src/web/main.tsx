// Entry point of the web panel: renders the app into the page shell.
import { render } from 'preact';

import { App } from './app.tsx';

const container = document.getElementById('app');
if (container === null) throw new Error('index.html lacks the #app element');
render(<App />, container);
