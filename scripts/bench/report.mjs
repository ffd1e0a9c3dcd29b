// Medians, ratios, the Markdown report and the chart of a benchmark run.

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return NaN
  const mid = v.length >> 1
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2
}

export const FIGURES = ['rps', 'p50', 'p99', 'max', 'cpuUs']

/**
 * Folds the per-round samples of one row into medians per server:
 * { rps, p50, p99, max, cpuUs, worstMax, rounds } or null when the row was n/a.
 */
export function summarize(samples) {
  if (samples.length === 0) return null
  const s = { rounds: samples.length, worstMax: Math.max(...samples.map((x) => x.max)) }
  for (const f of FIGURES) s[f] = median(samples.map((x) => x[f]))
  // The big keyspace's LATENCY spikes: the longest of any event, and of GC pauses.
  const spikes = samples.map((x) => x.spikes).filter((x) => x !== undefined)
  if (spikes.length > 0) {
    s.stallMax = Math.max(0, ...spikes.flatMap((x) => Object.values(x)))
    s.gcMax = Math.max(0, ...spikes.map((x) => x.gc ?? 0))
  }
  return s
}

const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a')
const fmtMs = (n) => (Number.isFinite(n) ? n.toFixed(3) : 'n/a')
const fmtUs = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a')
const fmtSeconds = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) + ' s' : 'n/a')
const fmtRatio = (n) => (Number.isFinite(n) ? n.toFixed(2) + '×' : 'n/a')

export function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN
}

/**
 * subject/reference for one figure of a row: the median of the per-round ratios.
 * Both servers run back to back within a round, so pairing them cancels most of the
 * drift in conditions between rounds on a shared host.
 */
export function pairedRatio(row, subject, reference, field) {
  const a = row.samples?.[subject] ?? []
  const b = row.samples?.[reference] ?? []
  const n = Math.min(a.length, b.length)
  if (n === 0) return NaN
  const ratios = []
  for (let i = 0; i < n; i++) ratios.push(ratio(a[i][field], b[i][field]))
  return median(ratios)
}

/**
 * rows: [{ workload, title, test, servers: { [name]: summary|null } }]
 * Compares `subject` (respite) with `reference` (redis).
 */
export function markdownTable(rows, subject, reference) {
  const head = [
    'Workload', 'Command',
    `req/s ${subject}`, `req/s ${reference}`, 'ratio',
    'p50 ms', 'p99 ms', 'p99 ratio', 'max ms',
    `CPU µs/req ${subject}`, `CPU µs/req ${reference}`, 'CPU ratio',
  ]
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`]
  for (const row of rows) {
    const a = row.servers[subject]
    const b = row.servers[reference]
    if (!a || !b) {
      lines.push(`| ${row.title} | ${row.test.toUpperCase()} | n/a | ${b ? fmtInt(b.rps) : 'n/a'} | n/a | n/a | n/a | n/a | n/a | n/a | ${b ? fmtUs(b.cpuUs) : 'n/a'} | n/a |`)
      continue
    }
    lines.push(
      `| ${row.title} | ${row.test.toUpperCase()} | ${fmtInt(a.rps)} | ${fmtInt(b.rps)} | ${fmtRatio(pairedRatio(row, subject, reference, 'rps'))} | ` +
        `${fmtMs(a.p50)} / ${fmtMs(b.p50)} | ${fmtMs(a.p99)} / ${fmtMs(b.p99)} | ${fmtRatio(pairedRatio(row, subject, reference, 'p99'))} | ` +
        `${fmtMs(a.max)} / ${fmtMs(b.max)} | ${fmtUs(a.cpuUs)} | ${fmtUs(b.cpuUs)} | ${fmtRatio(pairedRatio(row, subject, reference, 'cpuUs'))} |`,
    )
  }
  return lines.join('\n')
}

/**
 * The pub/sub rows (row.pubsub): delivered messages per second, the delivery latency
 * of a batch (from its PUBLISH to the last subscriber having it) and server CPU per
 * delivered message. The other tables leave these rows out: their units differ.
 */
export function pubsubTable(rows, subject, reference) {
  const head = [
    'Workload', 'Published',
    `msg/s ${subject}`, `msg/s ${reference}`, 'ratio',
    'p50 ms', 'p99 ms',
    `CPU µs/msg ${subject}`, `CPU µs/msg ${reference}`, 'CPU ratio',
  ]
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i < 1 ? ' --- ' : ' ---: ')).join('|')}|`]
  for (const row of rows) {
    if (!row.pubsub) continue
    const a = row.servers[subject]
    const b = row.servers[reference]
    if (!a || !b) continue
    lines.push(
      `| ${row.title} | ${fmtInt(row.requests)} | ${fmtInt(a.rps)} | ${fmtInt(b.rps)} | ${fmtRatio(pairedRatio(row, subject, reference, 'rps'))} | ` +
        `${fmtMs(a.p50)} / ${fmtMs(b.p50)} | ${fmtMs(a.p99)} / ${fmtMs(b.p99)} | ` +
        `${fmtUs(a.cpuUs)} | ${fmtUs(b.cpuUs)} | ${fmtRatio(pairedRatio(row, subject, reference, 'cpuUs'))} |`,
    )
  }
  return lines.join('\n')
}

/** Extra comparison of two respite builds (e.g. before/after a hot-path change). */
export function buildComparisonTable(rows, newer, older) {
  const lines = [
    `| Workload | Command | req/s ${older} | req/s ${newer} | ratio | CPU µs/req ${older} | CPU µs/req ${newer} | CPU ratio |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const row of rows) {
    const a = row.servers[newer]
    const b = row.servers[older]
    if (!a || !b) continue
    lines.push(`| ${row.title} | ${row.test.toUpperCase()} | ${fmtInt(b.rps)} | ${fmtInt(a.rps)} | ${fmtRatio(pairedRatio(row, newer, older, 'rps'))} | ${fmtUs(b.cpuUs)} | ${fmtUs(a.cpuUs)} | ${fmtRatio(pairedRatio(row, newer, older, 'cpuUs'))} |`)
  }
  return lines.join('\n')
}

export function memoryTable(memory, subject, reference) {
  const lines = [
    `| Keys | Value bytes | RSS growth ${subject} | RSS growth ${reference} | bytes/key ${subject} | bytes/key ${reference} | ratio |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  const mib = (n) => (n / 1024 / 1024).toFixed(1) + ' MiB'
  for (const entry of memory) {
    const a = entry[subject]
    const b = entry[reference]
    if (!a || !b) continue
    lines.push(`| ${fmtInt(a.keys)} | ${a.valueSize} | ${mib(a.growth)} | ${mib(b.growth)} | ${fmtInt(a.perKey)} | ${fmtInt(b.perKey)} | ${fmtRatio(ratio(a.perKey, b.perKey))} |`)
  }
  return lines.join('\n')
}

/**
 * The targets, checked against the medians. Each: { target, figure, ok }.
 * `ok` is null when the figure could not be measured.
 */
export function checkTargets(rows, memory, subject, reference) {
  const out = []
  const find = (workload, test) => rows.find((r) => r.workload === workload && r.test === test)
  const paired = (row, field) => (row && row.servers[subject] && row.servers[reference] ? pairedRatio(row, subject, reference, field) : NaN)
  const add = (target, value, limit, cmp, fmt = fmtRatio, tag = {}) => {
    const ok = Number.isFinite(value) ? (cmp === '<=' ? value <= limit : cmp === '<' ? value < limit : value >= limit) : null
    out.push({ target, figure: fmt(value), ok, ...tag })
  }
  // Issue 14's targets: CPU and req/s on redis-benchmark's default suite at -P 1, -P 16
  // and with one client; req/s and p99 with 1 KiB and 16 KiB values; p99 and max over
  // the big keyspace; memory per key.
  for (const row of rows) {
    if (!row.suite) continue
    add(`CPU/request ${row.title} ${row.test.toUpperCase()} ≤ 1.0× Redis`, paired(row, 'cpuUs'), 1.0, '<=')
  }
  for (const row of rows) {
    if (!row.pubsub) continue
    // Tagged, so the pub/sub section lists its own targets apart from the others.
    add(`CPU per delivered message, ${row.title} ≤ 1.2× Redis`, paired(row, 'cpuUs'), 1.2, '<=', fmtRatio, { pubsub: true })
  }
  for (const row of rows) {
    if (!row.dataType) continue
    // Tagged, so the data-type section lists its own targets apart from the others.
    add(`CPU/request ${row.title} ${row.test.toUpperCase()} ≤ 1.2× Redis`, paired(row, 'cpuUs'), 1.2, '<=', fmtRatio, { dataType: true })
  }
  for (const row of rows) {
    if (!row.script) continue
    // Tagged, so the scripting section lists its own targets apart from the others.
    add(`CPU/request ${row.title} ≤ 1.0× Redis`, paired(row, 'cpuUs'), 1.0, '<=', fmtRatio, { scripting: true })
  }
  for (const row of rows) {
    if (row.large || row.open || row.pubsub || row.script) continue
    const big = row.dataSize !== undefined && row.dataSize >= 1024
    // The data types keep their own issue's 0.9.
    const limit = row.dataType ? 0.9 : big ? 0.95 : 1.0
    add(`req/s ${row.title} ${row.test.toUpperCase()} ≥ ${limit}× Redis`, paired(row, 'rps'), limit, '>=', fmtRatio, { dataType: row.dataType })
  }
  for (const row of rows) {
    // Connection handling and pub/sub have their own targets.
    if (row.open || row.keepalive === false || row.pubsub || row.script) continue
    add(`p99 ${row.title} ${row.test.toUpperCase()} ≤ 1.5× Redis`, paired(row, 'p99'), 1.5, '<=', fmtRatio, { dataType: row.dataType })
    if (row.large) {
      const fmt = (n) => fmtMs(n) + ' ms'
      add(`max latency ${row.title} ${row.test.toUpperCase()} < 20 ms`, row.servers[subject]?.max, 20, '<', fmt)
      add(`longest GC pause in LATENCY, ${row.title} ${row.test.toUpperCase()} < 20 ms`, row.servers[subject]?.gcMax, 20, '<', fmt)
      add(`longest stall in LATENCY, ${row.title} ${row.test.toUpperCase()} < 20 ms (Redis: ${fmt(row.servers[reference]?.stallMax)})`,
        row.servers[subject]?.stallMax, 20, '<', fmt)
    }
  }
  for (const row of rows) {
    if (!row.open) continue
    const ms = (name) => median((row.samples?.[name] ?? []).map((x) => x.ms))
    const n = row.requests.toLocaleString('en-US')
    add(`${n} connections open and answered in < 3 s (Redis: ${fmtSeconds(ms(reference))})`, ms(subject), 3000, '<=', fmtSeconds)
  }
  for (const entry of memory) {
    const m = entry[subject]
    const r = entry[reference]
    if (!m || !r) continue
    const keys = m.keys >= 1e6 ? `${m.keys / 1e6}M` : `${m.keys / 1e3}k`
    const limit = m.valueSize >= 1024 ? 1.1 : 1.0
    add(`RSS per key at ${keys} keys of ${m.valueSize} bytes ≤ ${limit}× Redis`, ratio(m.perKey, r.perKey), limit, '<=')
  }
  return out
}

export function targetsTable(targets) {
  const lines = ['| Target | Measured | Met |', '| --- | ---: | :---: |']
  for (const t of targets) lines.push(`| ${t.target} | ${t.figure} | ${t.ok === null ? 'n/a' : t.ok ? 'yes' : '**no**'} |`)
  return lines.join('\n')
}

/**
 * A three-panel bar chart (throughput, CPU per request, p99) of every row, one bar
 * per server, rendered to SVG with vega-lite (pure JS, no canvas needed).
 */
export async function chartSvg(rows, servers, subtitle) {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')])
  const data = []
  for (const row of rows) {
    for (const name of servers) {
      const s = row.servers[name]
      if (!s) continue
      const label = `${row.title} · ${row.test.toUpperCase()}`
      data.push({ row: label, server: name, metric: 'Requests per second (thousands)', value: s.rps / 1000 })
      data.push({ row: label, server: name, metric: 'Server CPU µs per request', value: s.cpuUs })
      data.push({ row: label, server: name, metric: 'p99 latency (ms)', value: s.p99 })
    }
  }
  const order = [...new Set(data.map((d) => d.row))]
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'respite vs Redis 7.0.15 (medians; redis-benchmark)', subtitle },
    data: { values: data },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: ['Requests per second (thousands)', 'Server CPU µs per request', 'p99 latency (ms)'] } },
    spec: {
      width: 230,
      height: { step: 9 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'row', type: 'nominal', sort: order, title: null, axis: { labelLimit: 400 } },
        yOffset: { field: 'server', sort: servers },
        x: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'server', type: 'nominal', sort: servers, scale: { range: ['#d6604d', '#4393c3', '#999999'] }, legend: { orient: 'top', title: null } },
        tooltip: [{ field: 'row' }, { field: 'server' }, { field: 'value', format: '.3f' }],
      },
    },
    resolve: { scale: { x: 'independent' } },
    config: { font: 'sans-serif', background: 'white' },
  }
  const compiled = vl.compile(spec).spec
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' })
  const svg = await view.toSVG()
  view.finalize()
  return svg
}
