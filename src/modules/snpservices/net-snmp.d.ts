// Types for the part of net-snmp 3.x (npm, no bundled types) that the poller uses; from the package's README and index.js.
declare module 'net-snmp' {
  namespace snmp {
    /** net-snmp's ObjectType numbers (BER tags): Integer 2, OctetString 4, Counter 65, TimeTicks 67, Counter64 70, … */
    interface Varbind {
      oid: string;
      type: number;
      /** number for Integer/Counter/Gauge/TimeTicks, Buffer for OctetString and Counter64, null for the error types. */
      value: number | Buffer | string | null;
    }

    interface SessionOptions {
      port?: number;
      /** Times a request is sent again after a timeout (0: once in all). */
      retries?: number;
      /** Milliseconds to wait for each try. */
      timeout?: number;
      transport?: 'udp4' | 'udp6';
      version?: number;
      backwardsGetNexts?: boolean;
    }

    type ResponseCallback<T> = (error: Error | null, result: T) => void;

    interface Session {
      get(oids: string[], callback: ResponseCallback<Varbind[]>): Session;
      getNext(oids: string[], callback: ResponseCallback<Varbind[]>): Session;
      /** Non-repeaters come back as one varbind each, repeaters as an array each (RFC 3416 GetBulkRequest). */
      getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number, callback: ResponseCallback<Array<Varbind | Varbind[]>>): Session;
      close(): Session;
      on(event: 'error' | 'close', listener: (error?: Error) => void): Session;
    }

    /** Raised when the agent answers with an error status (v1 noSuchName at the end of the MIB, …). */
    class RequestFailedError extends Error {
      status: number;
    }
    class RequestTimedOutError extends Error {}
    class ResponseInvalidError extends Error {
      code: number;
    }

    const Version1: number;
    const Version2c: number;
    const ObjectType: { Integer: number; OctetString: number; Counter32: number; TimeTicks: number; Counter64: number; EndOfMibView: number; [name: string]: number };
    const ErrorStatus: { NoError: number; TooBig: number; NoSuchName: number; [name: string]: number };
    /** ResponseInvalidError codes, both ways: 10 ⇄ 'ECommunityNoMatch'. */
    const ResponseInvalidCode: Record<string | number, string | number>;

    function createSession(target: string, community: string, options?: SessionOptions): Session;
    function isVarbindError(varbind: Varbind): boolean;

    // The agent side, for tests that play a device (README "Mib Module").
    interface MibColumn {
      number: number;
      name: string;
      type: number;
      maxAccess: number;
    }
    interface MibProvider {
      name: string;
      type: number;
      oid: string;
      maxAccess: number;
      scalarType?: number;
      tableColumns?: MibColumn[];
      tableIndex?: Array<{ columnName: string }>;
    }
    interface Mib {
      registerProvider(provider: MibProvider): void;
      setScalarValue(providerName: string, value: unknown): void;
      addTableRow(providerName: string, row: unknown[]): void;
    }
    interface Agent {
      getMib(): Mib;
      close(callback?: () => void): void;
    }
    const MibProviderType: { Scalar: number; Table: number };
    const MaxAccess: { 'not-accessible': number; 'read-only': number; [name: string]: number };
    function createAgent(options: { port: number; address?: string; disableAuthorization?: boolean }, callback: (error: Error | null) => void): Agent;
  }
  export = snmp;
}
