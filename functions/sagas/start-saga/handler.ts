import { sagaStarter } from '../../platform/saga-starter';

/** Every saga's starter (one function per saga, told its state machine by STATE_MACHINE_ARN). Wiring only. */
export const handler = sagaStarter();
