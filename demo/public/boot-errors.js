// If the module graph fails to load or evaluate, main.ts never runs: show why. Capture phase, so
// that a <script> that fails to load (an element error) is seen too. A file, not an inline script:
// the page's Content-Security-Policy allows scripts from its own origin only.
window.addEventListener('error', (e) => {
  if (document.body.dataset.state !== 'loading') return;
  document.body.dataset.state = 'error';
  document.getElementById('status').textContent = 'failed';
  const box = document.getElementById('message');
  box.textContent = 'The page failed to start: ' + (e.message || (e.target && e.target.src ? 'could not load ' + e.target.src : 'a script did not load'));
  box.hidden = false;
}, true);
