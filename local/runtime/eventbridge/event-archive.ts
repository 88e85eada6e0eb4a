import { DurableJournal } from '../storage/durable-journal';
import { matchesEventPattern, parseEventPattern, type EventPattern } from './event-pattern';

export interface ArchivedEvent {
  /** ISO 8601 time the bus received the event; replay windows select on it. */
  readonly archivedAt: string;
  readonly event: Readonly<Record<string, unknown>>;
}

/**
 * The bus archive as a durable JSON Lines file: every event the bus accepts (or those matching the
 * archive's own pattern, as an AWS archive may have one) is appended and fsynced before PutEvents
 * answers, so a replay after a crash of the local runtime still finds it.
 */
export class EventArchive {
  private readonly journal: DurableJournal<ArchivedEvent>;
  private readonly eventPattern: EventPattern | undefined;

  constructor(options: { filePath: string; eventPattern?: EventPattern | string }) {
    this.journal = new DurableJournal<ArchivedEvent>(options.filePath);
    this.eventPattern = options.eventPattern === undefined ? undefined : parseEventPattern(options.eventPattern);
  }

  /**
   * Resolves once the event is on disk. The write happens before this returns (a replay reads it at
   * once); the fsync is shared with the events archived meanwhile and runs off the event loop.
   */
  record(event: Readonly<Record<string, unknown>>, archivedAt: Date): Promise<void> {
    if (this.eventPattern && !matchesEventPattern(this.eventPattern, event)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.journal.appendDurably({ archivedAt: archivedAt.toISOString(), event }, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Events archived in `[from, to]`, oldest first. Read from disk each time: archives outgrow memory. */
  eventsArchivedBetween(from: Date, to: Date): ArchivedEvent[] {
    return this.journal.readAll().filter((archived) => {
      const archivedAt = Date.parse(archived.archivedAt);
      return archivedAt >= from.getTime() && archivedAt <= to.getTime();
    });
  }

  close(): void {
    this.journal.close();
  }
}
