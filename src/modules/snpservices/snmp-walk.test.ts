// The column walk against scripted agents: truncated and tooBig answers, v1 noSuchName, endless or looping tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import snmp from 'net-snmp';

import { nextRequest, walkColumns, type NextRequest, type WalkLimits } from './snmp-walk.ts';
import { oidFollows } from './snmp-values.ts';

const DESCR = '1.3.6.1.2.1.2.2.1.2';
const IN = '1.3.6.1.2.1.2.2.1.10';
const UPTIME = '1.3.6.1.2.1.1.3';
const limits = (overrides: Partial<WalkLimits> = {}): WalkLimits => ({ maxRows: 256, maxRequests: 100, maxRepetitions: 10, deadline: Date.now() + 10_000, ...overrides });
const varbind = (oid: string, value: number | Buffer = 0): snmp.Varbind => ({ oid, type: typeof value === 'number' ? snmp.ObjectType.Counter32 : snmp.ObjectType.OctetString, value });

/** A well-behaved GETBULK agent over a sorted MIB; `answers` counts the requests. */
const sortedMib = (mib: snmp.Varbind[]) => [...mib].sort((a, b) => (oidFollows(a.oid, b.oid) ? -1 : 1));

function bulkAgent(mib: snmp.Varbind[], options: { dropLast?: boolean; tooBigAbove?: number } = {}): NextRequest & { answers: number } {
  const sorted = sortedMib(mib);
  const after = (oid: string) => sorted.find((entry) => oidFollows(oid, entry.oid)) ?? { oid, type: snmp.ObjectType.EndOfMibView, value: null };
  const agent = async (oids: string[], nonRepeaters: number, maxRepetitions: number) => {
    agent.answers++;
    if (options.tooBigAbove !== undefined && maxRepetitions > options.tooBigAbove) throw Object.assign(new snmp.RequestFailedError('TooBig'), { status: snmp.ErrorStatus.TooBig });
    const answer = oids.map((oid, position) => {
      const list = [after(oid)];
      if (position >= nonRepeaters) while (list.length < maxRepetitions) list.push(after(list[list.length - 1]!.oid));
      return list;
    });
    return options.dropLast ? answer.slice(0, -1) : answer;
  };
  agent.answers = 0;
  return agent;
}

const table = (rows: number) => [
  varbind(`${UPTIME}.0`, 4200),
  ...Array.from({ length: rows }, (_, row) => [varbind(`${DESCR}.${row + 1}`, Buffer.from(`eth${row}`)), varbind(`${IN}.${row + 1}`, row * 100)]).flat(),
  varbind('1.3.6.1.2.1.31.1.1.1.1.1', Buffer.from('after the table')),
];

test('columns side by side, in as few GETBULKs as the repetitions allow, with the scalars in the first', async () => {
  const agent = bulkAgent(table(25));
  const walk = await walkColumns(agent, [UPTIME], [DESCR, IN], limits());
  assert.equal(walk.scalars.get(UPTIME)?.value, 4200);
  assert.equal(walk.columns.get(DESCR)!.size, 25);
  assert.equal(walk.columns.get(IN)!.get(25)!.value, 2400);
  assert.equal(agent.answers, 3, '10 + 10 + 5 rows');
  assert.equal(walk.error, undefined);
});

test('an answer cut short (columns left out) is asked again; tooBig halves the repetitions', async () => {
  const cut = bulkAgent(table(4), { dropLast: true });
  const walk = await walkColumns(cut, [UPTIME], [DESCR, IN], limits());
  assert.equal(walk.columns.get(DESCR)!.size, 4);
  assert.equal(walk.columns.get(IN)!.size, 0, 'never answered: stopped, not looping');
  assert.match(walk.error?.message ?? '', /stopped advancing/);
  const tooBig = bulkAgent(table(4), { tooBigAbove: 3 });
  const resized = await walkColumns(tooBig, [UPTIME], [DESCR, IN], limits());
  assert.equal(resized.columns.get(IN)!.size, 4);
  assert.equal(resized.error, undefined);
});

test('rows are bounded; so are requests and time', async () => {
  const big = await walkColumns(bulkAgent(table(1000)), [UPTIME], [DESCR, IN], limits({ maxRows: 256 }));
  assert.equal(big.columns.get(DESCR)!.size, 256);
  assert.equal(big.error, undefined, 'a bounded table is not an error');
  const slow = await walkColumns(bulkAgent(table(1000)), [UPTIME], [DESCR, IN], limits({ maxRequests: 3 }));
  assert.match(slow.error?.message ?? '', /more than 3 requests/);
  assert.equal(slow.columns.get(DESCR)!.size, 30);
});

test('an agent that loops or answers outside the column ends that column', async () => {
  let answers = 0;
  const looping: NextRequest = async (oids) => {
    answers++;
    return oids.map(() => [varbind(`${DESCR}.1`, Buffer.from('again'))]);
  };
  const walk = await walkColumns(looping, [], [DESCR], limits());
  assert.equal(walk.columns.get(DESCR)!.size, 1);
  assert.equal(answers, 2, 'the repeated OID does not follow the cursor');
  const deep: NextRequest = async (oids) => oids.map(() => [varbind(`${DESCR}.1.2.3`, 1)]);
  assert.equal((await walkColumns(deep, [], [DESCR], limits())).columns.get(DESCR)!.size, 0, 'an index of several sub-identifiers');
});

test('a first request without an answer throws; a later one ends the walk with what was read', async () => {
  const silent: NextRequest = async () => {
    throw new snmp.RequestTimedOutError('Request timed out');
  };
  await assert.rejects(walkColumns(silent, [UPTIME], [DESCR], limits()), snmp.RequestTimedOutError);
  const agent = bulkAgent(table(30));
  let calls = 0;
  const flaky: NextRequest = async (...args) => {
    if (++calls > 1) throw new snmp.RequestTimedOutError('Request timed out');
    return agent(...args);
  };
  const walk = await walkColumns(flaky, [UPTIME], [DESCR, IN], limits());
  assert.equal(walk.columns.get(DESCR)!.size, 10);
  assert.ok(walk.error instanceof snmp.RequestTimedOutError);
});

test('SNMPv1: a GETNEXT that hits the end of the MIB is asked again one OID at a time', async () => {
  const mib = sortedMib(table(2).slice(0, -1));
  const asked: string[][] = [];
  const session = {
    getNext(oids: string[], callback: snmp.ResponseCallback<snmp.Varbind[]>) {
      asked.push(oids);
      const answers = oids.map((oid) => mib.find((entry) => oidFollows(oid, entry.oid)));
      if (answers.some((answer) => !answer)) callback(Object.assign(new snmp.RequestFailedError('NoSuchName'), { status: snmp.ErrorStatus.NoSuchName }), []);
      else callback(null, answers as snmp.Varbind[]);
      return this;
    },
  } as unknown as snmp.Session;
  const walk = await walkColumns(nextRequest(session), [UPTIME], [DESCR, IN], limits());
  assert.equal(walk.columns.get(DESCR)!.size, 2);
  assert.equal(walk.columns.get(IN)!.size, 2);
  assert.equal(walk.error, undefined);
  assert.ok(asked.some((oids) => oids.length === 1), 'fell back to single OIDs at the end');
});
