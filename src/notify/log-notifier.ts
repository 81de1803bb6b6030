import type { Logger } from 'pino';
import type { Alert, Notifier } from './notifier.js';

/** Writes alerts to the log; what runs when no push channel is configured. */
export class LogNotifier implements Notifier {
  constructor(private readonly log: Logger) {}

  async notify(alert: Alert): Promise<void> {
    this.log.info(
      { owner: alert.ownerName, vehicle: alert.vehicleId, alertType: alert.type, text: alert.text },
      'push alert',
    );
  }

  async close(): Promise<void> {}
}
