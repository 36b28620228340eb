import type { MachineInfo, ServerInfo } from '../machine-info';
import type { DeliveryResult } from './reminder-delivery';

/** Everything one run of the notifier suite measured. */
export interface NotifierRun {
  readonly machine: MachineInfo;
  readonly postgres: ServerInfo;
  /** One result per configuration, in the order of `NotifierConfig.processCounts`. */
  readonly deliveries: readonly DeliveryResult[];
  /** Wall time of the whole suite, seconds. */
  readonly durationSeconds: number;
}
