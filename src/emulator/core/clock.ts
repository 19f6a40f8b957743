// Time and ids for the state, injectable so tests can freeze them.
import { randomUUID } from 'node:crypto';

export class Clock {
  readonly now: () => Date;
  readonly newId: () => string;

  constructor(now: () => Date = () => new Date(), newId: () => string = randomUUID) {
    this.now = now;
    this.newId = newId;
  }

  /** Now, but strictly after `previous`, so every change visibly moves modifiedAt. */
  after(previous?: Date): Date {
    const now = this.now();
    return previous !== undefined && now.getTime() <= previous.getTime() ? new Date(previous.getTime() + 1) : now;
  }
}
