//! Invariants of evaluation, over random data: row order does not matter,
//! duplicating every row keeps shares and means and doubles counts, and a
//! higher value never lowers a `better higher` score.

use crate::support::eval_lib;
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

const FW: &str = r#"framework p { title "P" }
level terr { label "T" }
level org { within terr  label "O" }
level person { within org  label "P" }
questions at person { x: number  ok: yesno  w: number  s: scale 1..5 }
let big = x > 50
indicator share_ok { at org value share(ok) }
indicator share_big { at org value share(big where ok) }
indicator mean_x { at org value mean(x) normalize minmax }
indicator wmean { at org value mean(x weight w) normalize goalposts 0..100 }
indicator med { at org value median(x) normalize rank }
indicator pct { at org value percentile(x, 30) }
indicator sum_x { at org value sum(x) rollup sum }
indicator cnt { at org value count(ok) rollup sum }
indicator rows { at org value count(person) rollup sum }
indicator sd { at org value stddev(s) }
indicator rat { at org value ratio(x, w) }
indicator mean_rollup { at org value mean(s) rollup mean }
dimension d { aggregate geometric  use mean_x  use wmean  use med }
"#;

#[derive(Debug, Clone)]
struct Row {
    org: u8,
    x: Option<u32>,
    ok: Option<bool>,
    w: Option<u8>,
    s: Option<u8>,
}

fn row() -> impl Strategy<Value = Row> {
    (
        0u8..5,
        prop::option::of(0u32..100),
        prop::option::of(any::<bool>()),
        prop::option::of(0u8..4),
        prop::option::of(1u8..6),
    )
        .prop_map(|(org, x, ok, w, s)| Row { org, x, ok, w, s })
}

fn csv(rows: &[Row]) -> String {
    let mut s = String::from("person,org,x,ok,w,s\n");
    for (i, r) in rows.iter().enumerate() {
        let f = |v: Option<String>| v.unwrap_or_default();
        s += &format!(
            "p{i},O{},{},{},{},{}\n",
            r.org,
            f(r.x.map(|v| v.to_string())),
            f(r.ok.map(|v| if v { "oui".into() } else { "non".into() })),
            f(r.w.map(|v| v.to_string())),
            f(r.s.map(|v| v.to_string()))
        );
    }
    s
}

const ORGS: &str = "org,terr\nO0,T0\nO1,T0\nO2,T1\nO3,T1\nO4,T1\n";

/// Every number of the result, keyed by level, unit, item and field.
fn numbers(doc: &Value) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (level, units) in doc["results"].as_object().expect("results") {
        for u in units.as_array().expect("units") {
            let id = u["unit"].as_str().expect("unit");
            for kind in ["indicators", "dimensions"] {
                for (item, fields) in u[kind].as_object().expect("items") {
                    for (field, v) in fields.as_object().expect("fields") {
                        if let Some(x) = v.as_f64() {
                            out.insert(format!("{level}.{id}.{item}.{field}"), x);
                        }
                        if let Some(a) = v.as_array() {
                            for (k, x) in a.iter().enumerate() {
                                out.insert(
                                    format!("{level}.{id}.{item}.{field}[{k}]"),
                                    x.as_f64().expect("number"),
                                );
                            }
                        }
                        if let Some(s) = v.as_str() {
                            out.insert(format!("{level}.{id}.{item}.{field}={s}"), 0.0);
                        }
                    }
                }
            }
        }
    }
    out
}

fn same(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, x) in a {
        let y = b[k];
        prop_assert!(
            (x - y).abs() <= 1e-12 * x.abs().max(1.0),
            "{} differs: {} vs {}",
            k,
            x,
            y
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn row_order_does_not_change_results(rows in prop::collection::vec(row(), 1..60), seed in any::<u64>()) {
        let a = eval_lib(FW, &[("org", ORGS), ("person", &csv(&rows))]);
        let mut shuffled = rows.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let b = eval_lib(FW, &[("org", ORGS), ("person", &csv(&shuffled))]);
        same(&numbers(&a), &numbers(&b))?;
    }

    #[test]
    fn duplicating_rows_keeps_shares_and_means(rows in prop::collection::vec(row(), 1..40)) {
        let a = numbers(&eval_lib(FW, &[("org", ORGS), ("person", &csv(&rows))]));
        let twice: Vec<Row> = rows.iter().chain(rows.iter()).cloned().collect();
        let b = numbers(&eval_lib(FW, &[("org", ORGS), ("person", &csv(&twice))]));
        for (k, x) in &a {
            let unchanged = [".share_ok.value", ".share_big.value", ".mean_x.value", ".wmean.value", ".med.value", ".rat.value", ".coverage"];
            let doubled = [".sum_x.value", ".cnt.value", ".rows.value", ".share_ok.n", ".mean_x.n", ".cnt.n"];
            if unchanged.iter().any(|s| k.ends_with(s)) {
                prop_assert!((x - b[k]).abs() <= 1e-9 * x.abs().max(1.0), "{} changed: {} vs {}", k, x, b[k]);
            }
            if doubled.iter().any(|s| k.ends_with(s)) && !k.starts_with("terr.") || k.starts_with("terr.") && k.ends_with(".sum_x.value") {
                prop_assert!((2.0 * x - b[k]).abs() <= 1e-9 * x.abs().max(1.0), "{} not doubled: {} vs {}", k, x, b[k]);
            }
        }
    }

    #[test]
    fn a_higher_value_never_lowers_its_score(values in prop::collection::vec(0u32..100, 2..8), who in any::<prop::sample::Index>(), bump in 1u32..50) {
        for norm in ["goalposts 10..80", "target 60", "minmax", "rank", "map { 0: 0, 1: 100 }"] {
            if norm.starts_with("map") { continue; }
            let fw = format!("framework m {{ title \"M\" }}\nlevel org {{ label \"O\" }}\nquestions at org {{ v: number }}\nindicator i {{ at org value v normalize {norm} }}\ndimension d {{ use i }}\n");
            let table = |vals: &[u32]| {
                let mut s = String::from("org,v\n");
                for (k, v) in vals.iter().enumerate() { s += &format!("U{k},{v}\n"); }
                s
            };
            let k = who.index(values.len());
            let mut raised = values.clone();
            raised[k] += bump;
            let score = |doc: &Value| doc["results"]["org"][k]["indicators"]["i"]["score"].as_f64();
            let before = score(&eval_lib(&fw, &[("org", &table(&values))]));
            let after = score(&eval_lib(&fw, &[("org", &table(&raised))]));
            if let (Some(b), Some(a)) = (before, after) {
                prop_assert!(a >= b - 1e-9, "{}: score fell from {} to {}", norm, b, a);
            }
        }
    }
}

/// Evaluates `FW` on the tables with `threads` threads and hands the
/// report context, the diagnostics and the sources to `f`.
fn with_results<R>(
    tables: &[(&str, &str)],
    threads: usize,
    lang: &str,
    f: impl FnOnce(
        &grille::report::Context<'_>,
        &[grille::diagnostic::Diag],
        &grille::source::SourceMap,
    ) -> R,
) -> R {
    let mut ws = grille::workspace::Workspace::new();
    ws.check_text("f.grille", FW)
        .unwrap_or_else(|_| panic!("checks"));
    crate::support::load_texts(&mut ws, tables);
    let (_, diags) = ws.evaluate_with(lang, Some(threads));
    let diags = diags.to_vec();
    f(&ws.report_context(lang, None), &diags, &ws.sources)
}

/// Results through the library with a given number of evaluation threads.
fn eval_threads(tables: &[(&str, &str)], threads: usize) -> String {
    with_results(tables, threads, "fr", |cx, diags, sources| {
        grille::report::json::result(cx, diags, sources, false)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Two evaluation threads give the very same result as one.
    #[test]
    fn threads_do_not_change_results(rows in prop::collection::vec(row(), 1..80)) {
        let one = eval_threads(&[("org", ORGS), ("person", &csv(&rows))], 1);
        let two = eval_threads(&[("org", ORGS), ("person", &csv(&rows))], 2);
        prop_assert_eq!(one, two);
    }
}

/// Reports, explanations and traces of random results: nothing panics,
/// and every unit of the data is in the report.
fn render_all(tables: &[(&str, &str)]) -> (String, String, usize) {
    use grille::report::explain;
    with_results(tables, 1, "en", |cx, diags, _| {
        let fw = cx.fw;
        let mut traced = 0;
        for name in explain::names(fw) {
            let item = explain::find(fw, name).expect("a listed name is found");
            assert!(!explain::describe(fw, item, "fr").is_empty());
            for unit in ["T0", "T1", "O0", "O3"] {
                if explain::trace(cx, item, unit).is_ok() {
                    traced += 1;
                }
            }
        }
        (
            grille::report::human::markdown(cx, diags),
            grille::report::human::html(cx, diags),
            traced,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn reports_and_traces_of_any_data(rows in prop::collection::vec(row(), 0..40)) {
        let (md, html, traced) = render_all(&[("org", ORGS), ("person", &csv(&rows))]);
        for unit in ["O0", "O1", "O2", "O3", "O4", "T0", "T1"] {
            prop_assert!(md.contains(&format!("Organisation {unit}")) || md.contains(&format!(" {unit}")), "{} missing", unit);
        }
        prop_assert!(html.ends_with("</html>\n"));
        prop_assert_eq!(html.matches("<section").count(), html.matches("</section>").count());
        prop_assert!(traced > 0);
    }

    /// Test files: any text is either read or refused with a message.
    #[test]
    fn test_files_never_panic(text in "(framework|case|name|expect|data|\\[|\\]|=|\"|\\.|[a-z0-9]|\n| ){0,120}") {
        if let Err(e) = grille::ftest::parse(&text) {
            prop_assert!(!e.message.is_empty());
        }
    }
}

/// 150 organisations in 3 territories, each with two persons whose
/// answers vary with the organisation: enough units for several rounds
/// of several runs when a report is written on many threads.
fn many_units() -> (String, String) {
    let mut orgs = String::from("org,terr\n");
    let mut persons = String::from("person,org,x,ok,w,s\n");
    for o in 0..150 {
        orgs += &format!("O{o},T{}\n", o % 3);
        for p in 0..2 {
            let ok = if (o + p) % 3 == 0 { "non" } else { "oui" };
            persons += &format!(
                "p{o}_{p},O{o},{},{ok},{},{}\n",
                (o * 7 + p * 13) % 100,
                1 + o % 3,
                1 + (o + p) % 5
            );
        }
    }
    (orgs, persons)
}

/// A report written part by part on several threads is the very report
/// built whole on one: the same Markdown and the same HTML, whatever the
/// number of threads, and every chart id in the page distinct.
#[test]
fn reports_written_in_parts_on_threads_equal_the_whole() {
    let (orgs, persons) = many_units();
    with_results(
        &[("org", &orgs), ("person", &persons)],
        1,
        "fr",
        |cx, diags, _| {
            let doc = grille::report::human::whole(cx, diags);
            let md_whole = grille::report::page::markdown(&doc.blocks);
            let html_whole = grille::report::page::html(&doc.title, cx.lang, &doc.blocks);
            assert!(md_whole.contains("O149"), "every unit is in the report");
            for threads in [1, 2, 3, 7] {
                for (html, whole) in [(false, &md_whole), (true, &html_whole)] {
                    let mut out = Vec::new();
                    grille::report::human::write_report(cx, diags, &mut out, html, threads)
                        .unwrap();
                    let out = String::from_utf8(out).unwrap();
                    assert_eq!(&out, whole, "HTML {html}, {threads} threads");
                }
            }
            let mut ids = std::collections::HashSet::new();
            let mut charts = 0;
            for piece in html_whole.split("<title id=\"").skip(1) {
                let id = &piece[..piece.find('"').unwrap()];
                assert!(ids.insert(id.to_string()), "chart id {id} appears twice");
                charts += 1;
            }
            // A radar or profile and bars for each of the 153 units at least.
            assert!(charts > 300, "{charts} charts");
        },
    );
}

/// A writer that takes `room` bytes, then fails (a full disk).
struct FullAfter {
    room: usize,
    took: Vec<u8>,
}

impl std::io::Write for FullAfter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.took.len() + buf.len() > self.room {
            return Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "full"));
        }
        self.took.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A write failing anywhere in a report rendered on threads (before the
/// units, in the middle of them while threads wait their turn, near the
/// end) is returned as that error: no thread is left waiting, nothing
/// more is written.
#[test]
fn a_failed_write_stops_a_report_on_threads() {
    let (orgs, persons) = many_units();
    with_results(
        &[("org", &orgs), ("person", &persons)],
        1,
        "fr",
        |cx, diags, _| {
            let mut whole = Vec::new();
            grille::report::human::write_report(cx, diags, &mut whole, true, 1).unwrap();
            for threads in [2, 3, 7] {
                for room in [10, whole.len() / 3, whole.len() * 9 / 10] {
                    let mut w = FullAfter {
                        room,
                        took: Vec::new(),
                    };
                    let err = grille::report::human::write_report(cx, diags, &mut w, true, threads)
                        .unwrap_err();
                    assert_eq!(err.kind(), std::io::ErrorKind::StorageFull);
                    // What was written is the report's beginning, in order.
                    assert!(w.took.len() <= room);
                    assert!(whole.starts_with(&w.took), "{threads} threads, {room}");
                }
            }
        },
    );
}

/// The compact JSON result serialised on several threads is the very text
/// serialised on one, and means what the indented one means: 150
/// organisations and 300 persons make levels of more than one run of units.
#[test]
fn json_written_on_threads_equals_one_thread() {
    let (orgs, persons) = many_units();
    with_results(
        &[("org", &orgs), ("person", &persons)],
        1,
        "fr",
        |cx, diags, sources| {
            let write = |threads| {
                let mut out = Vec::new();
                grille::report::json::write_compact(cx, diags, sources, threads, &mut out).unwrap();
                String::from_utf8(out).unwrap()
            };
            let one = write(1);
            let doc: serde_json::Value = serde_json::from_str(&one).unwrap();
            assert_eq!(doc["results"]["org"].as_array().unwrap().len(), 150);
            assert_eq!(doc["results"]["org"][149]["unit"], "O149");
            for threads in [2, 3, 7] {
                assert_eq!(write(threads), one, "{threads} threads");
            }
            let pretty = grille::report::json::result(cx, diags, sources, true);
            let pretty: serde_json::Value = serde_json::from_str(&pretty).unwrap();
            assert_eq!(pretty, doc);
        },
    );
}

/// A table of 30,000 persons has its parents looked up on every core
/// before its rows are linked: rows whose organisation exists link to it,
/// and those whose organisation does not (first row, first row of the
/// second half, last row) are still reported and left out.
#[test]
fn parents_looked_up_ahead_link_as_one_by_one() {
    let mut persons = String::from("person,org,x,ok,w,s\n");
    for r in 0..30_000 {
        let org = if [0, 15_000, 29_999].contains(&r) {
            "O9".to_string()
        } else {
            format!("O{}", r % 5)
        };
        persons += &format!("p{r},{org},1,oui,1,3\n");
    }
    let mut ws = grille::workspace::Workspace::new();
    ws.check_text("f.grille", FW)
        .unwrap_or_else(|_| panic!("checks"));
    crate::support::load_texts(&mut ws, &[("org", ORGS), ("person", &persons)]);
    let report = &ws.dataset().reports[1];
    assert_eq!((report.rows, report.used), (30_000, 29_997));
    let lines: Vec<usize> = report.rejected.iter().map(|r| r.row).collect();
    assert_eq!(lines, [2, 15_002, 30_001], "line 1 is the header");
    let unknown = ws
        .data_diagnostics()
        .iter()
        .filter(|d| d.code == "grille::data::unknown_parent")
        .map(|d| d.row)
        .collect::<Vec<_>>();
    assert_eq!(unknown, [Some(2), Some(15_002), Some(30_001)]);
    let (_, diags) = ws.evaluate("fr");
    let diags = diags.to_vec();
    let cx = ws.report_context("fr", None);
    let doc: Value = serde_json::from_str(&grille::report::json::result(
        &cx,
        &diags,
        &ws.sources,
        false,
    ))
    .unwrap();
    // 6,000 rows each; O0 loses rows 0 and 15,000, O4 loses row 29,999.
    let rows: Vec<f64> = (0..5)
        .map(|k| {
            doc["results"]["org"][k]["indicators"]["rows"]["value"]
                .as_f64()
                .unwrap()
        })
        .collect();
    assert_eq!(rows, [5_998.0, 6_000.0, 6_000.0, 6_000.0, 5_999.0]);
}

/// One field of a messy table, as people and platforms write them.
fn messy_field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("simple".to_string()),
        // A stray quote inside an unquoted field: the reader keeps it.
        Just("5\" de haut".to_string()),
        Just("il a dit \"oui\"".to_string()),
        // Quoted answers over several lines, with escaped quotes and
        // every line end inside.
        Just("\"deux\nlignes\"".to_string()),
        Just("\"trois\r\nlignes, \"\"citée\"\"\nfin\"".to_string()),
        Just("\"un, deux\"".to_string()),
    ]
}

/// A row of a messy table: a known or unknown org, readable or unreadable
/// numbers, a note column no question reads, a line end of any kind.
fn messy_row() -> impl Strategy<Value = String> {
    (
        0u8..7,
        prop_oneof![
            Just("42".to_string()),
            Just("x".to_string()),
            Just(String::new()),
            Just("1 000,5".to_string())
        ],
        prop_oneof![Just("oui"), Just("non"), Just(""), Just("peut-être")],
        messy_field(),
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
    )
        .prop_map(|(org, x, ok, note, end)| format!("p,O{org},{x},{ok},1,3,{note}{end}"))
}

fn messy_table(rows: &[String], header_again: Option<usize>) -> String {
    let mut s = String::from("person,org,x,ok,w,s,note\n");
    for (i, r) in rows.iter().enumerate() {
        if header_again == Some(i) {
            s.push_str("person,org,x,ok,w,s,note\n");
        }
        // Each person gets its own key after the `p`.
        s.push_str(&r.replacen("p,", &format!("p{i},"), 1));
    }
    s
}

/// What the library reads from a person table read in `chunks` pieces,
/// and the rows of the diagnostics on column `x`.
fn read_in(table: &str, chunks: usize) -> (String, Vec<usize>) {
    let mut ws = grille::workspace::Workspace::new();
    ws.check_text("f.grille", FW)
        .unwrap_or_else(|_| panic!("checks"));
    let mut read = Vec::new();
    for (level, text) in [("org", ORGS), ("person", table)] {
        let spec = grille::data::DataSpec {
            level: Some(level.to_string()),
            path: "-".into(),
            sheet: None,
        };
        let mut t = ws.read_table(&spec, &mut text.as_bytes()).expect("table");
        t.chunks = Some(chunks);
        read.push(t);
    }
    ws.load_tables(read);
    let x_rows = ws
        .data_diagnostics()
        .iter()
        .filter(|d| d.column.as_deref() == Some("x"))
        .filter_map(|d| d.row)
        .collect();
    (grille::fuzz::reading(&ws), x_rows)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A table read in pieces (more than there are cores, cut at many
    /// places: stray quotes, answers over several lines, CR, CRLF) reads
    /// exactly as in one: rows, values, counts, lines and diagnostics.
    #[test]
    fn pieces_do_not_change_what_is_read(
        rows in prop::collection::vec(messy_row(), 1..40),
        again in prop::option::of(0usize..40),
        chunks in 2usize..17,
    ) {
        let table = messy_table(&rows, again);
        let whole = read_in(&table, 1);
        prop_assert_eq!(read_in(&table, chunks), whole);
    }
}

/// Line numbers survive the pieces: a table whose records span two lines
/// (an answer over two lines), one line ended by a lone CR, and plain ones,
/// read in 7 pieces, underlines each bad cell on its line as counted by hand.
#[test]
fn pieces_keep_line_numbers() {
    let rows: Vec<String> = (0..50)
        .map(|i| match i % 5 {
            0 => "p,O1,x,oui,1,3,\"a\nb\"\r\n".to_string(),
            1 => "p,O2,7,non,1,3,5\" de haut\r".to_string(),
            _ => "p,O3,8,oui,1,3,simple\n".to_string(),
        })
        .collect();
    let table = messy_table(&rows, None);
    // The header is line 1; five records take six lines (the first spans
    // two), so the bad `x` of record 5j is on line 2 + 6j.
    let expected: Vec<usize> = (0..10).map(|j| 2 + 6 * j).collect();
    let whole = read_in(&table, 1);
    assert_eq!(whole.1, expected);
    assert_eq!(read_in(&table, 7), whole);
}
