import { DurableJournal } from '../storage/durable-journal';
import { matchesEventPattern, parseEventPattern, type EventPattern } from './event-pattern';

export interface ArchivedEvent {
  /** ISO 8601 time the bus received the event; replay windows select on it. */
  readonly archivedAt: string;
  readonly event: Readonly<Record<string, unknown>>;
}

/**
 * The bus archive as a durable JSON Lines file: every event the bus accepts (or those matching the
 * archive's own pattern, as an AWS archive may have one) is appended with fsync, so a replay after a
 * crash of the local runtime still finds it.
 */
export class EventArchive {
  private readonly journal: DurableJournal<ArchivedEvent>;
  private readonly eventPattern: EventPattern | undefined;

  constructor(options: { filePath: string; eventPattern?: EventPattern | string }) {
    this.journal = new DurableJournal<ArchivedEvent>(options.filePath);
    this.eventPattern = options.eventPattern === undefined ? undefined : parseEventPattern(options.eventPattern);
  }

  record(event: Readonly<Record<string, unknown>>, archivedAt: Date): void {
    if (this.eventPattern && !matchesEventPattern(this.eventPattern, event)) return;
    this.journal.append({ archivedAt: archivedAt.toISOString(), event }, { sync: true });
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
