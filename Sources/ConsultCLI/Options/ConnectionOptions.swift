import ArgumentParser

/// Where the store is. Resolution, first match wins: `--database-url`, `CONSULT_DATABASE_URL`,
/// `DATABASE_URL`, libpq's `PG*` variables when `PGHOST` or `PGDATABASE` is set, else the
/// embedded cluster.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL URL (default: CONSULT_DATABASE_URL, DATABASE_URL, PG* variables, else the embedded cluster).",
            valueName: "url"))
    var databaseURL: String?
}
