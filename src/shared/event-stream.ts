// Splits a text/event-stream (Server-Sent Events, WHATWG HTML §9.2) into typed JSON events.
export interface StreamEvent {
  type: string;
  data: unknown;
}

/** Feeds chunks in, hands complete events out; keeps a partial event until its blank line arrives. */
export class EventStreamParser {
  private buffered = '';

  push(chunk: string): StreamEvent[] {
    this.buffered += chunk;
    const events: StreamEvent[] = [];
    let boundary: number;
    while ((boundary = this.buffered.indexOf('\n\n')) !== -1) {
      const block = this.buffered.slice(0, boundary);
      this.buffered = this.buffered.slice(boundary + 2);
      const type = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (type && data) events.push({ type, data: JSON.parse(data) });
    }
    return events;
  }
}
