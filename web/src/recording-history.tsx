import { useEffect, useState } from 'preact/hooks';
import { enc, get } from './api';
import { BarChart, type Line, TimeChart } from './charts';
import { epoch, num, recordingPath, type Series, type StatRow, type Units, useUnits } from './recording-api';
import { RecordingNav } from './recording-nav';
import { Card, errorText, Notice } from './ui';

const DAY = 86_400_000;
const RANGES = [
  ['24h', '24 h', DAY],
  ['7d', '7 d', 7 * DAY],
  ['30d', '30 d', 30 * DAY],
  ['1y', '1 y', 365 * DAY],
] as const;
type RangeKey = (typeof RANGES)[number][0] | 'custom';

const FIELDS = [
  'soc',
  'rangeIdealKm',
  'rangeEstKm',
  'speedKmh',
  'powerKw',
  'chargePowerKw',
  'v12',
  'batteryTempC',
  'cabinTempC',
  'ambientTempC',
  'soh',
];

/** `datetime-local` value of a time (local). */
const local = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

/** The stats period that gives a readable number of bars for a range. */
const drainPeriod = (span: number) => (span <= 62 * DAY ? 'day' : 'week');

/**
 * The history page (`#/v/<id>/history`): the recorded series over a chosen range as separate charts
 * (gaps where the car sent nothing), SOH and idle-drain trends, monthly statistics and exports.
 */
export function RecordingHistoryPage(props: { vehicleId: string }) {
  const id = props.vehicleId;
  const units = useUnits(id);
  const [key, setKey] = useState<RangeKey>('24h');
  const [range, setRange] = useState(() => ({ from: Date.now() - DAY, to: Date.now() }));
  const [custom, setCustom] = useState(() => ({ from: local(Date.now() - 2 * DAY), to: local(Date.now()) }));
  const [series, setSeries] = useState<Series | undefined>();
  const [drain, setDrain] = useState<StatRow[] | undefined>();
  const [months, setMonths] = useState<StatRow[] | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    get<StatRow[]>(recordingPath('stats', id, '?period=month'))
      .then(setMonths)
      .catch((e) => setError(errorText(e)));
  }, [id]);
  useEffect(() => {
    const q = `from=${epoch(range.from)}&to=${epoch(range.to)}`;
    setSeries(undefined);
    Promise.all([
      get<Series>(recordingPath('series', id, `?${q}&fields=${FIELDS.join(',')}`)),
      get<StatRow[]>(recordingPath('stats', id, `?${q}&period=${drainPeriod(range.to - range.from)}`)),
    ])
      .then(([s, d]) => {
        setSeries(s);
        setDrain(d);
        setError('');
      })
      .catch((e) => setError(errorText(e)));
  }, [id, range]);

  const choose = (k: RangeKey) => {
    setKey(k);
    const span = RANGES.find((r) => r[0] === k)?.[2];
    if (span) {
      const now = Date.now();
      setRange({ from: now - span, to: now });
    }
  };
  const applyCustom = (e: Event) => {
    e.preventDefault();
    const from = new Date(custom.from).getTime();
    const to = new Date(custom.to).getTime();
    if (!(to > from)) {
      setError('The custom range must end after it starts');
      return;
    }
    setRange({ from, to });
  };
  const q = `from=${epoch(range.from)}&to=${epoch(range.to)}`;

  return (
    <main>
      <div class="title-row">
        <h1 tabIndex={-1}>{id}: history</h1>
      </div>
      <RecordingNav vehicleId={id} current="history" />
      <fieldset class="range-picker">
        <legend>Time range</legend>
        <div class="row">
          {RANGES.map(([k, label]) => (
            <button key={k} type="button" aria-pressed={key === k} onClick={() => choose(k)}>
              {label}
            </button>
          ))}
          <button type="button" aria-pressed={key === 'custom'} onClick={() => setKey('custom')}>
            Custom
          </button>
        </div>
        {key === 'custom' ? (
          <form class="row" onSubmit={applyCustom}>
            <label>
              From
              <input
                type="datetime-local"
                required
                value={custom.from}
                onInput={(e) => setCustom({ ...custom, from: e.currentTarget.value })}
              />
            </label>
            <label>
              To
              <input
                type="datetime-local"
                required
                value={custom.to}
                onInput={(e) => setCustom({ ...custom, to: e.currentTarget.value })}
              />
            </label>
            <button type="submit" class="primary">
              Show
            </button>
          </form>
        ) : null}
        <p class="muted" data-testid="range-status" role="status">
          {new Date(range.from).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })} –{' '}
          {new Date(range.to).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}
          {series
            ? ` · ${series.points.length} point${series.points.length === 1 ? '' : 's'}, one per ${stepText(series.step)}`
            : ' · loading…'}
        </p>
      </fieldset>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div class="grid">
        <Card title="Recorded values" wide>
          {series ? <SeriesCharts series={series} units={units} range={range} /> : <p>Loading…</p>}
        </Card>
        <Card title="Idle drain" wide>
          {drain && !drain.some((r) => r.drainSoc > 0) ? (
            <p class="muted">No battery lost while parked in this range.</p>
          ) : drain ? (
            <BarChart
              title={`Battery lost while parked, per ${drainPeriod(range.to - range.from)}`}
              unit="% SOC"
              labels={drain.map((r) => r.period)}
              values={drain.map((r) => r.drainSoc)}
              color="var(--bad)"
              testid="drain-chart"
            />
          ) : (
            <p>Loading…</p>
          )}
        </Card>
        <Card title="Monthly statistics" wide>
          {months ? <MonthTable rows={months} units={units} /> : <p>Loading…</p>}
        </Card>
        <Card title="Export" wide>
          <p class="muted">The selected time range, as a file (streamed by the server).</p>
          <ul class="exports" aria-label="Exports">
            {(
              [
                ['trips', 'Trips'],
                ['charges', 'Charges'],
                ['parks', 'Parking periods'],
                ['series', 'Recorded values'],
                ['history', 'Stored messages'],
              ] as const
            ).map(([what, label]) => (
              <li key={what}>
                <span>{label}</span>
                {(['csv', 'json'] as const).map((format) => (
                  <a
                    key={format}
                    class="button"
                    href={recordingPath('export', id, `?what=${what}&format=${format}&${q}`)}
                    download={`${id}-${what}.${format}`}
                    aria-label={`Export ${label.toLowerCase()} as ${format.toUpperCase()}`}
                  >
                    {format.toUpperCase()}
                  </a>
                ))}
              </li>
            ))}
          </ul>
          <p class="muted">
            <a href={`#/v/${enc(id)}/records`}>Stored status records of the last day</a> (the car's own
            messages, as the Perl server keeps them).
          </p>
        </Card>
      </div>
    </main>
  );
}

const stepText = (s: number) =>
  s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;

function SeriesCharts(props: { series: Series; units: Units; range: { from: number; to: number } }) {
  const { series, units: u } = props;
  if (series.points.length === 0)
    return (
      <Notice kind="info">Nothing recorded in this range: the car sent nothing, or recording is off.</Notice>
    );
  const times = series.points.map((p) => Date.parse(p.time));
  const col = (f: string, conv?: (v: number) => number) =>
    series.points.map((p) => {
      const v = p[f];
      return typeof v === 'number' ? (conv ? conv(v) : v) : null;
    });
  // A parked car is sampled every 15 minutes (history.idle_sample_s): longer gaps mean it was offline.
  const gapMs = Math.max(3 * series.step * 1000, 35 * 60_000);
  const has = (f: string) => series.points.some((p) => typeof p[f] === 'number');
  const chart = (title: string, unit: string, lines: Line[], extra: { yMin?: number; yMax?: number } = {}) =>
    lines.some((l) => l.values.some((v) => v !== null)) ? (
      <TimeChart
        key={title}
        title={title}
        unit={unit}
        times={times}
        lines={lines}
        gapMs={gapMs}
        from={props.range.from}
        to={props.range.to}
        testid={`series-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`}
        {...extra}
      />
    ) : null;
  return (
    <div class="charts" data-testid="series-charts">
      {chart('State of charge', '%', [{ label: 'SOC', color: 'var(--accent)', values: col('soc') }], {
        yMin: 0,
        yMax: 100,
      })}
      {chart('Range', u.unit, [
        { label: 'Ideal', color: 'var(--focus)', values: col('rangeIdealKm', u.dist) },
        { label: 'Estimated', color: 'var(--warn)', values: col('rangeEstKm', u.dist), dashed: true },
      ])}
      {chart('Power', 'kW', [
        { label: 'Battery', color: 'var(--focus)', values: col('powerKw') },
        { label: 'Charging', color: 'var(--warn)', values: col('chargePowerKw') },
      ])}
      {chart('Speed', u.speed, [{ label: 'Speed', color: 'var(--focus)', values: col('speedKmh', u.dist) }], {
        yMin: 0,
      })}
      {chart('Temperatures', '°C', [
        { label: 'Battery', color: 'var(--bad)', values: col('batteryTempC') },
        { label: 'Cabin', color: 'var(--warn)', values: col('cabinTempC') },
        { label: 'Ambient', color: 'var(--focus)', values: col('ambientTempC'), dashed: true },
      ])}
      {chart('12 V battery', 'V', [{ label: '12 V', color: 'var(--muted)', values: col('v12') }])}
      {chart('State of health', '%', [{ label: 'SOH', color: 'var(--accent)', values: col('soh') }])}
      {has('soh') ? null : <p class="muted">The car sends no state of health.</p>}
    </div>
  );
}

function MonthTable(props: { rows: StatRow[]; units: Units }) {
  const u = props.units;
  const rows = [...props.rows].reverse();
  if (rows.length === 0) return <p class="muted">No trips or charges recorded in the last year.</p>;
  return (
    <>
      <BarChart
        title="Distance per month"
        unit={u.unit}
        labels={props.rows.map((r) => r.period)}
        values={props.rows.map((r) => u.dist(r.distanceKm))}
        color="var(--focus)"
        testid="month-distance"
      />
      <table data-testid="month-stats">
        <caption class="sr-only">Per month, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Trips</th>
            <th scope="col">Distance ({u.unit})</th>
            <th scope="col">Energy used (kWh)</th>
            <th scope="col">Wh/{u.unit}</th>
            <th scope="col">Charges</th>
            <th scope="col">Charged (kWh)</th>
            <th scope="col">Cost</th>
            <th scope="col">Idle drain (% SOC)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.period}>
              <th scope="row">{r.period}</th>
              <td>{r.trips}</td>
              <td>{num(u.dist(r.distanceKm), 1)}</td>
              <td>{num(r.energyKwh, 2)}</td>
              <td>{num(r.whPerKm === null ? null : r.whPerKm / u.dist(1))}</td>
              <td>{r.charges}</td>
              <td>{num(r.chargedKwh, 2)}</td>
              <td>{num(r.cost, 2)}</td>
              <td>{num(r.drainSoc, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
