/**
 * Protocol v3 (MQTT) support as pure code: topics, metric values, a per-vehicle metric store,
 * v2 messages built from metrics and metrics from v2 messages, commands and notifications
 * (V3.md; docs/v3-mapping.md). No sockets, timers or MQTT library.
 */
export * from './commands.js';
export * from './metric-catalogue.js';
export * from './metric-state.js';
export * from './metric-values.js';
export * from './notifications.js';
export * from './number-format.js';
export * from './topics.js';
export * from './v2-builders.js';
export * from './v2-field-map.js';
export * from './v3-from-v2.js';
