// The built demo runs under its strict Content-Security-Policy (demo/index.html: scripts only from
// its own origin, no eval, no inline script): it classifies its samples, in the page and in worker
// mode, and Chromium reports no CSP violation. The policy is also checked to be what it claims.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium, logPageErrors, screenshot, serveStatic, viteBuild, type StaticServer } from './support.js';

let browser: Browser | undefined;
let demo: StaticServer | undefined;

before(async () => {
  demo = await serveStatic([await viteBuild('production')]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  await demo?.close();
});

for (const query of ['', '?worker=1']) {
  test(`the demo${query ? ' in worker mode' : ''} runs under a strict CSP with no violations`, { timeout: 120_000 }, async () => {
    const page = await browser!.newPage();
    try {
      const errors = logPageErrors(page, `csp${query}`);
      await page.addInitScript(() => {
        const seen: string[] = [];
        (globalThis as unknown as { __cspViolations: string[] }).__cspViolations = seen;
        document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective}: ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
      });
      await page.goto(`${demo!.url}${query}`);
      const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      assert.ok(policy, 'the page declares a CSP');
      assert.match(policy!, /script-src 'self'(;|$)/, 'scripts from the page origin only: no inline script, no eval');
      assert.doesNotMatch(policy!, /unsafe-eval/);
      await page.waitForSelector('body:is([data-state="done"], [data-state="error"], [data-state="unavailable"])', { timeout: 110_000 });
      assert.equal(await page.getAttribute('body', 'data-state'), 'done', String(await page.textContent('#message')));
      const violations = await page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations);
      assert.deepEqual(violations, [], 'no CSP violations');
      assert.deepEqual(errors.filter((e) => /Content Security Policy|CSP/i.test(e)), []);
      await screenshot(page, `demo-csp${query ? '-worker' : ''}`);
    } finally {
      await page.close();
    }
  });
}
