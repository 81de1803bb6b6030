import { CHARGE_CURRENT_MAX, CHARGE_CURRENT_MIN } from './entities.js';
import type { CommandAction } from './topics.js';

/** The v2 command a Home Assistant command stands for, or why there is none. */
export type HaCommand = { ok: true; code: number; params: string[] } | { ok: false; error: string };

/** Longest command payload read (a lock payload with its PIN is ~40 bytes). */
export const MAX_COMMAND_PAYLOAD = 256;

const PIN = /^[0-9]{1,12}$/;

/**
 * What the discovery documents make Home Assistant publish, as v2 commands (the same codes the
 * HTTP control routes send): lock `{"action":"LOCK"|"UNLOCK","code":"<pin>"}` → 20/22 with the
 * PIN; charge ON/OFF → 11/12; climate ON/OFF → 26,1/26,0; wakeup → 18; homelinkN → 24,N−1;
 * charge_current `<amps>` → 15.
 */
export function haCommand(action: CommandAction, payload: string): HaCommand {
  const text = payload.trim();
  switch (action) {
    case 'lock':
      return lockCommand(text);
    case 'charge':
      return onOff(text, { code: 11, params: [] }, { code: 12, params: [] });
    case 'climate':
      return onOff(text, { code: 26, params: ['1'] }, { code: 26, params: ['0'] });
    case 'wakeup':
      return { ok: true, code: 18, params: [] };
    case 'homelink1':
    case 'homelink2':
    case 'homelink3':
      return { ok: true, code: 24, params: [String(Number(action.slice(-1)) - 1)] };
    case 'charge_current': {
      const amps = Number(text);
      if (text === '' || !Number.isInteger(amps) || amps < CHARGE_CURRENT_MIN || amps > CHARGE_CURRENT_MAX)
        return {
          ok: false,
          error: `charge current must be a whole number of amperes from ${CHARGE_CURRENT_MIN} to ${CHARGE_CURRENT_MAX}`,
        };
      return { ok: true, code: 15, params: [String(amps)] };
    }
  }
}

function onOff(
  text: string,
  on: { code: number; params: string[] },
  off: { code: number; params: string[] },
): HaCommand {
  if (text === 'ON') return { ok: true, ...on };
  if (text === 'OFF') return { ok: true, ...off };
  return { ok: false, error: 'expected ON or OFF' };
}

function lockCommand(text: string): HaCommand {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: 'expected {"action": "LOCK" or "UNLOCK", "code": "<PIN>"}' };
  }
  const { action, code } = (body ?? {}) as { action?: unknown; code?: unknown };
  const pin = typeof code === 'number' ? String(code) : code;
  if (action !== 'LOCK' && action !== 'UNLOCK')
    return { ok: false, error: 'expected the action LOCK or UNLOCK' };
  if (typeof pin !== 'string' || !PIN.test(pin))
    return {
      ok: false,
      error:
        "a PIN of 1 to 12 digits is needed (set the lock entity's default code in Home Assistant to save typing it)",
    };
  return { ok: true, code: action === 'LOCK' ? 20 : 22, params: [pin] };
}
