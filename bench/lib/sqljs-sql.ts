/** The shop's state modules run offline over sql.js; the adapter lives beside the Sql interface it implements. */
export { openSqlJs, type SqlCounters } from '../../collector/src/lib/sqljs-sql';
