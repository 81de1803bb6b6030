import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

/** Loaded on demand, only when the server has a tile URL. */
export function createMap(el: HTMLElement, tiles: string) {
  const map = L.map(el, { zoomControl: true, attributionControl: true });
  L.tileLayer(tiles, { maxZoom: 19, attribution: 'Map data © OpenStreetMap contributors' }).addTo(map);
  const track = L.polyline([], { color: '#2b7de9', weight: 4 }).addTo(map);
  const car = L.circleMarker([0, 0], {
    radius: 9,
    color: '#fff',
    fillColor: '#22a06b',
    fillOpacity: 1,
  }).addTo(map);
  let first = true;
  return {
    update(p: { lat: number; lon: number; track: [number, number][] }) {
      car.setLatLng([p.lat, p.lon]);
      track.setLatLngs(p.track);
      if (first) map.setView([p.lat, p.lon], 15);
      first = false;
    },
    remove: () => map.remove(),
  };
}
