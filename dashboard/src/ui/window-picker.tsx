import type { StatsWindow } from '../../generated/graphql.ts';
import { SelectField } from './fields.tsx';

export interface WindowChoice {
  value: StatsWindow;
  label: string;
  /** For "No attempts in …" where space is short. */
  short: string;
  /** For sentences: "… in the last 24 hours". */
  phrase: string;
  /** How long it is. */
  spanMs: number;
  /**
   * The least time between two automatic reloads of what covers this window: a busy endpoint's
   * week is hundreds of thousands of attempts to count again, for numbers that barely move.
   */
  reloadEveryMs: number;
}

export const WINDOWS: readonly WindowChoice[] = [
  {
    value: 'LAST_HOUR',
    label: 'Last hour',
    short: 'the last hour',
    phrase: 'the last hour',
    spanMs: 3_600_000,
    reloadEveryMs: 0,
  },
  {
    value: 'LAST_24_HOURS',
    label: 'Last 24 hours',
    short: '24 h',
    phrase: 'the last 24 hours',
    spanMs: 24 * 3_600_000,
    reloadEveryMs: 0,
  },
  {
    value: 'LAST_7_DAYS',
    label: 'Last 7 days',
    short: '7 days',
    phrase: 'the last 7 days',
    spanMs: 7 * 24 * 3_600_000,
    reloadEveryMs: 30_000,
  },
];

export const windowOf = (value: StatsWindow): WindowChoice =>
  WINDOWS.find((w) => w.value === value) ?? WINDOWS[1]!;

/** The window a section's numbers and charts cover, beside its heading. */
export function WindowPicker({
  id,
  value,
  onChange,
}: {
  id: string;
  value: StatsWindow;
  onChange: (value: StatsWindow) => void;
}) {
  return (
    <SelectField id={id} label="Over" compact value={value} choices={WINDOWS} onChange={onChange} />
  );
}
