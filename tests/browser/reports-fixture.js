// The fixture of the report forms' and targets' browser tests (issue 18):
// a server with the demo tree, a browser, an officer of Phường Ba Đình
// (entry) and an approver of Hà Nội, the level above; three members in
// the commune's first branch; pages on a 360x740 phone, logged in, with
// the API's data watched for the words check (words.js). The server's
// sanitizers must have reported nothing when it stops.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sanitizerReport } from './server.js';
import { launch, openPage, login } from './ui.js';
import { watchData } from './words.js';

export const PHONE = { width: 360, height: 740 };
export const COMMUNE = '00004'; // Phường Ba Đình, Hà Nội

// Registers the file's before and after hooks; the object returned holds
// the server once started, and open(who): a phone page logged in as who.
export function reportFixture(officer, approver) {
  const ctx = { server: null, browser: null };
  before(async () => {
    ctx.server = await startServer();
    ctx.browser = await launch();
    await ctx.server.createUser({ ...officer, unit: COMMUNE, roles: ['entry'] });
    await ctx.server.createUser({ ...approver, unit: '01', roles: ['approver'] });
    for (const n of ['Hoa', 'Mai', 'Cúc']) {
      const r = await ctx.server.post('/api/v1/members', { full_name: `Lê Thị ${n}`, birth_date: '1980-04-04', unit: `${COMMUNE}.01`, joined_on: '2025-08-01' });
      assert.equal(r.status, 201, r.text);
    }
  });
  after(async () => {
    if (ctx.browser) await ctx.browser.close();
    if (ctx.server) {
      const { output } = await ctx.server.stop();
      const report = sanitizerReport(output);
      assert.equal(report, null, `the server reported:\n${report}`);
    }
  });
  ctx.open = async (who) => {
    const opened = await openPage(ctx.browser, PHONE);
    opened.data = watchData(opened.page);
    await login(opened.page, ctx.server.url('/#/'), who);
    return opened;
  };
  return ctx;
}
