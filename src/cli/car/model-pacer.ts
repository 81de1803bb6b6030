import type { VehicleModel } from './vehicle-model.js';

/** Steps a model up to the clock's time, `speedUp` times faster than the clock runs. */
export class ModelPacer {
  private last: number;

  constructor(
    private readonly model: VehicleModel,
    private readonly clock: () => number,
    private readonly speedUp: number,
  ) {
    this.last = clock();
  }

  /** Advances the model to now; returns now (real ms). */
  step(): number {
    const now = this.clock();
    this.model.advance(((now - this.last) / 1000) * this.speedUp);
    this.last = now;
    return now;
  }
}
