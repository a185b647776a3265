// Walks several table columns side by side over one net-snmp session (GETBULK for v2c, GETNEXT for v1), bounded in
// rows, requests and time; an answer is kept only while it stays in its column, in order, with a plain index.
import snmp from 'net-snmp';

import { columnIndex, oidFollows } from './snmp-values.ts';

/** One round trip: for each OID asked, the varbinds that followed it (GETBULK repetitions, or the one GETNEXT answer). */
export type NextRequest = (oids: string[], nonRepeaters: number, maxRepetitions: number) => Promise<snmp.Varbind[][]>;

export interface WalkLimits {
  /** Distinct table indexes kept; rows past it are not asked for. */
  maxRows: number;
  maxRequests: number;
  /** GETBULK repetitions per request (v2c); halved while the agent says tooBig. */
  maxRepetitions: number;
  /** ms epoch after which no new request is sent. */
  deadline: number;
}

export interface WalkResult {
  /** The first answer to each scalar prefix (a GETNEXT on it: `prefix.0` when the agent has it). */
  scalars: Map<string, snmp.Varbind>;
  /** Per column OID, its values by table index. */
  columns: Map<string, Map<number, snmp.Varbind>>;
  /** ms epoch of the first answer. */
  firstAnswerAt: number;
  /** Why the walk ended early, after the agent had answered at least once. */
  error?: Error;
}

export class SnmpWalkError extends Error {
  override name = 'SnmpWalkError';
}

const isErrorStatus = (error: unknown, status: 'TooBig' | 'NoSuchName') => error instanceof snmp.RequestFailedError && error.status === snmp.ErrorStatus[status];

function request<T>(send: (callback: snmp.ResponseCallback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => send((error, result) => (error ? reject(error) : resolve(result))));
}

/** SNMPv2c: GETBULK (RFC 3416 §4.2.3); non-repeaters come back as one varbind, repeaters as a list each. */
export function bulkRequest(session: snmp.Session): NextRequest {
  return async (oids, nonRepeaters, maxRepetitions) => {
    const answer = await request<Array<snmp.Varbind | snmp.Varbind[]>>((callback) => session.getBulk(oids, nonRepeaters, maxRepetitions, callback));
    return answer.map((entry) => (Array.isArray(entry) ? entry : [entry]));
  };
}

/**
 * SNMPv1: GETNEXT. A v1 agent at the end of its MIB fails the whole request with noSuchName (RFC 1157 §4.1.3), so
 * such a request is asked again one OID at a time, and an OID that fails alone has nothing after it.
 */
export function nextRequest(session: snmp.Session): NextRequest {
  const one = (oids: string[]) => request<snmp.Varbind[]>((callback) => session.getNext(oids, callback));
  return async (oids) => {
    try {
      return (await one(oids)).map((varbind) => [varbind]);
    } catch (error) {
      if (!isErrorStatus(error, 'NoSuchName')) throw error;
      const answers: snmp.Varbind[][] = [];
      for (const oid of oids) {
        try {
          answers.push(await one([oid]));
        } catch (single) {
          if (!isErrorStatus(single, 'NoSuchName')) throw single;
          answers.push([]);
        }
      }
      return answers;
    }
  };
}

/**
 * GETNEXT on each scalar prefix in the first request, then every column until each leaves its subtree. Throws when the
 * first request gets no answer; after that, returns what it has with `error` set.
 */
export async function walkColumns(next: NextRequest, scalarPrefixes: string[], columnOids: string[], limits: WalkLimits): Promise<WalkResult> {
  const cursors = new Map(columnOids.map((column) => [column, column]));
  const columns = new Map(columnOids.map((column) => [column, new Map<number, snmp.Varbind>()]));
  const scalars = new Map<string, snmp.Varbind>();
  const rows = new Set<number>();
  let active = [...columnOids];
  let repetitions = limits.maxRepetitions;
  let firstAnswerAt: number | undefined;
  const stop = (error?: Error): WalkResult => ({ scalars, columns, firstAnswerAt: firstAnswerAt!, ...(error && { error }) });

  for (let requests = 0; firstAnswerAt === undefined || active.length > 0; requests++) {
    if (requests >= limits.maxRequests) return stop(new SnmpWalkError(`the interface table needed more than ${limits.maxRequests} requests`));
    if (Date.now() > limits.deadline) return stop(new SnmpWalkError('the interface table took too long to read'));
    const prefixes = firstAnswerAt === undefined ? scalarPrefixes : [];
    let answer: snmp.Varbind[][];
    try {
      answer = await next([...prefixes, ...active.map((column) => cursors.get(column)!)], prefixes.length, repetitions);
    } catch (error) {
      if (isErrorStatus(error, 'TooBig') && repetitions > 1) {
        repetitions = Math.floor(repetitions / 2);
        continue;
      }
      if (firstAnswerAt === undefined) throw error;
      return stop(error as Error);
    }
    if (firstAnswerAt === undefined) {
      firstAnswerAt = Date.now();
      prefixes.forEach((prefix, position) => {
        const varbind = answer[position]?.[0];
        if (varbind) scalars.set(prefix, varbind);
      });
    }
    let changed = false;
    active = active.filter((column, position) => {
      const received = answer[prefixes.length + position];
      if (!received) return true; // cut from a full answer: asked again next time
      if (received.length === 0) {
        changed = true; // nothing after it (v1 noSuchName)
        return false;
      }
      for (const varbind of received) {
        const index = snmp.isVarbindError(varbind) ? null : columnIndex(column, varbind.oid);
        const fresh = index !== null && !rows.has(index);
        if (index === null || !oidFollows(cursors.get(column)!, varbind.oid) || (fresh && rows.size >= limits.maxRows)) {
          changed = true;
          return false;
        }
        rows.add(index);
        columns.get(column)!.set(index, varbind);
        cursors.set(column, varbind.oid);
        changed = true;
      }
      return true;
    });
    if (!changed && active.length > 0) return stop(new SnmpWalkError('the agent stopped advancing in its interface table'));
  }
  return stop();
}
