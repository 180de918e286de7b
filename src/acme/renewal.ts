import { sleep } from '../util/abort.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface RenewalTiming {
  /** Renew when fewer than this many ms remain before NotAfter. */
  readonly renewBeforeMs: number;
  /** How often to look. */
  readonly checkEveryMs: number;
}

/** Traefik's getCertificateRenewDurations (reference §7.3), from `certificatesDuration` in hours. */
export function renewalTiming(certificatesDurationHours: number): RenewalTiming {
  const hours = certificatesDurationHours;
  if (hours >= 365 * 24) return { renewBeforeMs: 4 * 30 * DAY, checkEveryMs: 7 * DAY };
  if (hours >= 90 * 24) return { renewBeforeMs: 30 * DAY, checkEveryMs: DAY };
  if (hours >= 30 * 24) return { renewBeforeMs: 10 * DAY, checkEveryMs: 12 * HOUR };
  if (hours >= 6 * 24) return { renewBeforeMs: 2 * DAY, checkEveryMs: 2 * HOUR };
  if (hours >= 24) return { renewBeforeMs: 6 * HOUR, checkEveryMs: 10 * MINUTE };
  return { renewBeforeMs: 20 * MINUTE, checkEveryMs: MINUTE };
}

/** Due for renewal: inside the window, or unreadable (Traefik renews what it cannot parse). */
export function needsRenewal(notAfter: Date | undefined, now: number, timing: RenewalTiming): boolean {
  return notAfter === undefined || Number.isNaN(notAfter.getTime()) || notAfter.getTime() < now + timing.renewBeforeMs;
}

/** Runs `check` now and then every `checkEveryMs` until `signal` aborts (Traefik: once at start, then a ticker). */
export async function runRenewalSchedule(timing: RenewalTiming, check: () => Promise<void> | void, signal: AbortSignal): Promise<void> {
  do {
    await check();
  } while (await sleep(timing.checkEveryMs, signal));
}
