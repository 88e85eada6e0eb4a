/** What the integration has done for one support ticket: each effect once, whatever order its events arrive in. */
export interface TicketEffects {
  /** The escalation was decided (applied, or found unwarranted) for the new ticket. */
  readonly escalated: boolean;
  readonly openedNoted: boolean;
  readonly solvedNoted: boolean;
}

export const NO_TICKET_EFFECTS: TicketEffects = { escalated: false, openedNoted: false, solvedNoted: false };

/** The per-ticket record of effects, written by the holder of the ticket's write lease. */
export interface TicketEffectsStore {
  load(ticketKey: string): Promise<TicketEffects>;
  save(ticketKey: string, leaseOwner: string, effects: TicketEffects): Promise<void>;
}
