import { z } from 'zod';

/**
 * What an embedded dashboard calls itself, and its accent colour: per organization
 * (setBranding), else the server's defaults (HOOKLINE_PORTAL_PLATFORM_NAME,
 * HOOKLINE_PORTAL_ACCENT_COLOR), else Hookline's own.
 */
export interface Branding {
  platformName: string | null;
  accentColor: string | null;
}

export const MAX_PLATFORM_NAME_LENGTH = 60;

/** `#rrggbb`, stored lower-case. Nothing else: the value reaches the page's CSS. */
export const accentColorSchema = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #rrggbb')
  .transform((value) => value.toLowerCase());

export const platformNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_PLATFORM_NAME_LENGTH, `must be at most ${MAX_PLATFORM_NAME_LENGTH} characters`);

export function parseAccentColor(text: string): string[] {
  const parsed = accentColorSchema.safeParse(text.trim());
  if (!parsed.success) throw new Error('must be a colour as #rrggbb');
  return [parsed.data];
}

export function brandingOf(
  organization: { brandingName: string | null; brandingAccentColor: string | null },
  defaults: Branding,
): Branding {
  return {
    platformName: organization.brandingName ?? defaults.platformName,
    accentColor: organization.brandingAccentColor ?? defaults.accentColor,
  };
}
