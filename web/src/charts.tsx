import { useEffect, useId, useRef, useState } from 'preact/hooks';

/**
 * Small hand-drawn SVG charts (no chart library): a time chart with one or more lines, broken where
 * the car sent nothing, and a bar chart. Both are keyboard-readable: focus the chart and use the
 * arrow keys (Home/End) to read each point; the value is announced.
 */

export interface Line {
  label: string;
  /** A CSS colour or var(). */
  color: string;
  values: (number | null)[];
  dashed?: boolean;
}

const H = 190;
const M = { l: 48, r: 12, t: 10, b: 26 };

function useWidth(): [preact.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(240, Math.floor(el.clientWidth)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

/** The point (or bar) the keyboard or pointer is on: arrows, Home and End move it. */
function useCursor(count: number) {
  const [cursor, setCursor] = useState<number | undefined>();
  const onKey = (e: KeyboardEvent) => {
    if (count === 0) return;
    const last = count - 1;
    const c = cursor ?? -1;
    const keys: Record<string, number> = {
      ArrowRight: Math.min(last, c + 1),
      ArrowLeft: Math.max(0, c < 0 ? last : c - 1),
      Home: 0,
      End: last,
    };
    const next = keys[e.key];
    if (next === undefined) return;
    e.preventDefault();
    setCursor(next);
  };
  return [cursor, setCursor, onKey] as const;
}

function YGrid(props: { ticks: number[]; y: (v: number) => number; width: number; decimals: number }) {
  return (
    <>
      {props.ticks.map((v) => (
        <g key={v}>
          <line x1={M.l} x2={props.width - M.r} y1={props.y(v)} y2={props.y(v)} class="chart-grid" />
          <text x={M.l - 6} y={props.y(v) + 4} class="chart-text" text-anchor="end">
            {fmt(v, props.decimals)}
          </text>
        </g>
      ))}
    </>
  );
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 4): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  // From the round value at or below the lowest to the one at or above the highest.
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  for (let v = first; v <= last + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Time ticks at round local times, at most one per `minPx` pixels. */
function timeTicks(
  from: number,
  to: number,
  width: number,
): { ticks: number[]; label: (t: number) => string } {
  const span = to - from;
  const MIN = 60_000;
  const steps = [
    MIN,
    2 * MIN,
    5 * MIN,
    10 * MIN,
    HOUR / 4,
    HOUR / 2,
    HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    3 * DAY,
    7 * DAY,
    14 * DAY,
  ];
  const want = span / Math.max(1, width / 75);
  const step = steps.find((s) => s >= want);
  const ticks: number[] = [];
  if (step === undefined) {
    // Months (first of each, local time).
    const every = Math.max(1, Math.ceil(want / (30 * DAY)));
    const d = new Date(from);
    const m = new Date(d.getFullYear(), d.getMonth() + 1, 1);
    while (m.getTime() <= to) {
      if (m.getMonth() % every === 0) ticks.push(m.getTime());
      m.setMonth(m.getMonth() + 1);
    }
    return { ticks, label: (t) => new Date(t).toLocaleDateString([], { month: 'short', year: '2-digit' }) };
  }
  const start = new Date(from);
  start.setHours(0, 0, 0, 0);
  for (let t = start.getTime(); t <= to; t += step) if (t >= from) ticks.push(t);
  const label =
    step < DAY
      ? (t: number) => {
          const d = new Date(t);
          const hm = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
          return d.getHours() === 0 && d.getMinutes() === 0
            ? d.toLocaleDateString([], { day: 'numeric', month: 'short' })
            : hm;
        }
      : (t: number) => new Date(t).toLocaleDateString([], { day: 'numeric', month: 'short' });
  return { ticks, label };
}

/** Decimals that tell ticks `step` apart (10 → 0, 2.5 → 1, 0.5 → 1, 0.25 → 2). */
const decimalsOf = (step: number) => {
  for (let d = 0; d < 4; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
  return 4;
};
const tickStep = (ticks: number[]) => (ticks.length > 1 ? ticks[1]! - ticks[0]! : 1);
/** A value with one more decimal than the axis ticks. */
const fmt = (v: number, decimals: number) => v.toFixed(Math.min(3, decimals));
const timeText = (t: number) => new Date(t).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Lines over time. `times` are epoch ms, one per value; a gap longer than `gapMs` (or a null)
 * breaks the line: the car was offline or did not send that value.
 */
export function TimeChart(props: {
  title: string;
  unit: string;
  times: number[];
  lines: Line[];
  gapMs: number;
  from?: number;
  to?: number;
  yMin?: number;
  yMax?: number;
  testid?: string;
}) {
  const [ref, width] = useWidth();
  const { times, lines } = props;
  const [cursor, setCursor, onKey] = useCursor(times.length);
  const describedBy = useId();
  const values = lines.flatMap((l) => l.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const from = props.from ?? times[0] ?? 0;
  const to = props.to ?? times[times.length - 1] ?? 1;
  let lo = props.yMin ?? Math.min(...values);
  let hi = props.yMax ?? Math.max(...values);
  if (!(hi > lo)) {
    // A flat line: around its value, or above the fixed floor (a car standing still).
    if (props.yMin === undefined) lo -= 1;
    hi = lo + 2;
  }
  const yt = niceTicks(lo, hi);
  const dec = decimalsOf(tickStep(yt));
  if (props.yMin === undefined) lo = Math.min(lo, yt[0]!);
  if (props.yMax === undefined) hi = Math.max(hi, yt[yt.length - 1]!);
  const pw = width - M.l - M.r;
  const ph = H - M.t - M.b;
  const x = (t: number) => M.l + ((t - from) / Math.max(1, to - from)) * pw;
  const y = (v: number) => M.t + ph - ((v - lo) / (hi - lo)) * ph;
  const { ticks, label } = timeTicks(from, to, pw);
  const summary =
    values.length === 0
      ? `${props.title}: no values in this range`
      : `${props.title} in ${props.unit}: ${times.length} points from ${timeText(from)} to ${timeText(to)}, lowest ${fmt(Math.min(...values), dec + 1)}, highest ${fmt(Math.max(...values), dec + 1)}`;

  const paths = lines.map((l) => {
    let d = '';
    const dots: [number, number][] = [];
    let open = false;
    let run = 0;
    let last: [number, number] = [0, 0];
    for (let i = 0; i < times.length; i++) {
      const v = l.values[i];
      const broken = i > 0 && times[i]! - times[i - 1]! > props.gapMs;
      if (v === null || v === undefined || !Number.isFinite(v)) {
        open = false;
        continue;
      }
      const px = x(times[i]!).toFixed(1);
      const py = y(v).toFixed(1);
      if (!open || broken) {
        if (run === 1) dots.push(last);
        d += `M${px} ${py}`;
        run = 1;
      } else {
        d += `L${px} ${py}`;
        run++;
      }
      last = [Number(px), Number(py)];
      open = true;
      if (i === times.length - 1 && run === 1) dots.push(last);
    }
    return { d, dots };
  });

  const pick = (clientX: number, svg: HTMLElement) => {
    const r = svg.getBoundingClientRect();
    const t = from + ((clientX - r.left - M.l) / pw) * (to - from);
    let best = 0;
    for (let i = 1; i < times.length; i++) if (Math.abs(times[i]! - t) < Math.abs(times[best]! - t)) best = i;
    setCursor(times.length ? best : undefined);
  };
  const readout =
    cursor === undefined
      ? ''
      : `${timeText(times[cursor]!)}: ${lines
          .map(
            (l) => `${l.label} ${l.values[cursor] === null ? '–' : fmt(l.values[cursor] as number, dec + 1)}`,
          )
          .join(', ')} ${props.unit}`;

  return (
    <figure class="chart-figure" data-testid={props.testid}>
      <figcaption>
        <strong>{props.title}</strong> <span class="muted">({props.unit})</span>
        {lines.length > 1
          ? lines.map((l) => (
              <span key={l.label} class="legend">
                <svg width="22" height="10" aria-hidden="true">
                  <line
                    x1="1"
                    y1="5"
                    x2="21"
                    y2="5"
                    stroke={l.color}
                    stroke-width="3"
                    stroke-dasharray={l.dashed ? '5 3' : undefined}
                  />
                </svg>
                {l.label}
              </span>
            ))
          : null}
      </figcaption>
      <div
        ref={ref}
        class="chart-box"
        role="slider"
        aria-label={`${props.title} (${props.unit})`}
        aria-describedby={describedBy}
        aria-valuemin={0}
        aria-valuemax={Math.max(0, times.length - 1)}
        aria-valuenow={cursor ?? 0}
        aria-valuetext={readout || 'no point chosen'}
        tabIndex={0}
        onKeyDown={onKey}
        onPointerMove={(e) => pick(e.clientX, e.currentTarget)}
        onPointerLeave={() => setCursor(undefined)}
        onBlur={() => setCursor(undefined)}
      >
        <svg width={width} height={H} viewBox={`0 0 ${width} ${H}`} class="chart-svg" aria-hidden="true">
          <YGrid ticks={yt} y={y} width={width} decimals={dec} />
          {ticks.map((t) => (
            <text
              key={t}
              x={x(t)}
              y={H - 8}
              class="chart-text"
              // Labels at the edges stay inside the chart.
              text-anchor={x(t) > width - M.r - 30 ? 'end' : x(t) < M.l + 20 ? 'start' : 'middle'}
            >
              {label(t)}
            </text>
          ))}
          {paths.map((p, i) => (
            <g key={lines[i]!.label}>
              <path
                d={p.d}
                fill="none"
                stroke={lines[i]!.color}
                stroke-width="2.2"
                stroke-linejoin="round"
                stroke-dasharray={lines[i]!.dashed ? '6 4' : undefined}
              />
              {p.dots.map(([cx, cy]) => (
                <circle key={`${cx},${cy}`} cx={cx} cy={cy} r="2.5" fill={lines[i]!.color} />
              ))}
            </g>
          ))}
          {cursor !== undefined ? (
            <line x1={x(times[cursor]!)} x2={x(times[cursor]!)} y1={M.t} y2={M.t + ph} class="chart-cursor" />
          ) : null}
        </svg>
      </div>
      <p class="chart-readout muted" aria-hidden="true">
        {readout || '\u00a0'}
      </p>
      <p id={describedBy} class="sr-only">
        {summary}. Arrow keys, Home and End read the points.
      </p>
    </figure>
  );
}

/** Bars per labelled period (stats), zero-based. */
export function BarChart(props: {
  title: string;
  unit: string;
  labels: string[];
  values: number[];
  color: string;
  testid?: string;
}) {
  const [ref, width] = useWidth();
  const n = props.values.length;
  const [cursor, setCursor, onKey] = useCursor(n);
  const hi = Math.max(0, ...props.values);
  const lo = Math.min(0, ...props.values);
  const yt = niceTicks(lo, hi > lo ? hi : lo + 1);
  const top = Math.max(hi, yt[yt.length - 1]!);
  const dec = decimalsOf(tickStep(yt));
  const pw = width - M.l - M.r;
  const ph = H - M.t - M.b;
  const y = (v: number) => M.t + ph - ((v - lo) / (top - lo || 1)) * ph;
  const band = pw / Math.max(1, n);
  // Bars at most 48 px wide (one month is not a wall).
  const bar = Math.max(1, Math.min(48, band * 0.7));
  const every = Math.ceil(n / Math.max(1, pw / 56));
  const readout =
    cursor === undefined
      ? ''
      : `${props.labels[cursor]}: ${fmt(props.values[cursor]!, dec + 1)} ${props.unit}`;
  return (
    <figure class="chart-figure" data-testid={props.testid}>
      <figcaption>
        <strong>{props.title}</strong> <span class="muted">({props.unit})</span>
      </figcaption>
      <div
        ref={ref}
        class="chart-box"
        role="slider"
        aria-label={`${props.title} (${props.unit}), ${n} periods; arrow keys read the bars`}
        aria-valuemin={0}
        aria-valuemax={Math.max(0, n - 1)}
        aria-valuenow={cursor ?? 0}
        aria-valuetext={readout || 'no bar chosen'}
        tabIndex={0}
        onKeyDown={onKey}
        onBlur={() => setCursor(undefined)}
      >
        <svg width={width} height={H} viewBox={`0 0 ${width} ${H}`} class="chart-svg" aria-hidden="true">
          <YGrid ticks={yt} y={y} width={width} decimals={dec} />
          {props.values.map((v, i) => (
            <rect
              key={props.labels[i]}
              x={M.l + (i + 0.5) * band - bar / 2}
              width={bar}
              y={Math.min(y(v), y(0))}
              height={Math.abs(y(0) - y(v))}
              fill={props.color}
              opacity={cursor === undefined || cursor === i ? 1 : 0.5}
              onPointerEnter={() => setCursor(i)}
            />
          ))}
          {props.labels.map((l, i) =>
            i % every === 0 ? (
              <text key={l} x={M.l + (i + 0.5) * band} y={H - 8} class="chart-text" text-anchor="middle">
                {l}
              </text>
            ) : null,
          )}
        </svg>
      </div>
      <p class="chart-readout muted" aria-hidden="true">
        {readout || '\u00a0'}
      </p>
    </figure>
  );
}
