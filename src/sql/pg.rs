//! Running the query in PostgreSQL: connecting as `psql` does, loading a
//! dataset read in memory into temporary tables, and reading the rows.
//!
//! In: a connection string (`postgres://…`, `postgresql://…` or
//! `host=… dbname=…`), a framework and, for `--engine`, its dataset. Out:
//! the query's rows as text, or an [`EngineError`] saying what failed in
//! the user's terms (the server, a table, a column). The password comes
//! from the string, else `PGPASSWORD`, else `~/.pgpass`, as for `psql`.

use super::rebuild::RebuildError;
use super::record::COLUMNS;
use super::{Options, Statement, schema, typed};
use crate::data::Dataset;
use crate::diagnostic::Code;
use crate::ir::Framework;
use std::io::Write;

/// Why the database could not compute the result.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("`{url}` is not a connection string: {why}")]
    Url { url: String, why: String },
    #[error("cannot reach the PostgreSQL server `{url}`: {why}")]
    Connect { url: String, why: String },
    #[error("PostgreSQL refused the {what}: {why}")]
    Sql { what: &'static str, why: String },
    #[error("the table `{table}` has no column `{column}`, which the framework reads")]
    MissingColumn { table: String, column: String },
    #[error("there is no table `{table}` for level `{level}`; name it with `--table {level}=NAME`")]
    MissingTable { table: String, level: String },
}

impl Code for EngineError {
    fn code(&self) -> &'static str {
        match self {
            EngineError::Url { .. } => "grille::sql::bad_url",
            EngineError::Connect { .. } => "grille::sql::unreachable",
            EngineError::Sql { .. } => "grille::sql::refused",
            EngineError::MissingColumn { .. } => "grille::sql::missing_column",
            EngineError::MissingTable { .. } => "grille::sql::missing_table",
        }
    }
}

/// A connection to a PostgreSQL server.
pub struct Pg(postgres::Client);

/// Connects to `url`, with the password from the string, `PGPASSWORD` or
/// `~/.pgpass`.
pub fn connect(url: &str) -> Result<Pg, EngineError> {
    let mut config: postgres::Config =
        url.parse().map_err(|e: postgres::Error| EngineError::Url {
            url: url.to_string(),
            why: e.to_string(),
        })?;
    if config.get_password().is_none()
        && let Some(pw) = password(&config)
    {
        config.password(pw);
    }
    let client = config
        .connect(postgres::NoTls)
        .map_err(|e| EngineError::Connect {
            url: url.to_string(),
            why: with_source(&e),
        })?;
    Ok(Pg(client))
}

/// An error and what caused it (the client's own message is terse).
fn with_source(e: &postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(s) => format!("{e}: {s}"),
        None => e.to_string(),
    }
}

/// The password `psql` would use: `PGPASSWORD`, else the first matching
/// line of `~/.pgpass` (or `PGPASSFILE`), `host:port:database:user:password`
/// with `*` matching anything.
fn password(config: &postgres::Config) -> Option<String> {
    if let Ok(pw) = std::env::var("PGPASSWORD") {
        return Some(pw);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or("").to_string();
    let db = config.get_dbname().unwrap_or(&user).to_string();
    let want = [host, port, db, user];
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| pgpass_line(l, &want))
}

/// The password of one `.pgpass` line, when its four fields match.
fn pgpass_line(line: &str, want: &[String; 4]) -> Option<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => cur.extend(chars.next()),
            ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    if fields.len() != 5 {
        return None;
    }
    let ok = fields[..4]
        .iter()
        .zip(want)
        .all(|(f, w)| f == "*" || f == w);
    ok.then(|| fields[4].clone())
}

impl Pg {
    /// Creates the typed tables as temporary tables of this session and
    /// copies the dataset into them (`COPY`, not row by row).
    pub fn load(
        &mut self,
        fw: &Framework,
        ds: &Dataset,
        opts: &Options,
    ) -> Result<(), EngineError> {
        let sql = |why: postgres::Error| EngineError::Sql {
            what: "temporary tables",
            why: why.to_string(),
        };
        let ddl = schema::schema(fw, opts).replace("CREATE TABLE", "CREATE TEMPORARY TABLE");
        self.0.batch_execute(&ddl).map_err(sql)?;
        for (l, text) in typed::tables(fw, ds, opts) {
            let table = opts.dialect.table(&opts.table(fw, l));
            let copy = format!("COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)");
            let mut w = self.0.copy_in(&copy).map_err(sql)?;
            w.write_all(text.as_bytes()).map_err(|e| EngineError::Sql {
                what: "temporary tables",
                why: e.to_string(),
            })?;
            w.finish().map_err(sql)?;
        }
        Ok(())
    }

    /// Creates the temporary table listing what disclosure control hides.
    pub fn create_hidden(&mut self, table: &str) -> Result<(), EngineError> {
        self.0
            .batch_execute(&format!(
                "CREATE TEMPORARY TABLE {table} (i INTEGER, l INTEGER, b INTEGER, c INTEGER, k TEXT)"
            ))
            .map_err(|e| EngineError::Sql {
                what: "the table of hidden values",
                why: e.to_string(),
            })
    }

    /// Replaces the rows of the table of hidden values (CSV text).
    pub fn set_hidden(&mut self, table: &str, rows: &str) -> Result<(), EngineError> {
        let sql = |why: String| EngineError::Sql {
            what: "the table of hidden values",
            why,
        };
        self.0
            .batch_execute(&format!("TRUNCATE {table}"))
            .map_err(|e| sql(e.to_string()))?;
        let copy = format!("COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)");
        let mut w = self.0.copy_in(&copy).map_err(|e| sql(e.to_string()))?;
        w.write_all(rows.as_bytes())
            .map_err(|e| sql(e.to_string()))?;
        w.finish().map_err(|e| sql(e.to_string()))?;
        Ok(())
    }

    /// Checks that every table and column the query reads exists; whether
    /// every table has a `_row` column to order its rows by.
    pub fn check_tables(&mut self, fw: &Framework, opts: &Options) -> Result<bool, EngineError> {
        let mut all_rows = true;
        for l in schema::tabled(fw, opts) {
            let table = opts.table(fw, l);
            let (sch, name) = match table.split_once('.') {
                Some((a, b)) => (Some(a.to_string()), b.to_string()),
                None => (None, table.clone()),
            };
            let rows = self
                .0
                .query(
                    "SELECT column_name::text FROM information_schema.columns WHERE table_name = $1 AND (table_schema = $2 OR ($2 IS NULL AND table_schema = ANY (current_schemas(true))))",
                    &[&name, &sch],
                )
                .map_err(|e| EngineError::Sql { what: "look-up of the tables", why: e.to_string() })?;
            let have: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
            if have.is_empty() {
                return Err(EngineError::MissingTable {
                    table,
                    level: fw.levels[l].id.clone(),
                });
            }
            for (c, _) in schema::columns(fw, opts.dialect, l) {
                if c == "_row" {
                    all_rows &= have.contains(&c);
                } else if !have.contains(&c) {
                    return Err(EngineError::MissingColumn { table, column: c });
                }
            }
        }
        Ok(all_rows)
    }

    /// Computes each CTE of `st` into a temporary table of the same name,
    /// dropped at the end of the transaction this opens ([`Pg::commit`]).
    /// PostgreSQL knows nothing of a CTE's size: in one statement it guessed most of them at a row or two and
    /// joined them by nested loops, which at 100,000 persons did not end
    /// in 40 minutes; computed table by table, the every-construct
    /// framework runs in seconds. The final select then reads the tables.
    pub fn stage(&mut self, st: &Statement) -> Result<(), EngineError> {
        self.0
            .batch_execute(&st.staged_tables())
            .map_err(|e| EngineError::Sql {
                what: "query",
                why: e
                    .as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_string()),
            })
    }

    /// Ends the transaction [`Pg::stage`] opened, dropping its tables.
    pub fn commit(&mut self) -> Result<(), EngineError> {
        self.0
            .batch_execute("COMMIT")
            .map_err(|e| EngineError::Sql {
                what: "query",
                why: e.to_string(),
            })
    }

    /// Runs the record statement; its rows as the server sends them, each
    /// field as text (`None`: NULL), never all held at once.
    pub fn stream<'a>(
        &'a mut self,
        record: &str,
    ) -> Result<impl Iterator<Item = Result<Vec<Option<String>>, RebuildError>> + 'a, EngineError>
    {
        let fail = |e: postgres::Error| EngineError::Sql {
            what: "query",
            why: e
                .as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string()),
        };
        // Every column as text, as the simple protocol would send it, so
        // that the rows are read alike whatever their types.
        let cols: Vec<String> = COLUMNS.iter().map(|c| format!("{c}::text")).collect();
        let q = format!(
            "SELECT {} FROM ({}) AS grille_record",
            cols.join(", "),
            record.trim().trim_end_matches(';')
        );
        let it = self
            .0
            .query_raw(
                q.as_str(),
                std::iter::empty::<&(dyn postgres::types::ToSql + Sync)>(),
            )
            .map_err(fail)?;
        Ok(
            postgres::fallible_iterator::FallibleIterator::iterator(it).map(|row| {
                let row = row.map_err(|e| RebuildError(e.to_string()))?;
                Ok((0..row.len())
                    .map(|k| row.get::<_, Option<String>>(k))
                    .collect())
            }),
        )
    }

    /// Runs one statement; its rows, each field as text (`None`: NULL).
    pub fn rows(&mut self, query: &str) -> Result<Vec<Vec<Option<String>>>, EngineError> {
        let msgs = self.0.simple_query(query).map_err(|e| EngineError::Sql {
            what: "query",
            why: e
                .as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string()),
        })?;
        Ok(msgs
            .into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|k| r.get(k).map(str::to_string)).collect())
                }
                _ => None,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::pgpass_line;

    fn want() -> [String; 4] {
        [
            "db.example".into(),
            "5432".into(),
            "obs".into(),
            "ana".into(),
        ]
    }

    #[test]
    fn a_pgpass_line_matches_field_by_field() {
        assert_eq!(
            pgpass_line("db.example:5432:obs:ana:s3cret", &want()).as_deref(),
            Some("s3cret")
        );
        assert_eq!(
            pgpass_line("*:*:obs:*:any", &want()).as_deref(),
            Some("any")
        );
        assert_eq!(pgpass_line("db.example:5433:obs:ana:no", &want()), None);
        assert_eq!(pgpass_line("db.example:5432:obs", &want()), None);
    }

    #[test]
    fn a_pgpass_password_may_hold_escaped_colons() {
        let line = r"db.example:5432:obs:ana:a\:b\\c:d";
        assert_eq!(pgpass_line(line, &want()).as_deref(), Some(r"a:b\c:d"));
    }
}
