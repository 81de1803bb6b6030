import { useEffect, useState } from 'preact/hooks';
import { enc, get } from './api';
import { TimeChart } from './charts';
import { TrackMap } from './map';
import { PlaceForm } from './places';
import {
  duration,
  num,
  place,
  recordingPath,
  type TrackPoint,
  type Trip,
  unitsOf,
  when,
} from './recording-api';
import { RecordingNav } from './recording-nav';
import { Card, errorText, Notice, Stat, useGet } from './ui';

const consumption = (t: Trip) => (t.unit === 'mi' ? num(t.whPerMi) : num(t.whPerKm));

/** The trips page: the list (`#/v/<id>/trips`) or one trip with its track and profile (`…/trips/<tripId>`). */
export function TripsPage(props: { vehicleId: string; tripId?: string }) {
  return (
    <main>
      <div class="title-row">
        <h1 tabIndex={-1}>
          {props.vehicleId}: {props.tripId ? 'trip' : 'trips'}
        </h1>
      </div>
      <RecordingNav vehicleId={props.vehicleId} current="trips" />
      {props.tripId ? (
        <TripDetail vehicleId={props.vehicleId} tripId={props.tripId} />
      ) : (
        <TripList vehicleId={props.vehicleId} />
      )}
    </main>
  );
}

function TripList(props: { vehicleId: string }) {
  const { data: trips, error } = useGet<Trip[]>(recordingPath('trips', props.vehicleId, '?limit=200'));
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!trips) return <p>Loading…</p>;
  if (trips.length === 0)
    return <Notice kind="info">No trips recorded yet: they appear when the car has been driven.</Notice>;
  return (
    <ul class="period-list" aria-label="Trips, newest first" data-testid="trip-list">
      {trips.map((t) => (
        <li key={t.id} class="card">
          <a class="period-link" href={`#/v/${enc(props.vehicleId)}/trips/${t.id}`}>
            {when(t.start)}: {place(t.from)} → {place(t.to)}
          </a>
          <dl class="stats">
            <Stat label="Distance" value={num(t.distance, 1)} unit={t.unit} testid="trip-distance" />
            <Stat label="Duration" value={duration(t.durationS)} />
            <Stat label="Consumption" value={consumption(t)} unit={`Wh/${t.unit}`} />
            <Stat label="SOC used" value={num(t.socUsed, 1)} unit="%" />
            <Stat label="Energy" value={num(t.energyKwh, 2)} unit="kWh" testid="trip-energy" />
          </dl>
        </li>
      ))}
    </ul>
  );
}

function TripDetail(props: { vehicleId: string; tripId: string }) {
  const [trip, setTrip] = useState<(Trip & { track: TrackPoint[] }) | undefined>();
  const [error, setError] = useState('');
  const [picked, setPicked] = useState<{ lat: number; lon: number; source: string } | undefined>();
  useEffect(() => {
    get<Trip & { track: TrackPoint[] }>(recordingPath('trips', props.vehicleId, `/${enc(props.tripId)}`))
      .then((t) => {
        setTrip(t);
        if (t.to.lat !== null && t.to.lon !== null)
          setPicked({ lat: t.to.lat, lon: t.to.lon, source: "the trip's end" });
      })
      .catch((e) => setError(errorText(e)));
  }, [props.vehicleId, props.tripId]);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!trip) return <p>Loading…</p>;
  const u = unitsOf(trip.unit === 'mi');
  const times = trip.track.map((p) => Date.parse(p.time));
  const endLat = trip.to.lat ?? trip.track[trip.track.length - 1]?.lat ?? Number.NaN;
  const endLon = trip.to.lon ?? trip.track[trip.track.length - 1]?.lon ?? Number.NaN;
  const gpx = recordingPath('trips', props.vehicleId, `/${trip.id}.gpx`);
  // Samples come once a minute while driving: a longer pause is a gap.
  const gapMs = 5 * 60_000;
  return (
    <div class="grid">
      <Card
        title={`${when(trip.start)} → ${new Date(trip.end).toLocaleTimeString([], { timeStyle: 'short' })}`}
        wide
      >
        <p>
          {place(trip.from)} → {place(trip.to)}
        </p>
        <dl class="stats" data-testid="trip-detail">
          <Stat label="Distance" value={num(trip.distance, 1)} unit={trip.unit} />
          <Stat label="Duration" value={duration(trip.durationS)} />
          <Stat label="Consumption" value={consumption(trip)} unit={`Wh/${trip.unit}`} />
          <Stat label="Energy" value={num(trip.energyKwh, 2)} unit="kWh" />
          <Stat label="SOC" value={`${num(trip.socFrom)} → ${num(trip.socTo)}`} unit="%" />
          <Stat
            label="Average speed"
            value={num(trip.avgSpeedKmh === null ? null : u.dist(trip.avgSpeedKmh))}
            unit={u.speed}
          />
          <Stat
            label="Top speed"
            value={num(trip.maxSpeedKmh === null ? null : u.dist(trip.maxSpeedKmh))}
            unit={u.speed}
          />
        </dl>
        <p class="muted">
          Distance from {trip.distanceSource ?? '–'}, energy from {trip.energySource ?? '–'}.{' '}
          <a class="button tall" href={gpx} download={`${props.vehicleId}-trip-${trip.id}.gpx`}>
            Download GPX
          </a>
        </p>
      </Card>
      <Card title="Track" wide>
        <TrackMap
          lat={endLat}
          lon={endLon}
          mark={picked ? [picked.lat, picked.lon] : undefined}
          track={trip.track.map((p) => [p.lat, p.lon])}
          label={`${num(endLat, 5)}, ${num(endLon, 5)} at the end of the trip`}
          fit
          onPick={(lat, lon) => setPicked({ lat, lon, source: 'picked on the map' })}
        />
        <div class="row">
          {trip.from.lat !== null && trip.from.lon !== null ? (
            <button
              type="button"
              onClick={() =>
                setPicked({ lat: trip.from.lat!, lon: trip.from.lon!, source: "the trip's start" })
              }
            >
              Use the start
            </button>
          ) : null}
          {trip.to.lat !== null && trip.to.lon !== null ? (
            <button
              type="button"
              onClick={() => setPicked({ lat: trip.to.lat!, lon: trip.to.lon!, source: "the trip's end" })}
            >
              Use the end
            </button>
          ) : null}
        </div>
        {picked ? (
          <PlaceForm
            {...picked}
            onSaved={() => {
              // Re-read: the trip now shows the place's name.
              get<Trip & { track: TrackPoint[] }>(recordingPath('trips', props.vehicleId, `/${trip.id}`))
                .then(setTrip)
                .catch(() => {});
            }}
          />
        ) : null}
      </Card>
      <Card title="Profile" wide>
        {trip.track.length < 2 ? (
          <p class="muted">Too few samples for a profile ({trip.track.length}).</p>
        ) : (
          <>
            <TimeChart
              title="Speed"
              unit={u.speed}
              times={times}
              gapMs={gapMs}
              lines={[
                {
                  label: 'Speed',
                  color: 'var(--focus)',
                  values: trip.track.map((p) => (p.speedKmh === null ? null : u.dist(p.speedKmh))),
                },
              ]}
              yMin={0}
              testid="trip-speed"
            />
            <TimeChart
              title="State of charge"
              unit="%"
              times={times}
              gapMs={gapMs}
              lines={[{ label: 'SOC', color: 'var(--accent)', values: trip.track.map((p) => p.soc) }]}
              testid="trip-soc"
            />
          </>
        )}
      </Card>
    </div>
  );
}
