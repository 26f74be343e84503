//! What differs between the SQL engines grille writes for: quoting, type
//! names, a handful of functions and the percentile syntax. Everything
//! else the builder writes is SQL that PostgreSQL, DuckDB and Spark read
//! alike (CTEs, `CASE`, window functions, `UNION ALL`).

/// An engine the query is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    #[default]
    Postgres,
    DuckDb,
    Spark,
}

impl Dialect {
    /// Every dialect, in the order the docs list them.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::DuckDb, Dialect::Spark];

    /// The dialect's name as `--dialect` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::DuckDb => "duckdb",
            Dialect::Spark => "spark",
        }
    }

    /// The dialect called `name`.
    pub fn by_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// A user's identifier (a table or column name), quoted.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A table name; a dotted name is schema-qualified, each part quoted.
    pub fn table(self, name: &str) -> String {
        name.split('.')
            .map(|p| self.ident(p))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// How a CTE's body is introduced. DuckDB inlines every CTE into each
    /// place that reads it, so a framework's query (hundreds of CTEs, each
    /// read by several others) is planned and computed many times over:
    /// materialising them once makes the VISES record about ten times
    /// faster. PostgreSQL already materialises a CTE read more than once;
    /// Spark has no such keyword.
    pub fn cte(self) -> &'static str {
        match self {
            Dialect::DuckDb => "AS MATERIALIZED",
            _ => "AS",
        }
    }

    /// The floating-point type.
    pub fn double(self) -> &'static str {
        match self {
            Dialect::Postgres => "DOUBLE PRECISION",
            _ => "DOUBLE",
        }
    }

    /// The text type.
    pub fn text(self) -> &'static str {
        match self {
            Dialect::Spark => "STRING",
            Dialect::DuckDb => "VARCHAR",
            Dialect::Postgres => "TEXT",
        }
    }

    /// The whole-number type of `_row`.
    pub fn bigint(self) -> &'static str {
        "BIGINT"
    }

    /// A number literal, as a floating-point value (a bare `0.1` is a
    /// decimal in DuckDB and Spark).
    pub fn num(self, x: f64) -> String {
        format!("CAST({x:?} AS {})", self.double())
    }

    /// The key relative scores compare: `x` to 12 significant digits, as
    /// `eval::score::tie_key` computes it in memory (rounding half away
    /// from zero, except PostgreSQL's half to even: only a value exactly
    /// halfway at its 13th digit can tell them apart).
    pub fn tie_key(self, x: &str) -> String {
        let scale = format!(
            "POWER({}, {} - FLOOR(LOG10(ABS({x}))))",
            self.num(10.0),
            self.num(11.0)
        );
        format!(
            "(CASE WHEN {x} = {zero} THEN {x} ELSE ROUND({x} * {scale}) / {scale} END)",
            zero = self.num(0.0)
        )
    }

    /// A string literal.
    pub fn str(self, s: &str) -> String {
        match self {
            // Spark reads backslash escapes inside quotes.
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// The value at fraction `p` (0..1) of the sorted values of `x`,
    /// interpolating linearly between closest ranks; NULLs are left out.
    pub fn percentile(self, x: &str, p: f64) -> String {
        match self {
            Dialect::Postgres => {
                format!("percentile_cont({p:?}) WITHIN GROUP (ORDER BY {x})")
            }
            Dialect::DuckDb => format!("quantile_cont({x}, {p:?})"),
            Dialect::Spark => format!("percentile({x}, {p:?})"),
        }
    }

    /// Days from date `a` to date `b`.
    pub fn days_between(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Postgres => format!("CAST(({b}) - ({a}) AS {})", self.double()),
            Dialect::DuckDb => format!("CAST(date_diff('day', {a}, {b}) AS DOUBLE)"),
            Dialect::Spark => format!("CAST(datediff({b}, {a}) AS DOUBLE)"),
        }
    }

    /// Whether `x` (text holding codes separated by single spaces) holds `code`.
    pub fn holds(self, x: &str, code: &str) -> String {
        let padded = self.concat(&[&self.str(" "), x, &self.str(" ")]);
        let needle = self.str(&format!(" {code} "));
        match self {
            Dialect::Spark => format!("(instr({padded}, {needle}) > 0)"),
            _ => format!("(strpos({padded}, {needle}) > 0)"),
        }
    }

    /// Strings joined end to end.
    pub fn concat(self, parts: &[&str]) -> String {
        match self {
            Dialect::Spark => format!("concat({})", parts.join(", ")),
            _ => format!("({})", parts.join(" || ")),
        }
    }

    /// A value written as text (numbers in their shortest exact form).
    pub fn to_text(self, x: &str) -> String {
        format!("CAST({x} AS {})", self.text())
    }
}
