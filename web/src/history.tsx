import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { enc, type HistoryRow, serverTime } from './api';
import { Card, Notice, useGet, when } from './ui';

interface Point {
  t: number;
  soc: number;
  ideal: number;
  est: number;
  state: string;
}

/** S records: soc, units, line voltage, charge current, charge state, mode, ideal range, estimated range… */
function points(rows: HistoryRow[]): Point[] {
  return rows
    .map((r) => {
      const f = r.h_data.split(',');
      return {
        t: serverTime(r.h_timestamp) / 1000,
        soc: Number(f[0]),
        ideal: Number(f[6]),
        est: Number(f[7]),
        state: f[4] ?? '',
      };
    })
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.soc))
    .sort((a, b) => a.t - b.t);
}

interface Session {
  start: number;
  end: number;
  from: number;
  to: number;
}

function sessions(ps: Point[]): Session[] {
  const out: Session[] = [];
  let open: Session | undefined;
  for (const p of ps) {
    const charging = p.state === 'charging' || p.state === 'topoff' || p.state === 'heating';
    if (charging && !open) open = { start: p.t, end: p.t, from: p.soc, to: p.soc };
    else if (charging && open) Object.assign(open, { end: p.t, to: p.soc });
    else if (!charging && open) {
      out.push({ ...open, end: p.t, to: p.soc });
      open = undefined;
    }
  }
  if (open) out.push(open);
  return out.reverse();
}

/** The dashboard's one date format (local, with the zone), from epoch seconds. */
const time = (t: number) => when(t * 1000);

function Chart(props: { data: Point[] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    // Neutral colours that read on light and dark backgrounds alike (canvas does not follow the theme).
    const fg = '#8a94a0';
    const grid = 'rgba(128, 128, 128, 0.25)';
    const axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
    const width = () => Math.max(280, el.current?.clientWidth ?? 600);
    const plot = new uPlot(
      {
        width: width(),
        height: 280,
        scales: { x: { time: true }, '%': { range: [0, 100] }, km: {} },
        series: [
          {},
          { label: 'SOC (%)', scale: '%', stroke: '#22a06b', width: 2, fill: 'rgba(34,160,107,0.12)' },
          { label: 'Ideal range', scale: 'km', stroke: '#2b7de9', width: 2 },
          { label: 'Estimated range', scale: 'km', stroke: '#e9912b', width: 2, dash: [6, 4] },
        ],
        axes: [
          axis,
          { ...axis, scale: '%', label: '%' },
          { ...axis, scale: 'km', side: 1, label: 'range', grid: { show: false } },
        ],
      },
      [
        props.data.map((p) => p.t),
        props.data.map((p) => p.soc),
        props.data.map((p) => p.ideal),
        props.data.map((p) => p.est),
      ],
      el.current,
    );
    const resize = () => plot.setSize({ width: width(), height: 280 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [props.data]);
  return <div ref={el} class="chart" data-testid="soc-chart" />;
}

export function HistoryPage(props: { vehicleId: string }) {
  const { data: rows, error } = useGet<HistoryRow[]>(`/api/historical/${enc(props.vehicleId)}/S`);
  const data = useMemo(() => rows && points(rows), [rows]);
  const last = data?.[data.length - 1];
  const list = data ? sessions(data) : [];
  return (
    <main>
      <div class="title-row">
        <h1 tabIndex={-1}>{props.vehicleId}: history</h1>
        <a class="button" href={`#/v/${enc(props.vehicleId)}`}>
          Back to live view
        </a>
      </div>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div class="grid">
        <Card title="State of charge and range" wide>
          {data === undefined ? <p>Loading…</p> : null}
          {data?.length === 0 ? <Notice kind="info">No stored status records yet.</Notice> : null}
          {data && data.length > 0 ? (
            <>
              <Chart data={data} />
              <p class="muted" data-testid="history-summary">
                {data.length} records from {time(data[0]!.t)} to {time(last!.t)}
              </p>
              <table class="sr-only">
                <caption>Last records</caption>
                <thead>
                  <tr>
                    <th>Time</th>
                    <th>SOC %</th>
                    <th>Ideal range</th>
                  </tr>
                </thead>
                <tbody>
                  {data.slice(-10).map((p) => (
                    <tr key={p.t}>
                      <td>{time(p.t)}</td>
                      <td>{p.soc}</td>
                      <td>{p.ideal}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
        </Card>
        <Card title="Charge sessions" wide>
          {list.length === 0 ? (
            <p class="muted">No charge sessions in the stored history.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Start</th>
                  <th scope="col">Duration</th>
                  <th scope="col">SOC</th>
                </tr>
              </thead>
              <tbody>
                {list.map((s) => (
                  <tr key={s.start}>
                    <td>{time(s.start)}</td>
                    <td>{Math.round((s.end - s.start) / 60)} min</td>
                    <td>
                      {s.from.toFixed(0)} % → {s.to.toFixed(0)} %
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </main>
  );
}
