export { PostgresStore } from './postgres-store';
export type {
  PGliteLike,
  PGliteResultsLike,
  PGliteStoreOptions,
  PGliteTransactionLike,
  PgNotificationLike,
  PgPoolClientLike,
  PgPoolLike,
  PgQueryConfigLike,
  PgResultLike,
  PostgresPoolStoreOptions,
  PostgresStoreOptions,
  PostgresStoreSharedOptions,
} from './postgres-store-options';
