//! Reports a network sends out: one file per unit (`--split`), benchmarks
//! among peers, colours and contrast, the workbook, print and PDF.

use crate::support::{TempDir, eval_record, grille, root};
use grille::eval::benchmark::Stats;
use grille::ir::ChildRef;

use crate::reports::{QUICKSTART, VISES};

fn run_in(dir: &std::path::Path, base: &[&str], extra: &[&str]) {
    let args: Vec<&str> = base.iter().chain(extra).copied().collect();
    let o = grille(&root(), &args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let _ = dir;
}

fn files(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("the folder exists")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .to_string()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn split_markdown_in_french() {
    let dir = TempDir::new(&[]);
    let out = dir.path().join("rapports");
    let out_s = out.to_str().unwrap();
    run_in(
        dir.path(),
        &QUICKSTART,
        &["--format", "md", "--split", out_s],
    );
    // Two territories and three enterprises, each its own file, and the
    // index; no temporary file left behind.
    assert_eq!(
        files(&out),
        [
            "entreprise-e1.md",
            "entreprise-e2.md",
            "entreprise-e3.md",
            "index.md",
            "territoire-lille.md",
            "territoire-namur.md"
        ]
    );
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    let index = read("index.md");
    assert!(index.contains("(entreprise-e2.md)"), "{index}");
    insta::assert_snapshot!("split_index_fr", index);
    insta::assert_snapshot!("split_e1_fr", read("entreprise-e1.md"));
    insta::assert_snapshot!("split_lille_fr", read("territoire-lille.md"));
}

#[test]
fn split_markdown_in_dutch() {
    let dir = TempDir::new(&[]);
    let out = dir.path().join("rapporten");
    let out_s = out.to_str().unwrap();
    run_in(
        dir.path(),
        &VISES,
        &[
            "--format",
            "md",
            "--lang",
            "nl",
            "--level",
            "territoire",
            "--split",
            out_s,
        ],
    );
    let names = files(&out);
    assert_eq!(names.len(), 4, "three territories and the index: {names:?}");
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    insta::assert_snapshot!("split_index_nl", read("index.md"));
    insta::assert_snapshot!("split_lille_nl", read("territoire-lille_metropole.md"));
    insta::assert_snapshot!("split_hainaut_nl", read(&names[1]));
}

#[test]
fn every_unit_page_is_self_contained() {
    let dir = TempDir::new(&[]);
    let out = dir.path().join("html");
    run_in(
        dir.path(),
        &VISES,
        &["--format", "html", "--split", out.to_str().unwrap()],
    );
    let names = files(&out);
    // 3 territories + 15 enterprises + the index.
    assert_eq!(names.len(), 19, "{names:?}");
    for n in &names {
        let html = std::fs::read_to_string(out.join(n)).unwrap();
        assert!(html.starts_with("<!doctype html>"), "{n}");
        for outside in [
            "<script",
            "<link",
            "src=\"http",
            "href=\"http",
            "url(",
            "@import",
        ] {
            assert!(!html.contains(outside), "{n} reaches outside: {outside}");
        }
        if n != "index.html" {
            // Its own unit's name, and the method page.
            assert!(html.contains("id=\"method\""), "{n}");
        }
    }
    let e01 = std::fs::read_to_string(out.join("entreprise-e01.html")).unwrap();
    assert!(
        e01.contains("La Ressourcerie") || e01.contains("Entreprise E01"),
        "the unit is named"
    );
    // A unit's page speaks of itself, not of the others.
    assert!(!e01.contains("id=\"entreprise-E02\""));
    // No path and no engine version on a page that is sent out.
    assert!(!e01.contains("examples/vises"), "no folder on the page");
    assert!(e01.contains("personnes.csv"), "the data file by its name");
    assert!(
        !e01.contains(grille::ENGINE),
        "no engine version on the page"
    );
}

#[test]
fn file_names_are_safe_and_distinct() {
    let fw = r#"framework f { title "F" languages en }
level org { label "Org" }
questions at org { x: number }
indicator xi { at org  label "X"  value x  normalize goalposts 0..10 }
dimension d { label "D"  use xi }
"#;
    let dir = TempDir::new(&[
        ("f.grille", fw),
        // Ids that differ only by case or punctuation, one with a path in it.
        ("o.csv", "org,x\nA/B,1\na-b,2\nÉté,3\n../x,4\n"),
    ]);
    let out = dir.path().join("out");
    let o = grille(
        dir.path(),
        &[
            "eval",
            "f.grille",
            "--data",
            "org=o.csv",
            "--format",
            "html",
            "--split",
            "out",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        files(&out),
        [
            "index.html",
            "org----x.html",
            "org-a-b-2.html",
            "org-a-b.html",
            "org-ete.html"
        ]
    );
}

/// Territory T1 holds four enterprises whose `x` is 10, 20, 40 and 90
/// (score = value with goalposts 0..100); T2 holds two, 50 and 60.
/// The person-level share `ok` has 2 persons at E4: hidden by min_group 3.
fn bench_case(min_group: u32) -> (grille::ir::Framework, grille::eval::Results) {
    let fw = format!(
        r#"framework b {{ title "B" languages en min_group {min_group} }}
level territory {{ label "Territory" }}
level org {{ within territory  label "Org" }}
level person {{ within org  label "Person" }}
questions at org {{ x: number }}
questions at person {{ ok: yesno }}
indicator xi {{ at org  label "X"  value x  normalize goalposts 0..100 }}
indicator oki {{ at org  label "OK"  value share(ok)  unit "%"  normalize goalposts 0%..100% }}
dimension d {{ label "D"  use xi }}
"#
    );
    let orgs = "org,territory,x\nE1,T1,10\nE2,T1,20\nE3,T1,40\nE4,T1,90\nE5,T2,50\nE6,T2,60\n";
    let mut persons = String::from("person,org,ok\n");
    // Three persons at E1, E2, E3 (1 yes each: 1/3), two at E4 (both
    // yes), three at E5 and E6 (2 yes each: 2/3).
    let mut k = 0;
    for (org, n) in [
        ("E1", 3),
        ("E2", 3),
        ("E3", 3),
        ("E4", 2),
        ("E5", 3),
        ("E6", 3),
    ] {
        for j in 0..n {
            k += 1;
            let yes = j == 0 || org == "E4" || (j == 1 && matches!(org, "E5" | "E6"));
            let ok = if yes { "yes" } else { "no" };
            persons.push_str(&format!("p{k},{org},{ok}\n"));
        }
    }
    eval_record(&fw, &[("org", orgs), ("person", &persons)])
}

#[test]
fn benchmarks_worked_out_by_hand() {
    let (fw, r) = bench_case(3);
    let org = fw.level_by_name("org").unwrap();
    let xi = fw.indicator_by_name("xi").unwrap();
    let b = &r.benchmarks[&(ChildRef::Indicator(xi), org)];
    // T1: 10, 20, 40, 90 → mean 40, median (20 + 40) / 2 = 30.
    let t1 = Stats {
        n: 4,
        mean: 40.0,
        median: 30.0,
        min: 10.0,
        max: 90.0,
    };
    assert_eq!(b.score.by_parent[0], Some(t1));
    assert_eq!(b.value.as_ref().unwrap().by_parent[0], Some(t1));
    // T2 has two enterprises, fewer than max(3, min_group) = 3: none.
    assert_eq!(b.score.by_parent[1], None);
    // All six: 270 / 6 = 45, median (40 + 50) / 2 = 45.
    let all = b.score.all.unwrap();
    assert_eq!(
        (all.n, all.mean, all.median, all.min, all.max),
        (6, 45.0, 45.0, 10.0, 90.0)
    );
    // The dimension's scores are the same numbers.
    let d = &r.benchmarks[&(ChildRef::Dimension(0.into()), org)];
    assert_eq!(d.score.by_parent[0], Some(t1));
    // `ok` at E4 rests on 2 persons < 3: suppressed. T1's pooled share is
    // shown, so one more of E1–E3 is hidden (else E4 = T1 − the others):
    // T1 keeps two shown values, too few for a benchmark. Over the level:
    // two of E1–E3 (33.3…) and E5, E6 (66.6…): mean 50, median 50, and
    // E4's 100 nowhere.
    let oki = fw.indicator_by_name("oki").unwrap();
    let ok = &r.benchmarks[&(ChildRef::Indicator(oki), org)];
    assert_eq!(ok.score.by_parent[0], None);
    let all = ok.score.all.unwrap();
    assert_eq!(all.n, 4);
    assert!((all.mean - 50.0).abs() < 1e-9 && (all.median - 50.0).abs() < 1e-9);
    assert!((all.min - 100.0 / 3.0).abs() < 1e-9);
    assert!(
        (all.max - 200.0 / 3.0).abs() < 1e-9,
        "E4's 100 is not counted: {all:?}"
    );
    // With min_group 5, T1's four enterprises are too few, all six are not.
    let (_, r5) = bench_case(5);
    let b5 = &r5.benchmarks[&(ChildRef::Indicator(xi), org)];
    assert_eq!(b5.score.by_parent[0], None);
    assert_eq!(b5.score.all.map(|s| s.n), Some(6));
}

#[test]
fn rating_colours_and_text_have_enough_contrast() {
    use grille::report::page::contrast;
    let dir = TempDir::new(&[]);
    let out = dir.path().join("r.html");
    run_in(
        dir.path(),
        &VISES,
        &[
            "--format",
            "html",
            "--level",
            "entreprise",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let html = std::fs::read_to_string(&out).unwrap();
    // Marks take their colours from the page's chart style, not from
    // attributes of their own (the bars' fill, their rating's colour,
    // aside).
    let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
    let rule = |sel: &str, prop: &str| -> String {
        let body = &style[style
            .find(&format!("{sel}{{"))
            .unwrap_or_else(|| panic!("{sel}"))..];
        let body = &body[..body.find('}').unwrap()];
        let at = body.find(&format!("{prop}:")).unwrap() + prop.len() + 1;
        body[at..].split([';', '}']).next().unwrap().to_string()
    };
    // Every text drawn in a chart is dark enough to read on white (AA, 4.5:1).
    let ink = rule("svg text", "fill");
    assert!(contrast(&ink, "#ffffff").unwrap() >= 4.5, "text in {ink}");
    let mut texts = 0;
    for part in html.split("<text ").skip(1) {
        assert_eq!(attr(part, "fill"), None, "a text in its own colour");
        texts += 1;
    }
    assert!(texts > 100);
    // Every coloured bar is outlined in a colour that stands out from the
    // page (AA for graphics, 3:1), whatever its fill; its label is written.
    let outline = rule("svg .bar", "stroke");
    assert!(contrast(&outline, "#ffffff").unwrap() >= 3.0);
    let mut bars = 0;
    for part in html.split("<rect class=\"bar\"").skip(1) {
        assert_eq!(
            attr(part, "stroke"),
            None,
            "a bar outlined in its own colour"
        );
        assert!(attr(part, "fill").is_some(), "a bar has its fill");
        bars += 1;
    }
    assert!(bars > 50);
    // Rated bars carry the default palette's colours and their labels.
    assert!(html.contains("fill=\"#d73027\"") || html.contains("fill=\"#4575b4\""));
    assert!(html.contains("· Affirmé"));
    // Step bounds and peers are drawn.
    assert!(html.contains("class=\"step\""));
    assert!(html.contains("class=\"peers\""));
    assert!(html.contains("class=\"reference\""));
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let tag = &tag[..tag.find('>')?];
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[at..at + tag[at..].find('"')?])
}

#[test]
fn the_workbook_has_typed_numbers_percent_formats_and_every_unit() {
    use calamine::{Data, Reader};
    let dir = TempDir::new(&[]);
    let out = dir.path().join("r.xlsx");
    run_in(
        dir.path(),
        &VISES,
        &["--lang", "fr", "--out", out.to_str().unwrap()],
    );
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).expect("an xlsx workbook");
    assert_eq!(
        wb.sheet_names(),
        ["Territoire", "Entreprise", "Diagnostics"]
    );
    let sheet = wb.worksheet_range("Entreprise").expect("the sheet");
    let head: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    // The example data names no enterprise: no name column.
    assert_eq!(head[..2], ["Entreprise", "Territoire"]);
    let ids: Vec<String> = sheet.rows().skip(1).map(|r| r[0].to_string()).collect();
    let expected: Vec<String> = (1..=15).map(|k| format!("E{k:02}")).collect();
    assert_eq!(ids, expected);
    // Scores and values are numbers, not text.
    let col = head
        .iter()
        .position(|h| h == "Dimension économique — note")
        .unwrap();
    let floats = sheet
        .rows()
        .skip(1)
        .filter(|r| matches!(r[col], Data::Float(_)))
        .count();
    assert_eq!(floats, 15);
    // Shares are stored as fractions with a percent format.
    let share = head
        .iter()
        .position(|h| h == "Part des contrats à durée indéterminée")
        .unwrap();
    match sheet.rows().nth(1).unwrap()[share] {
        Data::Float(x) => assert!((0.0..=1.0).contains(&x), "{x}"),
        ref other => panic!("not a number: {other:?}"),
    }
    let styles = zip_entry(&out, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"0.0%\""), "{styles}");
}

fn zip_entry(path: &std::path::Path, name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn printed_at_a4_no_table_is_wider_than_the_page() {
    let Some(browser) = crate::support::external(
        crate::reports::chromium(),
        "Chromium",
        "apt-get install chromium",
    ) else {
        return;
    };
    let dir = TempDir::new(&[]);
    let out = dir.path().join("r");
    run_in(
        dir.path(),
        &VISES,
        &["--format", "html", "--split", out.to_str().unwrap()],
    );
    for page in [
        "entreprise-e01.html",
        "territoire-lille_metropole.html",
        "index.html",
    ] {
        let pdf = dir.path().join(format!("{page}.pdf"));
        let o = std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", out.join(page).display()))
            .output()
            .expect("chromium runs");
        assert!(pdf.exists(), "{}", String::from_utf8_lossy(&o.stderr));
        let sizes = page_sizes(&std::fs::read(&pdf).unwrap());
        assert!(!sizes.is_empty());
        for (w, h) in sizes {
            // A4 is 595 × 842 points.
            assert!(
                (w - 595.0).abs() < 2.0 && (h - 842.0).abs() < 2.0,
                "{page}: {w} × {h}"
            );
        }
        // The print layout, measured by the browser at the width of the
        // A4 text area (210 mm less 2 × 12 mm of margin = 186 mm ≈ 703 CSS
        // px): a copy of the page with its print rules applied on screen
        // and a script writing the widest table's width into the DOM.
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        let probe = html.replace("@media print {", "@media all {").replace(
            "</body>",
            "<script>let w = 0; for (const t of document.querySelectorAll('table')) w = Math.max(w, t.scrollWidth, t.getBoundingClientRect().right); document.body.setAttribute('data-widest', Math.ceil(w));</script></body>",
        );
        let probe_path = dir.path().join(format!("probe-{page}"));
        std::fs::write(&probe_path, probe).unwrap();
        let o = std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--window-size=703,1000",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile2").display()
            ))
            .arg("--dump-dom")
            .arg(format!("file://{}", probe_path.display()))
            .output()
            .expect("chromium runs");
        let dom = String::from_utf8_lossy(&o.stdout);
        let at = dom.find("data-widest=\"").expect("the probe ran") + 13;
        let widest: f64 = dom[at..at + dom[at..].find('"').unwrap()].parse().unwrap();
        assert!(
            widest > 100.0 && widest <= 703.0,
            "{page}: a table is {widest} px wide"
        );
    }
}

/// The `/MediaBox` sizes of a PDF's pages.
fn page_sizes(pdf: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/MediaBox")
        .filter_map(|(at, _)| {
            let rest = &text[at..];
            let open = rest.find('[')?;
            let close = rest.find(']')?;
            let n: Vec<f64> = rest[open + 1..close]
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            (n.len() == 4).then(|| (n[2] - n[0], n[3] - n[1]))
        })
        .collect()
}

/// The VISES report of one enterprise, in French, as a PDF.
fn vises_e01_pdf(dir: &TempDir) -> std::path::PathBuf {
    let out = dir.path().join("pdf");
    run_in(
        dir.path(),
        &VISES,
        &[
            "--lang",
            "fr",
            "--level",
            "entreprise",
            "--format",
            "pdf",
            "--split",
            out.to_str().unwrap(),
        ],
    );
    out.join("entreprise-e01.pdf")
}

#[test]
fn a_pdf_per_enterprise_on_at_most_six_a4_pages() {
    let dir = TempDir::new(&[]);
    let pdf = vises_e01_pdf(&dir);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let sizes = page_sizes(&bytes);
    assert!((2..=6).contains(&sizes.len()), "{} pages", sizes.len());
    for (w, h) in sizes {
        assert!(
            (w - 595.28).abs() < 1.0 && (h - 841.89).abs() < 1.0,
            "{w} × {h}"
        );
    }
    // Its fonts travel with it.
    assert!(String::from_utf8_lossy(&bytes).contains("/FontFile"));
    // The same inputs make the same file.
    let other = TempDir::new(&[]);
    let again = vises_e01_pdf(&other);
    assert_eq!(bytes, std::fs::read(again).unwrap(), "reproducible");
    // The index links to each enterprise's file.
    assert!(pdf.with_file_name("index.pdf").exists());
    assert!(pdf.with_file_name("entreprise-e15.pdf").exists());
}

#[test]
fn the_pdf_renders_with_its_text_selectable() {
    let tools = ["pdftoppm", "pdftotext", "pdfinfo"]
        .iter()
        .all(|t| std::process::Command::new(t).arg("-v").output().is_ok())
        .then_some(());
    if crate::support::external(tools, "poppler-utils", "apt-get install poppler-utils").is_none() {
        return;
    }
    let dir = TempDir::new(&[]);
    let pdf = vises_e01_pdf(&dir);
    let info = std::process::Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("(A4)"), "{info}");
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count");
    assert!((2..=6).contains(&pages), "{pages} pages");
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Entreprise E01"), "the unit's name is text");
    assert!(
        text.contains("Dimension économique"),
        "a dimension's label is text"
    );
    assert!(text.contains("Méthode"));
    let png = dir.path().join("page");
    let o = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "40", "-f", "2", "-l", "2"])
        .arg(&pdf)
        .arg(&png)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shot = files(dir.path())
        .into_iter()
        .find(|f| f.starts_with("page") && f.ends_with(".png"));
    let shot = dir.path().join(shot.expect("a page was drawn"));
    let decoder = png::Decoder::new(std::fs::File::open(shot).unwrap());
    let reader = decoder.read_info().unwrap();
    let (w, h) = (reader.info().width, reader.info().height);
    // A4 at 40 dpi: 331 × 468 pixels.
    assert!(
        (w as i32 - 331).abs() <= 2 && (h as i32 - 468).abs() <= 2,
        "{w} × {h}"
    );
}
