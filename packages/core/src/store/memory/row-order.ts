import { compareIds } from '../compare-ids';

/** Orders strings by code unit, like Postgres's `COLLATE "C"`. @internal */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders rows by their store-assigned id. @internal */
export function byId(a: { readonly id: string }, b: { readonly id: string }): number {
  return compareIds(a.id, b.id);
}

/** The exclusive lower bound of a page keyed by store-assigned id. @internal */
export function isAfter(id: string, after: string | undefined): boolean {
  return after === undefined || compareIds(id, after) > 0;
}
