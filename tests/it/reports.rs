//! Human reports: Markdown snapshots, and the HTML report rendered by a
//! real headless Chromium (charts drawn, nothing logged, pixels painted).

use crate::support::{TempDir, grille, root};
use std::process::Command;

pub const QUICKSTART: [&str; 6] = [
    "eval",
    "examples/quickstart/framework.grille",
    "--data",
    "entreprise=examples/quickstart/entreprise.csv",
    "--data",
    "personne=examples/quickstart/personne.csv",
];

pub const VISES: [&str; 6] = [
    "eval",
    "frameworks/vises.grille",
    "--data",
    "entreprise=examples/vises/entreprises.csv",
    "--data",
    "personne=examples/vises/personnes.csv",
];

fn with(base: &[&str], extra: &[&str]) -> Vec<String> {
    base.iter().chain(extra).map(|s| s.to_string()).collect()
}

fn run(args: Vec<String>) -> String {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    crate::support::grille_ok(&a)
}

#[test]
fn markdown_reports() {
    insta::assert_snapshot!(
        "report_quickstart_fr",
        run(with(&QUICKSTART, &["--format", "md"]))
    );
    insta::assert_snapshot!(
        "report_quickstart_en",
        run(with(&QUICKSTART, &["--format", "md", "--lang", "en"]))
    );
    // One VISES territory: it compares its enterprises.
    let md = run(with(
        &VISES,
        &["--format", "md", "--level", "territoire", "--lang", "nl"],
    ));
    insta::assert_snapshot!("report_vises_territories_nl", md);
    let md = run(with(&VISES, &["--format", "md", "--level", "entreprise"]));
    // Values formatted by unit, statuses in words, evidence quoted.
    assert!(md.contains("13,7 ETP"), "ETP in French");
    assert!(md.contains("86 %"));
    assert!(md.contains("ne s'applique pas ici"));
    assert!(md.contains("> « "));
}

#[test]
fn html_report_snapshot() {
    insta::assert_snapshot!(
        "report_quickstart_html",
        run(with(&QUICKSTART, &["--format", "html", "--lang", "en"]))
    );
}

#[test]
fn html_report_is_self_contained() {
    let html = run(with(&VISES, &["--format", "html"]));
    assert!(html.starts_with("<!doctype html>"));
    for banned in ["<script", "<link", " src=", "https://", "@import", "url("] {
        assert!(!html.contains(banned), "the page must not load `{banned}`");
    }
    // The only address is the SVG namespace, which is never fetched.
    assert_eq!(
        html.matches("http://").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
    let svgs = html.matches("<svg").count();
    assert_eq!(
        svgs,
        html.matches("role=\"img\"").count(),
        "every chart is an image with a title"
    );
    assert_eq!(
        svgs,
        html.matches("<desc").count(),
        "every chart has a text alternative"
    );
    assert!(html.contains("class=\"radar\""));
    assert!(html.contains("@media print"));
}

/// Chromium from Debian, installed by `.ci/run`.
pub fn chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(str::to_string)
}

#[test]
fn html_report_renders_in_chromium() {
    let Some(browser) =
        crate::support::external(chromium(), "Chromium", "apt-get install chromium")
    else {
        return;
    };
    let dir = TempDir::new(&[]);
    let report = dir.path().join("report.html");
    let o = grille(
        &root(),
        &with(
            &VISES,
            &[
                "--format",
                "html",
                "--level",
                "territoire",
                "--out",
                report.to_str().unwrap(),
            ],
        )
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    assert_eq!(o.status.code(), Some(0));
    renders_in_chromium(&browser, &report, 10, &["class=\"radar\"", "class=\"bar\""]);
}

/// Opens a report in headless Chromium: nothing logged on the console,
/// at least `svgs` charts in the DOM with the given markers, and a painted
/// screenshot with the charts' colour.
pub fn renders_in_chromium(browser: &str, report: &std::path::Path, svgs: usize, markers: &[&str]) {
    let dir = TempDir::new(&[]);
    let shot = dir.path().join("shot.png");
    let url = format!("file://{}", report.display());
    let base = |profile: &str| {
        let mut c = Command::new(browser);
        c.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join(profile).display()
        ));
        c
    };
    let out = base("p1")
        .args(["--window-size=1200,2400"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    let log = String::from_utf8_lossy(&out.stderr);
    // The page has no script: any console message means something failed
    // (a blocked resource, a parse problem).
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    // The DOM as Chromium parsed it holds the charts.
    let dom = base("p2")
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.matches("<svg").count() >= svgs,
        "charts in the rendered DOM"
    );
    for m in markers {
        assert!(dom.contains(m), "{m} in the rendered DOM");
    }
    // The screenshot is painted, with the charts' colour present.
    let decoder = png::Decoder::new(std::fs::File::open(&shot).expect("a screenshot was written"));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let px = info.color_type.samples();
    let (mut painted, mut accent) = (0usize, 0usize);
    for p in buf[..info.buffer_size()].chunks(px) {
        let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
        if r < 240 || g < 240 || b < 240 {
            painted += 1;
        }
        // The bars and the radar outline: #14466b.
        if (r - 0x14).abs() < 12 && (g - 0x46).abs() < 12 && (b - 0x6b).abs() < 12 {
            accent += 1;
        }
    }
    let total = (info.width * info.height) as usize;
    assert!(
        painted * 50 > total,
        "only {painted} of {total} pixels painted"
    );
    assert!(accent > 2_000, "only {accent} pixels in the charts' colour");
}
