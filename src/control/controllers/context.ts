/**
 * What every controller gets from the controller manager: the API client, the shared informers
 * (one watch per resource for the whole process), the clock, a logger, an event recorder and a
 * metrics registry. Controllers talk to the API server only through these.
 */
import type { Registry } from 'prom-client';
import type { Client } from '../../client/rest.js';
import type { EventRecorder } from '../../client/events.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';

export interface ControllerContext {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  log: Logger;
  /** An event recorder whose events carry source.component = component. */
  recorder(component: string): EventRecorder;
  metrics: Registry;
}

/** A controller: registers its informers and handlers when built, then runs workers until aborted. */
export interface Controller {
  readonly name: string;
  /** Runs until signal aborts; informers are started (and synced) by the manager before this. */
  run(workers: number, signal: AbortSignal): Promise<void>;
}
