import { useEffect, useState } from 'preact/hooks';
import { enc, get } from './api';
import { TimeChart } from './charts';
import { TrackMap } from './map';
import { PlaceForm, PlaceList } from './places';
import { type Charge, type CurvePoint, duration, num, place, recordingPath, when } from './recording-api';
import { RecordingNav } from './recording-nav';
import { Card, errorText, Notice, Stat, useGet } from './ui';

const ENDS: Record<string, string> = {
  done: 'finished',
  stopped: 'interrupted',
  offline: 'car went offline',
};
const endText = (c: Charge) => (c.endState ? (ENDS[c.endState] ?? c.endState) : 'charging');

/** The charges page: the list (`#/v/<id>/charges`) or one session with its curve (`…/charges/<chargeId>`). */
export function ChargesPage(props: { vehicleId: string; chargeId?: string }) {
  const [places, setPlaces] = useState(0);
  return (
    <main>
      <div class="title-row">
        <h1 tabIndex={-1}>
          {props.vehicleId}: {props.chargeId ? 'charge' : 'charges'}
        </h1>
      </div>
      <RecordingNav vehicleId={props.vehicleId} current="charges" />
      {props.chargeId ? (
        <ChargeDetail
          vehicleId={props.vehicleId}
          chargeId={props.chargeId}
          onPlace={() => setPlaces(places + 1)}
        />
      ) : (
        <ChargeList vehicleId={props.vehicleId} />
      )}
      <div class="grid spaced">
        <Card title="Named places" wide>
          <PlaceList version={places} />
        </Card>
      </div>
    </main>
  );
}

function ChargeList(props: { vehicleId: string }) {
  const { data: charges, error } = useGet<Charge[]>(recordingPath('charges', props.vehicleId, '?limit=200'));
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!charges) return <p>Loading…</p>;
  if (charges.length === 0)
    return (
      <Notice kind="info">No charge sessions recorded yet: they appear when the car has charged.</Notice>
    );
  return (
    <ul class="period-list" aria-label="Charge sessions, newest first" data-testid="charge-list">
      {charges.map((c) => (
        <li key={c.id} class="card">
          <a class="period-link" href={`#/v/${enc(props.vehicleId)}/charges/${c.id}`}>
            {when(c.start)}: {place(c.place)}
          </a>
          <dl class="stats">
            <Stat label="Energy added" value={num(c.energyKwh, 2)} unit="kWh" testid="charge-energy" />
            <Stat label="SOC" value={`${num(c.socFrom)} → ${num(c.socTo)}`} unit="%" />
            <Stat label="Duration" value={duration(c.durationS)} />
            <Stat label="Average power" value={num(c.avgPowerKw, 1)} unit="kW" />
            <Stat label="Peak power" value={num(c.peakPowerKw, 1)} unit="kW" />
            <Stat label="Cost" value={num(c.cost, 2)} />
            <Stat label="End" value={endText(c)} />
          </dl>
        </li>
      ))}
    </ul>
  );
}

function ChargeDetail(props: { vehicleId: string; chargeId: string; onPlace: () => void }) {
  const [charge, setCharge] = useState<(Charge & { curve: CurvePoint[] }) | undefined>();
  const [error, setError] = useState('');
  const [picked, setPicked] = useState<{ lat: number; lon: number; source: string } | undefined>();
  const load = () =>
    get<Charge & { curve: CurvePoint[] }>(
      recordingPath('charges', props.vehicleId, `/${enc(props.chargeId)}`),
    )
      .then((c) => {
        setCharge(c);
        if (c.place.lat !== null && c.place.lon !== null)
          setPicked((p) => p ?? { lat: c.place.lat!, lon: c.place.lon!, source: 'where the car charged' });
      })
      .catch((e) => setError(errorText(e)));
  useEffect(() => void load(), [props.vehicleId, props.chargeId]);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!charge) return <p>Loading…</p>;
  const times = charge.curve.map((p) => Date.parse(p.time));
  const gapMs = 5 * 60_000;
  return (
    <div class="grid">
      <Card title={when(charge.start)} wide>
        <p>{place(charge.place)}</p>
        <dl class="stats" data-testid="charge-detail">
          <Stat label="Energy added" value={num(charge.energyKwh, 2)} unit="kWh" />
          <Stat label="From the grid" value={num(charge.gridKwh, 2)} unit="kWh" />
          <Stat label="SOC" value={`${num(charge.socFrom)} → ${num(charge.socTo)}`} unit="%" />
          <Stat label="Duration" value={duration(charge.durationS)} />
          <Stat label="Average power" value={num(charge.avgPowerKw, 2)} unit="kW" />
          <Stat label="Peak power" value={num(charge.peakPowerKw, 2)} unit="kW" />
          <Stat label="Mode" value={charge.mode ?? '–'} />
          <Stat
            label="Limits"
            value={`${charge.limitSoc ? `${charge.limitSoc} %` : '–'} / ${num(charge.limitA)} A`}
          />
          <Stat label="Price" value={num(charge.pricePerKwh, 3)} unit="per kWh" />
          <Stat label="Cost" value={num(charge.cost, 2)} />
          <Stat label="End" value={endText(charge)} />
        </dl>
        <p class="muted">Energy from {charge.energySource ?? '–'}.</p>
      </Card>
      <Card title="Charge curve" wide>
        {charge.curve.length < 2 ? (
          <p class="muted">Too few samples for a curve ({charge.curve.length}).</p>
        ) : (
          <>
            <TimeChart
              title="Charge power"
              unit="kW"
              times={times}
              gapMs={gapMs}
              yMin={0}
              lines={[
                { label: 'Power', color: 'var(--warn)', values: charge.curve.map((p) => p.chargePowerKw) },
              ]}
              testid="charge-power"
            />
            <TimeChart
              title="State of charge"
              unit="%"
              times={times}
              gapMs={gapMs}
              lines={[{ label: 'SOC', color: 'var(--accent)', values: charge.curve.map((p) => p.soc) }]}
              testid="charge-soc"
            />
          </>
        )}
      </Card>
      {picked ? (
        <Card title="Place" wide>
          <TrackMap
            lat={charge.place.lat ?? picked.lat}
            lon={charge.place.lon ?? picked.lon}
            mark={[picked.lat, picked.lon]}
            track={[]}
            label={`${num(charge.place.lat, 5)}, ${num(charge.place.lon, 5)}, where the car charged`}
            onPick={(lat, lon) => setPicked({ lat, lon, source: 'picked on the map' })}
          />
          <PlaceForm
            {...picked}
            onSaved={() => {
              props.onPlace();
              void load();
            }}
          />
        </Card>
      ) : null}
    </div>
  );
}
