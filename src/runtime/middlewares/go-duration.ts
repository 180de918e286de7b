/** Formats nanoseconds exactly as Go's time.Duration.String does (`666.666666ms`, `1.5s`, `2m0s`). */
export function formatGoDuration(nanoseconds: number): string {
  const ns = Math.round(Math.abs(nanoseconds));
  const sign = nanoseconds < 0 && ns !== 0 ? '-' : '';
  if (ns === 0) return '0s';
  const fraction = (value: number, digits: number): string => {
    const whole = Math.floor(value / 10 ** digits);
    const rest = String(value % 10 ** digits).padStart(digits, '0').replace(/0+$/, '');
    return rest === '' ? String(whole) : `${whole}.${rest}`;
  };
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${fraction(ns, 3)}µs`;
  if (ns < 1e9) return `${sign}${fraction(ns, 6)}ms`;
  const totalSeconds = Math.floor(ns / 1e9);
  const seconds = `${fraction(ns % 60e9, 9)}s`;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}
