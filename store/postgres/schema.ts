/**
 * The PostgreSQL schema, as numbered migrations. A migration is applied once,
 * in order, and never edited after it shipped: a change is a new migration.
 *
 * Every table lives in one PostgreSQL schema (`tollgate` unless configured),
 * named through {@linkcode qualify}. Keys that are listed in order use
 * `COLLATE "C"` (byte order), so `list()` sorts as the other backends do
 * whatever the database's locale.
 *
 * @module
 */

/**
 * One schema change.
 *
 * @example
 * ```ts
 * import { MIGRATIONS, type Migration } from "@tollgate/tollgate/store/postgres";
 * const next: Migration = {
 *   version: MIGRATIONS.length + 1, name: "an index", statements: ["CREATE INDEX ON {s}.t (c)"],
 * };
 * console.log(next.version); // 3
 * ```
 */
export interface Migration {
  /** Applied in ascending order; recorded in `schema_migrations`. */
  version: number;
  /** What it does, for people. */
  name: string;
  /** The statements, with `{s}` standing for the quoted schema name. */
  statements: readonly string[];
}

/**
 * Every migration, oldest first.
 *
 * @example
 * ```ts
 * import { MIGRATIONS } from "@tollgate/tollgate/store/postgres";
 * console.log(MIGRATIONS.map((m) => m.version)); // [1, 2, 3, 4]
 * ```
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "stores and queue",
    statements: [
      `CREATE TABLE {s}.domains (domain text COLLATE "C" PRIMARY KEY)`,
      `CREATE TABLE {s}.networks (cidr text COLLATE "C" PRIMARY KEY)`,
      `CREATE TABLE {s}.users (
        address text COLLATE "C" PRIMARY KEY,
        password_hash text NOT NULL,
        cram_md5_secret text,
        updated_at bigint NOT NULL)`,
      `CREATE TABLE {s}.routes (pattern text COLLATE "C" PRIMARY KEY, route jsonb NOT NULL)`,
      `CREATE TABLE {s}.sender_grants (
        user_address text COLLATE "C" NOT NULL,
        entry text COLLATE "C" NOT NULL,
        PRIMARY KEY (user_address, entry))`,
      `CREATE TABLE {s}.queue_messages (
        id text COLLATE "C" PRIMARY KEY,
        sender text NOT NULL,
        recipients jsonb NOT NULL,
        auth_user text,
        client_address text NOT NULL,
        helo text NOT NULL,
        received_at bigint NOT NULL,
        size bigint NOT NULL,
        chunks integer NOT NULL,
        next_attempt_at bigint NOT NULL,
        delivery jsonb NOT NULL)`,
      `CREATE INDEX queue_messages_due ON {s}.queue_messages (next_attempt_at, id)`,
      `CREATE TABLE {s}.queue_chunks (
        message_id text COLLATE "C" NOT NULL,
        seq integer NOT NULL,
        data bytea NOT NULL,
        written_at bigint NOT NULL,
        PRIMARY KEY (message_id, seq))`,
      // Mail is mostly compressed or encoded already: store chunks out of line, uncompressed.
      `ALTER TABLE {s}.queue_chunks ALTER COLUMN data SET STORAGE EXTERNAL`,
    ],
  },
  {
    version: 2,
    name: "delivery leases",
    statements: [
      `ALTER TABLE {s}.queue_messages ADD COLUMN leased_by text, ADD COLUMN lease_until bigint`,
    ],
  },
  {
    version: 3,
    name: "dkim keys",
    statements: [
      `CREATE TABLE {s}.dkim_keys (
        domain text COLLATE "C" NOT NULL,
        selector text COLLATE "C" NOT NULL,
        algorithm text NOT NULL,
        private_key text NOT NULL,
        public_key text NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (domain, selector))`,
    ],
  },
  {
    version: 4,
    name: "login failures and bans",
    statements: [
      `CREATE TABLE {s}.login_failures (
        key text COLLATE "C" NOT NULL,
        failed_at bigint NOT NULL,
        id bigserial PRIMARY KEY)`,
      `CREATE INDEX login_failures_key ON {s}.login_failures (key, failed_at)`,
      `CREATE INDEX login_failures_age ON {s}.login_failures (failed_at)`,
      `CREATE TABLE {s}.login_bans (client text COLLATE "C" PRIMARY KEY, until bigint NOT NULL)`,
    ],
  },
];

/**
 * The quoted schema name for SQL, after checking it is a plain identifier.
 *
 * @example
 * ```ts
 * import { qualify } from "@tollgate/tollgate/store/postgres";
 * console.log(qualify("tollgate")); // "\"tollgate\""
 * ```
 */
export function qualify(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new RangeError(
      `Cannot use PostgreSQL schema "${schema}": use lower-case letters, digits and _`,
    );
  }
  return `"${schema}"`;
}
