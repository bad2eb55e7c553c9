/** A webhook's delivery settings, as the API has them (the effective values). */
export interface EndpointSettings {
  maxConcurrency: number;
  rateLimitPerSecond: number | null;
  timeoutMs: number;
}

export type SettingName = keyof EndpointSettings;

/** The settings as a form holds them: the inputs' text, empty for "the default" or "no limit". */
export type SettingsDraft = Record<SettingName, string>;

export const SETTING_NAMES: readonly SettingName[] = [
  'maxConcurrency',
  'rateLimitPerSecond',
  'timeoutMs',
];

export const EMPTY_SETTINGS: SettingsDraft = {
  maxConcurrency: '',
  rateLimitPerSecond: '',
  timeoutMs: '',
};

/** The form's text for a webhook's settings; no rate limit is an empty field. */
export function settingsDraftOf(settings: EndpointSettings): SettingsDraft {
  return {
    maxConcurrency: String(settings.maxConcurrency),
    rateLimitPerSecond:
      settings.rateLimitPerSecond == null ? '' : String(settings.rateLimitPerSecond),
    timeoutMs: String(settings.timeoutMs),
  };
}

/**
 * A field's value for the API: null when empty. The inputs are numeric, so the browser has
 * already refused what is not a number; whether it is in range is the API's to say, on the field.
 */
function settingValue(text: string): number | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : Number(trimmed);
}

/** What a new webhook is created with: the fields filled in; the others take the defaults. */
export function settingsToCreate(draft: SettingsDraft): Partial<Record<SettingName, number>> {
  const input: Partial<Record<SettingName, number>> = {};
  for (const name of SETTING_NAMES) {
    const value = settingValue(draft[name]);
    if (value !== null) input[name] = value;
  }
  return input;
}

/**
 * What an update sends: only the fields changed from `initial`; a field emptied goes back to its
 * default (null), one left alone is left out so that a default stays a default.
 */
export function settingsToUpdate(
  draft: SettingsDraft,
  initial: SettingsDraft,
): Partial<Record<SettingName, number | null>> {
  const input: Partial<Record<SettingName, number | null>> = {};
  for (const name of SETTING_NAMES) {
    const value = settingValue(draft[name]);
    if (value !== settingValue(initial[name])) input[name] = value;
  }
  return input;
}
