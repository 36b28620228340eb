export { MySqlStore } from './mysql-store';
export type {
  MySqlPoolConnectionLike,
  MySqlPoolLike,
  MySqlQueryOptionsLike,
  MySqlQueryResultLike,
  MySqlStoreOptions,
} from './mysql-store-options';
