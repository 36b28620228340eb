import { InvalidTransitionError } from '../errors';

/**
 * A state machine written down as data: for each state, the states it may move to.
 * Every store and every class checks transitions against these tables, so the rules live in one place.
 */
export type StateMachine<S extends string> = {
  readonly name: string;
  readonly transitions: Readonly<Record<S, readonly S[]>>;
};

/** True when `machine` allows `from → to`. */
export function canTransition<S extends string>(machine: StateMachine<S>, from: S, to: S): boolean {
  return machine.transitions[from]?.includes(to) ?? false;
}

/** Throws {@link InvalidTransitionError} unless `machine` allows `from → to`. */
export function assertTransition<S extends string>(machine: StateMachine<S>, from: S, to: S): void {
  if (!canTransition(machine, from, to)) throw new InvalidTransitionError(machine.name, from, to);
}

/** States with no way out. */
export function terminalStates<S extends string>(machine: StateMachine<S>): S[] {
  return (Object.keys(machine.transitions) as S[]).filter((s) => machine.transitions[s].length === 0);
}
