// Drives trailctl ui's Event History page in Debian's headless Chromium, as an operator
// would: filter by user and outcome, change the date range, choose columns, sort, page, open
// an event and download CSV and JSON. Run by tests/integration/ui_test.cpp, which starts the
// real traild and trailctl ui, writes the trail, and checks the downloaded files.
//
// Environment: UI_URL (the URL trailctl ui printed), OUT_DIR (downloads and screenshot go
// there), EXPECT (JSON: what the trail holds, see ui_test.cpp). Exits 1 with the reason on
// the first failed check.
import {chromium} from 'playwright-core';
import assert from 'node:assert/strict';
import path from 'node:path';

const url = process.env.UI_URL;
const outDir = process.env.OUT_DIR;
const expect = JSON.parse(process.env.EXPECT);
const timezone = 'Asia/Kolkata';  // not UTC, so the page's local times differ from the stored ones

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let page;
try {
  const context = await browser.newContext({acceptDownloads: true, timezoneId: timezone, viewport: {width: 1400, height: 900}});
  page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  const rows = page.locator('#rows tr');
  const status = page.locator('#status');
  // Waits for the answer to the latest change: the page shows "Loading…" until it arrives.
  const settled = async () => {
    await page.waitForFunction(() => !document.body.classList.contains('loading') &&
      !document.getElementById('status').textContent.startsWith('Loading'));
  };
  const columnValues = async (field) => {
    const index = await page.locator('#header-row th button').evaluateAll(
      (buttons, f) => buttons.findIndex((b) => b.dataset.field === f), field);
    assert.ok(index >= 0, `no column ${field}`);
    return rows.evaluateAll((trs, i) => trs.map((tr) => tr.children[i].textContent), index);
  };
  const filterColumn = async (field, value) => {
    const input = page.locator(`input.column-filter[data-field="${field}"]`);
    await input.fill(value);
    await input.press('Enter');
    await settled();
  };

  // 1. The token URL opens the page (and moves the token into a cookie).
  await page.goto(url);
  assert.equal(new URL(page.url()).search, '', 'the token is dropped from the address bar');
  await settled();
  const headers = await page.locator('#header-row th').allTextContents();
  assert.deepEqual(headers.map((h) => h.replace(/ [▼▲]$/, '')),
    ['Time', 'User/App', 'Event', 'Status', 'Entity type', 'Entity name', 'Source IP'], 'Run:ai\'s default columns');
  assert.equal(await rows.count(), 50, 'a first page of 50 rows');
  assert.match(await status.textContent(), /^Events 1–50 \(/);

  // 2. Times in the browser's zone, UTC on hover.
  const firstTime = page.locator('#rows tr:first-child td.time');
  const shown = await firstTime.textContent();
  const utc = await firstTime.getAttribute('title');
  assert.match(utc, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$/, utc);
  assert.match(shown, /GMT\+5:30$/, shown);
  const utcMs = Date.parse(utc.replace(' UTC', 'Z').replace(' ', 'T'));
  const local = new Date(utcMs + 330 * 60000).toISOString().replace('T', ' ').replace('Z', '');
  assert.equal(shown.replace(/ GMT\+5:30$/, ''), local, 'local time is UTC+05:30 here');

  // 3. Filter by user and outcome (exact match, combined).
  await filterColumn('user.name', 'alice');
  await filterColumn('event.outcome', 'failure');
  assert.match(await status.textContent(), new RegExp(`\\(${expect.alice_failures_recent} matching\\)`));
  assert.deepEqual(new Set(await columnValues('user.name')), new Set(['alice']));
  assert.deepEqual(new Set(await columnValues('event.outcome')), new Set(['failure']));
  assert.equal(await page.locator('#chips .chip').count(), 2, 'both filters are shown as chips');

  // 4. The date range: the default 30 days leaves the old events out; all time has them.
  await page.selectOption('#range', 'all');
  await settled();
  assert.match(await status.textContent(), new RegExp(`\\(${expect.alice_failures_all} matching\\)`));
  await page.selectOption('#range', 'custom');
  await settled();
  await page.fill('#from', expect.old_day_local_start);
  await page.dispatchEvent('#from', 'change');
  await page.fill('#to', expect.old_day_local_end);
  await page.dispatchEvent('#to', 'change');
  await settled();
  assert.match(await status.textContent(), new RegExp(`\\(${expect.alice_failures_old} matching\\)`));
  await page.selectOption('#range', '30d');
  await settled();

  // 5. A free FIELD OP VALUE filter, and the server's error for a misspelt field.
  await page.fill('#where', 'entity.target.name =^ proj-1');
  await page.press('#where', 'Enter');
  await settled();
  assert.ok((await columnValues('entity.target.name')).every((v) => v.startsWith('proj-1')));
  await page.fill('#where', 'no.such.field == x');
  await page.press('#where', 'Enter');
  await settled();
  assert.match(await page.locator('#error').textContent(), /unknown field/);
  // Remove both free filters: the last chips.
  await page.locator('#chips .chip button').last().click();
  await settled();
  await page.locator('#chips .chip button').last().click();
  await settled();
  assert.equal(await page.locator('#error').isVisible(), false);

  // 6. Choose columns: drop Source IP, add event.id from the list and process.name by name.
  await page.click('#columns-button');
  await page.locator('#column-list input[value="source.ip"]').uncheck();
  await page.locator('#column-list input[value="event.id"]').check();
  await page.fill('#add-column', 'process.name');
  await page.press('#add-column', 'Enter');
  await page.waitForSelector('#header-row button[data-field="process.name"]');
  await page.fill('#add-column', 'not.a.field');
  await page.press('#add-column', 'Enter');
  await page.waitForFunction(() => /unknown field/.test(document.getElementById('error').textContent));
  const chosen = await page.locator('#header-row th button').evaluateAll((bs) => bs.map((b) => b.dataset.field));
  assert.deepEqual(chosen, ['@timestamp', 'user.name', 'event.action', 'event.outcome', 'entity.target.type',
    'entity.target.name', 'event.id', 'process.name']);
  assert.ok((await columnValues('process.name')).every((v) => v === 'trailctl'), 'the kernel-attested sender');
  await page.click('#columns-button');

  // 7. Sort by clicking a column: descending, then ascending.
  await page.click('#header-row button[data-field="entity.target.name"]');
  await settled();
  const desc = await columnValues('entity.target.name');
  assert.deepEqual(desc, [...desc].sort().reverse());
  await page.click('#header-row button[data-field="entity.target.name"]');
  await settled();
  const asc = await columnValues('entity.target.name');
  assert.deepEqual(asc, [...asc].sort());
  await page.click('#header-row button[data-field="@timestamp"]');
  await settled();

  // 8. Paging with next/prev (cursors), 25 rows a page.
  await page.selectOption('#limit', '25');
  await settled();
  const page1 = await columnValues('event.id');
  assert.equal(page1.length, 25);
  await page.click('#next-page');
  await settled();
  assert.match(await status.textContent(), /^Events 26–50 /);
  const page2 = await columnValues('event.id');
  assert.equal(page2.length, 25);
  assert.equal(page1.filter((id) => page2.includes(id)).length, 0, 'pages do not overlap');
  await page.click('#next-page');
  await settled();
  const page3 = await columnValues('event.id');
  await page.click('#prev-page');
  await settled();
  assert.deepEqual(await columnValues('event.id'), page2, 'back to the same second page');
  await page.click('#prev-page');
  await settled();
  assert.deepEqual(await columnValues('event.id'), page1, 'back to the first page');
  assert.equal(await page.locator('#prev-page').isDisabled(), true);
  assert.equal(page3.length, expect.alice_failures_recent - 50, 'the third page holds the rest');

  // 9. Open an event: its whole JSON.
  const id = page1[3];
  await page.locator('#rows tr').nth(3).click();
  await page.waitForSelector('#detail[open]');
  const detail = JSON.parse(await page.locator('#detail-json').textContent());
  assert.equal(detail.event.id, id);
  assert.equal(detail.user.name, 'alice');
  assert.ok(detail.event.sequence > 0 && detail.host.hostname, 'the whole event, as traild wrote it');
  await page.screenshot({path: path.join(outDir, 'detail.png')});
  await page.click('#detail-close');

  // 10. Downloads: everything the filters select, not only the page.
  for (const [button, file] of [['#download-csv', 'export.csv'], ['#download-json', 'export.json']]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    await download.saveAs(path.join(outDir, file));
  }

  // The screenshot for docs/ui.md: the unfiltered first page.
  for (let n = await page.locator('#chips .chip button').count(); n > 0; n--) {
    await page.locator('#chips .chip button').first().click();
    await settled();
  }
  await page.screenshot({path: path.join(outDir, 'event-history.png')});
  assert.deepEqual(pageErrors, [], 'no script errors');
  console.log('browser checks passed');
} catch (e) {
  if (page) await page.screenshot({path: path.join(outDir, 'failure.png')}).catch(() => {});
  console.error(e.stack || String(e));
  process.exitCode = 1;
} finally {
  await browser.close();
}
