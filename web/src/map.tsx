import { useEffect, useRef, useState } from 'preact/hooks';
import { serverSettings } from './api';

export const osmLink = (lat: number, lon: number) =>
  `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`;

interface Props {
  lat: number;
  lon: number;
  track: [number, number][];
  label: string;
  /** Clicking the map picks a position (naming a place). */
  onPick?: (lat: number, lon: number) => void;
  /** Zoom to the whole track (a trip) rather than to the car. */
  fit?: boolean;
  /** A picked point, drawn as a ring. */
  mark?: [number, number];
}

/**
 * The car's position and recent track. With a tile URL (server setting http.map_tiles) a Leaflet map,
 * loaded only then; without one (the default: the server may be offline) a plain grid with coordinates.
 */
export function TrackMap(props: Props) {
  const tiles = serverSettings().tiles;
  const [failed, setFailed] = useState(false);
  if (!Number.isFinite(props.lat) || !Number.isFinite(props.lon) || (props.lat === 0 && props.lon === 0))
    return <p class="muted">No position yet.</p>;
  return (
    <figure class="map-figure">
      {tiles && !failed ? (
        <LeafletMap {...props} tiles={tiles} onFail={() => setFailed(true)} />
      ) : (
        <GridMap {...props} />
      )}
      <figcaption>
        Position {props.label}
        {props.track.length > 1 ? ` · track of the last ${props.track.length} positions` : ''} ·{' '}
        <a href={osmLink(props.lat, props.lon)} target="_blank" rel="noopener noreferrer">
          OpenStreetMap
        </a>{' '}
        · <a href={`geo:${props.lat},${props.lon}`}>map app</a>
      </figcaption>
    </figure>
  );
}

function LeafletMap(props: Props & { tiles: string; onFail: () => void }) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<{ update: (p: Props) => void; remove: () => void } | undefined>(undefined);
  const pick = useRef(props.onPick);
  pick.current = props.onPick;
  useEffect(() => {
    let cancelled = false;
    import('./leaflet-map')
      .then(({ createMap }) => {
        if (cancelled || !el.current) return;
        map.current = createMap(el.current, props.tiles, (la, lo) => pick.current?.(la, lo));
        map.current.update(props);
      })
      .catch(props.onFail);
    return () => {
      cancelled = true;
      map.current?.remove();
    };
  }, [props.tiles]);
  useEffect(() => map.current?.update(props), [props.lat, props.lon, props.track, props.mark]);
  return <div ref={el} class="map" role="img" aria-label={`Map: the car is at ${props.label}`} />;
}

/** Offline: the track on a grid, scaled to fit, north up, with a scale bar. */
function GridMap(props: Props) {
  const W = 600;
  const H = 300;
  const points = [
    ...props.track,
    [props.lat, props.lon] as [number, number],
    ...(props.mark ? [props.mark] : []),
  ];
  const lats = points.map((p) => p[0]);
  const lons = points.map((p) => p[1]);
  const cosLat = Math.cos((props.lat * Math.PI) / 180);
  // Metres per degree, at least 500 m across so a parked car is not a blur.
  const spanY = Math.max((Math.max(...lats) - Math.min(...lats)) * 111_320, 500);
  const spanX = Math.max((Math.max(...lons) - Math.min(...lons)) * 111_320 * cosLat, 500);
  const scale = Math.min((W - 40) / spanX, (H - 40) / spanY);
  const midLat = (Math.max(...lats) + Math.min(...lats)) / 2;
  const midLon = (Math.max(...lons) + Math.min(...lons)) / 2;
  const xy = ([la, lo]: [number, number]) => [
    W / 2 + (lo - midLon) * 111_320 * cosLat * scale,
    H / 2 - (la - midLat) * 111_320 * scale,
  ];
  const path = props.track
    .map(
      (p, i) =>
        `${i ? 'L' : 'M'}${xy(p)
          .map((v) => v.toFixed(1))
          .join(' ')}`,
    )
    .join('');
  const [cx, cy] = xy([props.lat, props.lon]);
  const onClick = (e: MouseEvent) => {
    const svg = e.currentTarget as SVGSVGElement;
    const r = svg.getBoundingClientRect();
    // The viewBox keeps its aspect ratio (centred): undo that, then the projection above.
    const k = Math.min(r.width / W, r.height / H);
    const vx = (e.clientX - r.left - (r.width - W * k) / 2) / k;
    const vy = (e.clientY - r.top - (r.height - H * k) / 2) / k;
    props.onPick?.(
      midLat - (vy - H / 2) / (111_320 * scale),
      midLon + (vx - W / 2) / (111_320 * cosLat * scale),
    );
  };
  // A round scale bar length.
  const metres =
    [50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000].find((m) => m * scale > 60) ??
    100_000;
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: picking a point is a shortcut; the pages offer buttons for the trip's or charge's own positions
    <svg
      class="map grid-map"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Map without tiles: the car is at ${props.label}`}
      onClick={props.onPick ? onClick : undefined}
    >
      {path ? <path d={path} class="track" /> : null}
      <circle cx={cx} cy={cy} r="9" class="car-dot" />
      {props.mark ? <circle cx={xy(props.mark)[0]} cy={xy(props.mark)[1]} r="11" class="map-mark" /> : null}
      <text x="10" y="26" class="map-text">
        N ↑
      </text>
      <text x={W - 10} y="26" class="map-text" text-anchor="end">
        no map tiles: track only
      </text>
      <line x1="10" y1={H - 14} x2={10 + metres * scale} y2={H - 14} class="scale" />
      <text x="10" y={H - 22} class="map-text">
        {metres >= 1000 ? `${metres / 1000} km` : `${metres} m`}
      </text>
    </svg>
  );
}
