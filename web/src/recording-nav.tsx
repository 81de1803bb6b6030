import { enc } from './api';
import './recording.css';

/** Links between a vehicle's live view and its recorded trips, charges and history. */
export function RecordingNav(props: { vehicleId: string; current: 'trips' | 'charges' | 'history' }) {
  const base = `#/v/${enc(props.vehicleId)}`;
  const link = (page: 'trips' | 'charges' | 'history', label: string) => (
    <a href={`${base}/${page}`} aria-current={props.current === page ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <nav class="subnav" aria-label={`${props.vehicleId} pages`}>
      <a href={base}>Live</a>
      {link('trips', 'Trips')}
      {link('charges', 'Charges')}
      {link('history', 'History')}
    </nav>
  );
}
