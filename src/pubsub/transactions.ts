import type { InTransaction, Outbox } from '../db/transactions.ts';
import type { Notices } from './notices.ts';

/** Runs work in a transaction whose notices go out with its COMMIT (db/transactions.ts). */
export type Transactions = InTransaction<Notices>;
export type NoticeOutbox = Outbox<Notices>;
