// Drives gateway-web's widget in a real headless Chromium, as a customer would. Run by the C++
// e2e test tests/e2e/browser_test.cpp, which starts the services and plays the operator; the two
// synchronise over this process's stdio:
//   this script prints  "STEP <name>"  when the customer side reached a point,
//   the C++ side answers "GO <name>"   on stdin once it did its part (e.g. the operator replied).
// Every other line it prints is a log line. Exit 0 = every check passed.
//
// Environment (all set by the C++ test):
//   WIDGET_URL       the demo page, with ?conversation=<id>
//   KB_QUESTION      a question the knowledge base answers; KB_ANSWER its answer
//   OPERATOR_NAME    the operator's display name (the reply marker must show it)
//   OPERATOR_REPLY_1, OPERATOR_REPLY_2, OPERATOR_REPLY_3   what the operator sends, in order
//   CHROMIUM         the browser binary (default /usr/bin/chromium)
import { createInterface } from 'node:readline';

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error(`playwright-core is not installed: run \`npm ci --prefix ${new URL('.', import.meta.url).pathname}\``);
  process.exit(3);
}

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) { console.error(`missing environment variable ${name}`); process.exit(2); }
  return v;
};
const url = env('WIDGET_URL');
const question = env('KB_QUESTION');
const answer = env('KB_ANSWER');
const operator = env('OPERATOR_NAME');
const replies = [env('OPERATOR_REPLY_1'), env('OPERATOR_REPLY_2'), env('OPERATOR_REPLY_3')];
const TIMEOUT = 30000;

// ---- stdio handshake with the C++ side ------------------------------------------------------
const lines = createInterface({ input: process.stdin });
const received = [];
const waiters = [];
lines.on('line', (line) => {
  const w = waiters.findIndex((x) => x.line === line.trim());
  if (w >= 0) waiters.splice(w, 1)[0].resolve(); else received.push(line.trim());
});
function step(name) { console.log(`STEP ${name}`); }
function go(name) {
  const line = `GO ${name}`;
  const i = received.indexOf(line);
  if (i >= 0) { received.splice(i, 1); return Promise.resolve(); }
  return new Promise((resolve, reject) => {
    waiters.push({ line, resolve });
    setTimeout(() => reject(new Error(`no "${line}" from the test within ${TIMEOUT} ms`)), TIMEOUT);
  });
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`ok - ${message}`);
}

// ---- page helpers ---------------------------------------------------------------------------
const widget = (page) => page.locator('section.sbw');
async function waitState(page, state) {
  await widget(page).and(page.locator(`[data-state="${state}"]`)).waitFor({ timeout: TIMEOUT });
}
async function send(page, text) {
  const input = page.locator('.sbw-input');
  await input.click();
  // Key by key, so the widget sees input events (and sends its typing frame).
  await input.pressSequentially(text, { delay: 5 });
  await input.press('Enter');
}
// The reply bubble with exactly this text; checks its visible "you are talking to" marker.
async function expectReply(page, cls, text, marker) {
  const bubble = page.locator(`.sbw-msg.${cls}`).filter({ has: page.locator('.sbw-text', { hasText: text }) });
  await bubble.first().waitFor({ timeout: TIMEOUT });
  check(await bubble.count() === 1, `"${text}" is shown once`);
  const shown = await bubble.locator('.sbw-marker').textContent();
  check(shown === marker, `reply "${text.slice(0, 40)}" carries the marker "${marker}" (got "${shown}")`);
  check(await bubble.locator('.sbw-marker').isVisible(), 'the marker is visible');
}
async function expectNoDuplicates(page) {
  const ids = await page.locator('.sbw-msg[data-id]').evaluateAll((els) => els.map((e) => e.dataset.id));
  check(new Set(ids).size === ids.length, `no entry is shown twice (${ids.length} shown)`);
}

const browser = await chromium.launch({
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let exitCode = 0;
try {
  const context = await browser.newContext();
  let page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log(`# page console: ${m.text()}`); });
  page.on('pageerror', (e) => { console.log(`# page error: ${e.message}`); exitCode = 1; });

  // 1. A question the knowledge base answers: the assistant replies, marked as the assistant.
  await page.goto(url);
  await waitState(page, 'online');
  check(true, 'the widget connected');
  // Records every text the "assistant is typing…" line shows (it may flash for milliseconds).
  await page.evaluate(() => {
    const line = document.querySelector('[data-switchboard-widget]').shadowRoot.querySelector('.sbw-typing');
    window.typingShown = [];
    new MutationObserver(() => window.typingShown.push(line.textContent))
      .observe(line, { childList: true, characterData: true, subtree: true });
  });
  await send(page, question);
  await expectReply(page, 'sbw-bot', answer, 'You are talking to the assistant');
  const typingShown = await page.evaluate(() => window.typingShown);
  check(typingShown.includes('assistant is typing\u2026'), `"assistant is typing…" showed while waiting (${JSON.stringify(typingShown)})`);
  check(await page.locator('.sbw-typing').textContent() === '', 'and is gone once the answer is there');
  const customer = page.locator('.sbw-msg.sbw-customer', { hasText: question });
  check(await customer.count() === 1, 'the question is shown once');
  await customer.and(page.locator('[data-status="sent"]')).waitFor({ timeout: TIMEOUT });
  check(true, 'the question is acknowledged');

  // 2. Asking for a human: the assistant says it hands over; the operator's reply carries their name.
  await send(page, 'I want a human');
  await page.locator('.sbw-msg.sbw-bot.sbw-notice').first().waitFor({ timeout: TIMEOUT });
  check(true, 'the handoff notice is shown');
  step('handoff');
  await expectReply(page, 'sbw-operator', replies[0], `You are talking to ${operator}`);
  check((await page.locator('.sbw-with').textContent()) === `You are talking to ${operator}`,
        'the header says who the customer is talking to');

  // 3. The network drops; the operator replies meanwhile; back online, the reply is there.
  await context.setOffline(true);
  await waitState(page, 'offline');
  check(true, 'the widget noticed it is offline');
  step('offline');
  await go('offline');  // the operator's second reply is delivered now, to nobody
  check(await page.locator('.sbw-text', { hasText: replies[1] }).count() === 0,
        'the reply sent while offline is not shown yet');
  await context.setOffline(false);
  await expectReply(page, 'sbw-operator', replies[1], `You are talking to ${operator}`);
  await waitState(page, 'online');
  await expectNoDuplicates(page);

  // 4. The customer closes the tab; the operator replies; the customer comes back to the site.
  const cursor = await page.evaluate(() => window.SwitchboardWidget.cursor());
  check(cursor > 0, `the widget remembers how far it has read (seq ${cursor})`);
  await page.close();
  step('closed');
  await go('closed');
  page = await context.newPage();
  page.on('pageerror', (e) => { console.log(`# page error: ${e.message}`); exitCode = 1; });
  await page.goto(url);
  await expectReply(page, 'sbw-operator', replies[2], `You are talking to ${operator}`);
  // What was read before comes from this browser's storage, not again from the server.
  await expectReply(page, 'sbw-bot', answer, 'You are talking to the assistant');
  await expectReply(page, 'sbw-operator', replies[0], `You are talking to ${operator}`);
  await expectReply(page, 'sbw-operator', replies[1], `You are talking to ${operator}`);
  check(await page.locator('.sbw-msg.sbw-customer', { hasText: question }).count() === 1,
        'the customer\'s own question is still shown, once');
  await waitState(page, 'online');
  await expectNoDuplicates(page);
  step('done');
} catch (e) {
  console.log(`FAIL: ${e.message}`);
  exitCode = 1;
} finally {
  await browser.close().catch(() => {});
  lines.close();
}
process.exit(exitCode);
