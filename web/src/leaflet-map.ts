import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

/** Loaded on demand, only when the server has a tile URL. */
export function createMap(el: HTMLElement, tiles: string, onPick?: (lat: number, lon: number) => void) {
  const map = L.map(el, { zoomControl: true, attributionControl: true });
  L.tileLayer(tiles, { maxZoom: 19, attribution: 'Map data © OpenStreetMap contributors' }).addTo(map);
  const track = L.polyline([], { color: '#2b7de9', weight: 4 }).addTo(map);
  const car = L.circleMarker([0, 0], {
    radius: 9,
    color: '#fff',
    fillColor: '#22a06b',
    fillOpacity: 1,
  }).addTo(map);
  if (onPick) map.on('click', (e) => onPick(e.latlng.lat, e.latlng.lng));
  const mark = L.circleMarker([0, 0], { radius: 11, color: '#e9912b', weight: 3, fill: false });
  let first = true;
  return {
    update(p: {
      lat: number;
      lon: number;
      track: [number, number][];
      fit?: boolean;
      mark?: [number, number];
    }) {
      car.setLatLng([p.lat, p.lon]);
      if (p.mark) mark.setLatLng(p.mark).addTo(map);
      else mark.remove();
      track.setLatLngs(p.track);
      if (first && p.fit && p.track.length > 1) map.fitBounds(track.getBounds(), { padding: [20, 20] });
      else if (first) map.setView([p.lat, p.lon], 15);
      first = false;
    },
    remove: () => map.remove(),
  };
}
