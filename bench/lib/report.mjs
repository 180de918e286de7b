// Markdown for the console and for bench/RESULTS.md: a header saying where and how it was measured, the
// targets with met/missed, then one table per scenario.
import { fmt } from './summary.mjs';

/** One scenario's table. @param {import('./scenarios.mjs').Scenario} scenario @param {import('./summary.mjs').Row[]} rows */
export function scenarioTable(scenario, rows) {
  const ws = scenario.load === 'ws';
  const byName = new Map(rows.map((r) => [r.proxy, r]));
  const caddy = byName.get('caddy');
  const nginx = byName.get('nginx');
  const extraColumns = scenario.id === 'reload' ? ['reloads applied / skipped (slowest ms)', 'change served in (ms)'] : scenario.measureApply ? ['change served in (ms)'] : [];
  const columns = ['proxy', ws ? 'messages/s' : 'req/s', '±', 'p50 ms', 'p99 ms', 'errors', 'idle RSS MB (largest process)',
    'peak RSS MB (all processes)', 'peak PSS MB', 'TIME_WAIT to backend', 'vs Caddy', 'vs nginx', ...extraColumns];
  const lines = [`| ${columns.join(' | ')} |`, `|---|${columns.slice(1).map(() => '--:').join('|')}|`];
  const notes = [];
  for (const row of rows) {
    if (row.rounds === 0) {
      lines.push(`| ${row.proxy} | failed |${' |'.repeat(columns.length - 2)}`);
      notes.push(`- ${row.proxy}: ${row.failure}`);
      continue;
    }
    let extra = '';
    const apply = typeof row.applyMs === 'number' ? fmt.ms(row.applyMs) : row.applyMs === undefined ? '–' : 'never';
    if (scenario.id === 'reload') extra = ` | ${row.reloads ? `${row.reloads.applied} / ${row.reloads.skipped} (${fmt.ms(row.reloads.slowestMs)})` : '–'} | ${apply}`;
    else if (scenario.measureApply) extra = ` | ${apply}`;
    lines.push(`| ${row.proxy} | ${fmt.int(row.rps)} | ${fmt.pct(row.spread)} | ${fmt.ms(row.p50)} | ${fmt.ms(row.p99)} | ${row.errors} | ` +
      `${fmt.mb(row.idleLargest)} | ${fmt.mb(row.peakTotal)} (${row.processes}) | ${fmt.mb(row.peakPss)} | ${row.timeWait} | ` +
      `${fmt.ratio(row.rps, caddy?.rps ?? Number.NaN)} | ${fmt.ratio(row.rps, nginx?.rps ?? Number.NaN)}${extra} |`);
    if (row.failure) notes.push(`- ${row.proxy}: ${row.failure}`);
    if (row.errorDetail) notes.push(`- ${row.proxy} errors: ${row.errorDetail}`);
    if (row.reloads?.failed) notes.push(`- ${row.proxy}: ${row.reloads.failed} reload requests failed, last: ${row.reloads.lastError}`);
    if (typeof row.applyMs === 'string') notes.push(`- ${row.proxy}: ${row.applyMs}`);
  }
  return [`### ${scenario.title} (\`${scenario.id}\`)`, '', scenario.measures, '', ...lines, ...(notes.length ? ['', ...notes] : []), ''].join('\n');
}

/** @param {import('./targets.mjs').TargetVerdict[]} verdicts */
export function targetsTable(verdicts) {
  const mark = { met: 'met', missed: '**missed**', 'not measured': 'not measured' };
  return [
    '| target | this run | status |',
    '|---|---|---|',
    ...verdicts.map((v) => `| ${v.target} | ${v.result} | ${mark[v.status]} |`),
    '',
  ].join('\n');
}

/**
 * The whole RESULTS.md.
 * @param {{ date: Date, machine: ReturnType<typeof import('./system.mjs').machineInfo> & { loadAtStart: number }, versions: Record<string, string>,
 *   berthVersion: string, command: string, options: { seconds: number, warmupSeconds: number, rounds: number, connections: number, threads: number },
 *   adapters: import('./topology.mjs').ProxyAdapter[], verdicts: import('./targets.mjs').TargetVerdict[], tables: string[],
 *   soakText: string, compileText: string, elapsedSeconds: number }} report
 */
export function resultsMarkdown(report) {
  const { machine, versions, options } = report;
  return `# Benchmark results

- Date: ${report.date.toISOString()}
- Machine: ${machine.cores} cores (\`nproc\`), ${machine.cpu}, ${machine.memGiB} GiB, Linux ${machine.kernel}; load average ${machine.loadAtStart.toFixed(2)} at start
- Node ${machine.node}; Berth ${report.berthVersion}; nginx ${versions.nginx}; HAProxy ${versions.haproxy}; Caddy ${versions.caddy}; wrk ${versions.wrk}
- Command: \`${report.command}\` (took ${Math.round(report.elapsedSeconds / 60)} min)
- Each run: ${options.warmupSeconds} s warm-up, then ${options.seconds} s measured; wrk -t${options.threads} -c${options.connections};
  ${options.rounds} round(s), proxies interleaved within each scenario (rotated order per round). Load generator, backend
  and proxy share the ${machine.cores} cores, so compare ratios within this run, never absolute numbers across runs.

Proxies:
${report.adapters.map((a) => `- **${a.name}**: ${a.summary}`).join('\n')}

## Targets

${targetsTable(report.verdicts)}
## Scenarios

Columns: req/s is the mean over rounds, ± half its range; p50/p99 are medians over rounds of wrk's latency
distribution; errors are wrk socket errors plus non-2xx/3xx responses; idle RSS is the largest single process
one second after start-up; peak RSS is the highest VmRSS sum over all of a proxy's processes (count in
brackets) sampled every 250 ms under load; peak PSS is the same with shared pages divided among the processes
sharing them (forked workers share pages that the RSS sum counts once per process); TIME_WAIT counts the
sockets toward the proxy's own backend port that the run left in TIME_WAIT (the highest of the rounds).

${report.tables.join('\n')}
## WebSocket soak

${report.soakText}

## Compile + swap of a 10,000-router snapshot

${report.compileText}
`;
}
