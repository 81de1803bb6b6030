import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Period,
  type RecorderState,
  type RecordingSettings,
  type Sample,
  VehicleRecorder,
} from '../../src/recording/vehicle-recorder.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'recording');

export interface FixtureMessage {
  at: number;
  code: string;
  payload: string;
}

/** A fixture: one message a line, `<ISO time> <code><payload>`; `#` lines are comments. */
export function readFixture(name: string): FixtureMessage[] {
  return readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const space = line.indexOf(' ');
      const message = line.slice(space + 1);
      return { at: Date.parse(line.slice(0, space)), code: message[0]!, payload: message.slice(1) };
    });
}

export const DEFAULT_SETTINGS: RecordingSettings = { sampleMs: 60_000, idleSampleMs: 900_000 };

export interface Replay {
  /** Finished periods, the last version of each (kind, start). */
  periods: Period[];
  samples: Sample[];
  state: RecorderState;
}

/**
 * Feeds messages to a recorder. With `restartAfter`, the recorder is rebuilt from its JSON state
 * after that many messages, as a server restart would.
 */
export function replay(
  messages: FixtureMessage[],
  options: { settings?: RecordingSettings; restartAfter?: number; state?: RecorderState } = {},
): Replay {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  let recorder = new VehicleRecorder(settings, options.state);
  const periods = new Map<string, Period>();
  const samples: Sample[] = [];
  messages.forEach((m, index) => {
    if (index === options.restartAfter) {
      recorder = new VehicleRecorder(settings, JSON.parse(JSON.stringify(recorder.state)));
    }
    const out = recorder.apply(m.code, m.payload, m.at);
    for (const p of out.periods) periods.set(`${p.kind} ${p.startAt}`, p);
    samples.push(...out.samples);
  });
  return { periods: [...periods.values()], samples, state: recorder.state };
}

export function only(periods: Period[], kind: Period['kind']): Period[] {
  return periods.filter((p) => p.kind === kind);
}
