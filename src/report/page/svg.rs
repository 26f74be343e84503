//! Charts as inline SVG: radar, bars (with rating colours, steps and
//! peers), slopes. Each is a figure with a title and a description in
//! words for screen readers.

use super::{Bar, Text, escape};
use std::fmt::Write;

/// A chart coordinate with at most one decimal, written with integer arithmetic
/// (the float formatter is slow at fixed precision, and charts hold many).
#[derive(Clone, Copy)]
struct P(f64);

impl P {
    /// The coordinate's tenths, at 12 significant digits first, as numbers
    /// in words are (a value from an engine can differ from memory's in
    /// its last bits).
    fn tenths(self) -> i64 {
        crate::report::round_shown(self.0 * 10.0) as i64
    }

    /// Appends the coordinate to `s`. Digits are written by hand, without
    /// the formatting machinery: charts hold tens of thousands of
    /// coordinates, and formatting them was a good share of the HTML
    /// report's time.
    fn push(self, s: &mut String) {
        let t = self.tenths();
        if t < 0 {
            s.push('-');
        }
        let t = t.unsigned_abs();
        crate::report::push_digits(s, t / 10);
        // A whole number is written without its `.0`: charts hold many
        // (bar rows, ticks, the radar's centre), and every byte of a report
        // of thousands of units is written and read again.
        if !t.is_multiple_of(10) {
            s.push('.');
            s.push(char::from(b'0' + (t % 10) as u8));
        }
    }
}

impl std::fmt::Display for P {
    /// As [`P::push`] writes it (used where a chart is rare, so the
    /// string of its own costs nothing that matters).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::with_capacity(12);
        self.push(&mut s);
        f.write_str(&s)
    }
}

/// Appends ` name="v"`, `v` a coordinate.
fn attr(s: &mut String, name: &str, v: f64) {
    s.push(' ');
    s.push_str(name);
    s.push_str("=\"");
    P(v).push(s);
    s.push('"');
}

/// A chart's id in its page: its number within the section of the page
/// it is drawn in (a unit's), so that parts of a page can be drawn apart
/// and still give every chart a distinct id.
#[derive(Debug, Clone, Copy)]
pub(super) struct ChartId<'a> {
    pub section: &'a str,
    pub n: usize,
}

impl ChartId<'_> {
    /// Appends the id, as [`Display`](std::fmt::Display) writes it.
    fn push(self, s: &mut String) {
        s.push_str("c-");
        if !self.section.is_empty() {
            s.push_str(self.section);
            s.push('-');
        }
        crate::report::push_digits(s, self.n as u64);
    }
}

impl std::fmt::Display for ChartId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.section {
            "" => write!(f, "c-{}", self.n),
            s => write!(f, "c-{s}-{}", self.n),
        }
    }
}

/// The default colour of a bar, as in [`STYLE`].
const ACCENT: &str = "#14466b";

/// How the charts' marks are drawn, said once for a page rather than on
/// every mark (a report of a thousand units draws some 300,000 of them).
/// The HTML page carries it in its style; a chart drawn alone (into the
/// PDF) carries it in its own `<style>`. Text is dark ink (#1a1a1a, AA on
/// white), the accent #14466b, the grid #8a8a8a. Text is centred on its
/// line unless of class `b` (on the baseline: the axes' numbers and
/// rounds), since most of it is; other classes: `s` small, `w` bold,
/// `c` / `e` anchored at the middle / end. A bar's fill is its rating's
/// colour, so it stays an attribute.
pub(super) const STYLE: &str = "svg text{font-size:12px;fill:#1a1a1a;dominant-baseline:middle}
svg .s{font-size:11px} svg .w{font-weight:600} svg .b{dominant-baseline:auto}
svg .c{text-anchor:middle} svg .e{text-anchor:end}
svg .grid{fill:none;stroke:#8a8a8a;stroke-width:0.8} svg .tick{fill:none;stroke:#8a8a8a;stroke-width:0.6}
svg .reference{fill:none;stroke:#1a1a1a;stroke-width:1.5;stroke-dasharray:5 3}
svg .series{fill:#14466b;fill-opacity:0.25;stroke:#14466b;stroke-width:2}
svg .trend{fill:none;stroke:#14466b;stroke-width:2} svg .dot{fill:#14466b}
svg .bar{stroke:#1a1a1a;stroke-width:0.8} svg .step{fill:none;stroke:#1a1a1a;stroke-width:0.8}
svg .peers{fill:none;stroke:#8a8a8a;stroke-width:3} svg .median{fill:none;stroke:#1a1a1a;stroke-width:2}
";

/// A chart's text alternative: each label with the value shown for it.
fn describe<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (a, v) in pairs {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(a);
        out.push_str(": ");
        out.push_str(v);
    }
    out
}

/// Words packed into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for w in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + w.chars().count() <= width => {
                l.push(' ');
                l.push_str(w);
            }
            _ => lines.push(w.to_string()),
        }
    }
    lines
}

/// Opens a chart: a figure holding an SVG image whose title and
/// description (the values in words) screen readers announce.
fn open_figure(
    s: &mut String,
    n: ChartId<'_>,
    class: &str,
    (w, h): (f64, f64),
    title: &str,
    desc: impl FnOnce(&mut String),
) {
    // No `xmlns`: the HTML parser puts an inline `<svg>` in the SVG
    // namespace itself (a chart drawn alone gets one in `chart_svg`).
    s.push_str("<figure class=\"chart\">\n<svg class=\"");
    s.push_str(class);
    s.push_str("\" viewBox=\"0 0 ");
    push_plain(s, w);
    s.push(' ');
    push_plain(s, h);
    s.push_str("\" width=\"");
    push_plain(s, w);
    s.push_str("\" height=\"");
    push_plain(s, h);
    s.push_str("\" role=\"img\" aria-labelledby=\"");
    n.push(s);
    s.push_str("-t ");
    n.push(s);
    s.push_str("-d\">\n<title id=\"");
    n.push(s);
    s.push_str("-t\">");
    super::push_escaped(s, title);
    s.push_str("</title>\n<desc id=\"");
    n.push(s);
    s.push_str("-d\">");
    // Written by the chart, escaped, straight into the page.
    desc(s);
    s.push_str("</desc>\n");
}

/// Closes a chart opened by [`open_figure`], with its visible caption
/// and what its marks mean.
fn close_figure(s: &mut String, title: &str, legend: Option<&str>) {
    s.push_str("</svg>\n<figcaption>");
    super::push_escaped(s, title);
    if let Some(l) = legend {
        s.push_str("<span class=\"legend\">");
        super::push_escaped(s, l);
        s.push_str("</span>");
    }
    s.push_str("</figcaption>\n</figure>\n");
}

/// Appends `v` as `{v}` writes it (a whole number without decimals), the
/// digits by hand when it is a whole number.
fn push_plain(s: &mut String, v: f64) {
    if v.fract() == 0.0 && (0.0..1e15).contains(&v) && v.is_sign_positive() {
        crate::report::push_digits(s, v as u64);
    } else {
        let _ = write!(s, "{v}");
    }
}

/// A label that fits `max` characters, cut between words, with the full
/// text as its tooltip when cut.
fn label_text(s: &mut String, label: &str, max: usize) {
    let (short, cut) = super::fit(label, max);
    if cut {
        s.push_str("<title>");
        super::push_escaped(s, label);
        s.push_str("</title>");
    }
    super::push_escaped(s, &short);
}

/// A radar chart of scores, 0 at the centre and 100 on the outer ring,
/// with a reference (the peers' medians) as a dashed outline.
pub(super) fn radar(
    s: &mut String,
    n: ChartId<'_>,
    title: &str,
    (axes, values, shown): (&[Text<'_>], &[f64], &[Text<'_>]),
    reference: Option<&(Text<'_>, Vec<f64>)>,
) {
    let (w, h) = (660.0, 380.0);
    let (cx, cy, r) = (w / 2.0, h / 2.0, 135.0);
    let k = axes.len().max(3) as f64;
    let at = |i: usize, v: f64| {
        let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / k;
        (cx + r * v / 100.0 * a.cos(), cy + r * v / 100.0 * a.sin())
    };
    let desc = describe(
        axes.iter()
            .map(AsRef::<str>::as_ref)
            .zip(shown.iter().map(AsRef::<str>::as_ref)),
    );
    open_figure(s, n, "radar", (w, h), title, |s| {
        super::push_escaped(s, &desc)
    });
    // Points of a polygon: "x,y x,y …".
    let points = |s: &mut String, class: &str, pts: &mut dyn Iterator<Item = (f64, f64)>| {
        s.push_str("<polygon class=\"");
        s.push_str(class);
        s.push_str("\" points=\"");
        for (k, (x, y)) in pts.enumerate() {
            if k > 0 {
                s.push(' ');
            }
            P(x).push(s);
            s.push(',');
            P(y).push(s);
        }
        s.push_str("\"/>\n");
    };
    for ring in [25.0, 50.0, 75.0, 100.0] {
        points(s, "grid", &mut (0..axes.len()).map(|i| at(i, ring)));
    }
    for (i, a) in axes.iter().enumerate() {
        let (x, y) = at(i, 100.0);
        s.push_str("<line class=\"grid\"");
        attr(s, "x1", cx);
        attr(s, "y1", cy);
        attr(s, "x2", x);
        attr(s, "y2", y);
        s.push_str("/>\n");
        let (lx, ly) = at(i, 118.0);
        let anchor = if (lx - cx).abs() < 5.0 {
            " class=\"c\""
        } else if lx > cx {
            ""
        } else {
            " class=\"e\""
        };
        // Long labels go on several lines, the value on the last.
        let mut lines = wrap(a, 22);
        if let Some(last) = lines.last_mut() {
            last.push_str(" (");
            last.push_str(&shown[i]);
            last.push(')');
        }
        s.push_str("<text");
        s.push_str(anchor);
        attr(s, "x", lx);
        attr(s, "y", ly - 7.0 * (lines.len() as f64 - 1.0));
        s.push('>');
        for (k, l) in lines.iter().enumerate() {
            s.push_str("<tspan");
            attr(s, "x", lx);
            s.push_str(if k == 0 { " dy=\"0\">" } else { " dy=\"14\">" });
            super::push_escaped(s, l);
            s.push_str("</tspan>");
        }
        s.push_str("</text>\n");
    }
    let on_scale = |v: f64| if v.is_nan() { 0.0 } else { v.clamp(0.0, 100.0) };
    if let Some((_, r)) = reference {
        let pts = &mut r.iter().enumerate().map(|(i, &v)| at(i, on_scale(v)));
        points(s, "reference", pts);
    }
    let pts = &mut values.iter().enumerate().map(|(i, &v)| at(i, on_scale(v)));
    points(s, "series", pts);
    for (i, v) in values.iter().enumerate() {
        if !v.is_nan() {
            let (x, y) = at(i, v.clamp(0.0, 100.0));
            s.push_str("<circle class=\"dot\"");
            attr(s, "cx", x);
            attr(s, "cy", y);
            s.push_str(" r=\"3.5\"/>\n");
        }
    }
    close_figure(s, title, reference.map(|r| &*r.0));
}

/// Horizontal bars on a 0..100 scale, one per item.
/// A horizontal bar chart; bars may come in named groups, each under a
/// line with its name.
pub(super) fn bar_chart(
    s: &mut String,
    n: ChartId<'_>,
    (title, legend): (&str, Option<&str>),
    groups: &[(Option<&str>, &[Bar])],
) {
    // Nothing is allocated per chart: a report of every unit draws
    // hundreds of thousands, and their lists and strings were a tenth of
    // the allocations of an HTML report.
    let bars = || groups.iter().flat_map(|(_, b)| b.iter());
    let heads = groups.iter().filter(|(g, _)| g.is_some()).count();
    // Room for the longest label (about 7 px a character) and, after a
    // full bar, for the longest value shown.
    let longest = bars()
        .map(|b| super::fit(&b.label, LABEL).0.chars().count())
        .max()
        .unwrap_or(0);
    let label_w = (longest as f64 * 7.0 + 16.0).clamp(60.0, 320.0);
    let value_w = bars()
        .map(|b| super::fit(&b.shown, SHOWN).0.chars().count())
        .max()
        .unwrap_or(0) as f64
        * 7.0
        + 16.0;
    let bar_w = 300.0;
    let row = 24.0;
    let top = 8.0;
    let rows = (bars().count() + heads) as f64;
    let w = label_w + bar_w + value_w;
    let h = top + row * rows + 24.0;
    let desc = |s: &mut String| {
        let mut first = true;
        for (g, bars) in groups {
            for b in bars.iter() {
                if !first {
                    s.push_str("; ");
                }
                first = false;
                if let Some(g) = g {
                    super::push_escaped(s, g);
                    s.push_str(" — ");
                }
                super::push_escaped(s, &b.label);
                s.push_str(": ");
                super::push_escaped(s, &b.shown);
            }
        }
    };
    open_figure(s, n, "bars", (w, h), title, desc);
    // The ticks' lines in one path, then their numbers.
    let ticks = [0u8, 25, 50, 75, 100].map(|t| (t, label_w + bar_w * f64::from(t) / 100.0));
    let y2 = top + row * rows;
    s.push_str("<path class=\"tick\" d=\"");
    for (_, x) in ticks {
        s.push('M');
        P(x).push(s);
        s.push(' ');
        push_plain(s, top);
        s.push('V');
        P(y2).push(s);
    }
    s.push_str("\"/>\n");
    for (tick, x) in ticks {
        s.push_str("<text class=\"s c b\"");
        attr(s, "x", x);
        attr(s, "y", y2 + 14.0);
        s.push('>');
        crate::report::push_digits(s, u64::from(tick));
        s.push_str("</text>\n");
    }
    for (r, y) in placed(groups, top, row) {
        match r {
            Row::Group(g) => {
                let _ = writeln!(
                    s,
                    "<text class=\"w\" x=\"4\" y=\"{}\">{}</text>",
                    P(y + row / 2.0),
                    escape(&super::fit(g, 60).0)
                );
            }
            Row::Bar(b) => bar_row(s, b, y, (label_w, bar_w, row)),
        }
    }
    let x_of = |v: f64| label_w + bar_w * v.clamp(0.0, 100.0) / 100.0;
    for kind in [Mark::Step, Mark::Peers, Mark::Median] {
        let bars = placed(groups, top, row).filter_map(|(r, y)| match r {
            Row::Bar(b) => Some((b, y)),
            Row::Group(_) => None,
        });
        draw_marks(s, kind, bars, x_of, row);
    }
    close_figure(s, title, legend);
}

/// The marks drawn over a chart's bars.
#[derive(Clone, Copy)]
enum Mark {
    /// The bounds between rating steps, above each bar.
    Step,
    /// The peers' range, under each bar.
    Peers,
    /// The peers' median, across the range.
    Median,
}

/// A row of a bar chart: a group's name or a bar.
enum Row<'b> {
    Group(&'b str),
    Bar(&'b Bar<'b>),
}

/// The rows of a chart, each with its top: a group's name on a row of
/// its own, then its bars.
fn placed<'b>(
    groups: &'b [(Option<&'b str>, &'b [Bar<'b>])],
    top: f64,
    row: f64,
) -> impl Iterator<Item = (Row<'b>, f64)> {
    (groups.iter())
        .flat_map(|(g, bars)| (g.map(Row::Group).into_iter()).chain(bars.iter().map(Row::Bar)))
        .enumerate()
        .map(move |(i, r)| (r, top + row * i as f64))
}

/// One kind of mark for every bar, as a single path drawn after the bars:
/// a path per mark was a seventh of every chart.
fn draw_marks<'b>(
    s: &mut String,
    kind: Mark,
    bars: impl Iterator<Item = (&'b Bar<'b>, f64)>,
    x_of: impl Fn(f64) -> f64,
    row: f64,
) {
    let mut open = false;
    let mut start = |s: &mut String| {
        if !open {
            s.push_str(match kind {
                Mark::Step => "<path class=\"step\" d=\"",
                Mark::Peers => "<path class=\"peers\" d=\"",
                Mark::Median => "<path class=\"median\" d=\"",
            });
            open = true;
        }
    };
    // A segment from (x, y) along one axis: `H` to x2 or `V` to y2.
    let segment = |s: &mut String, (x, y): (f64, f64), axis: char, to: f64| {
        s.push('M');
        P(x).push(s);
        s.push(' ');
        P(y).push(s);
        s.push(axis);
        P(to).push(s);
    };
    for (b, y) in bars {
        match (kind, b.peers) {
            (Mark::Step, _) => {
                for &t in b.steps.iter() {
                    start(s);
                    segment(s, (x_of(t), y + 1.0), 'V', y + 4.0);
                }
            }
            (Mark::Peers, Some((lo, _, hi))) => {
                start(s);
                segment(s, (x_of(lo), y + row - 2.0), 'H', x_of(hi));
            }
            (Mark::Median, Some((_, mid, _))) => {
                start(s);
                segment(s, (x_of(mid), y + row - 6.0), 'V', y + row + 1.0);
            }
            _ => {}
        }
    }
    if open {
        s.push_str("\"/>\n");
    }
}

/// Scores across rounds: one column per round, one line per item, each
/// point labelled with its score; an item without a score in a round
/// has no point there.
pub(super) fn slope_chart(
    s: &mut String,
    n: ChartId<'_>,
    title: &str,
    rounds: &[Text<'_>],
    lines: &[(Text<'_>, Vec<f64>, Vec<Text<'_>>)],
) {
    let (left, top, plot_h, step) = (40.0, 16.0, 200.0, 150.0);
    let label_w = lines
        .iter()
        .map(|l| l.0.chars().count().min(40))
        .max()
        .unwrap_or(0) as f64
        * 7.0
        + 60.0;
    let w = left + step * (rounds.len().max(2) - 1) as f64 + label_w;
    let h = top + plot_h + 40.0;
    let desc: Vec<String> = lines
        .iter()
        .map(|(l, _, shown)| {
            let per: Vec<String> = rounds
                .iter()
                .zip(shown)
                .map(|(r, v)| format!("{r} {v}"))
                .collect();
            format!("{l}: {}", per.join(", "))
        })
        .collect();
    open_figure(s, n, "slopes", (w, h), title, |s| {
        super::push_escaped(s, &desc.join("; "))
    });
    let y_of = |v: f64| top + plot_h * (1.0 - v.clamp(0.0, 100.0) / 100.0);
    for tick in [0.0, 50.0, 100.0] {
        let y = P(y_of(tick));
        let _ = writeln!(
            s,
            "<path class=\"tick\" d=\"M{left} {y}H{}\"/><text class=\"s e\" x=\"{}\" y=\"{y}\">{tick}</text>",
            P(left + step * (rounds.len().max(2) - 1) as f64),
            P(left - 6.0)
        );
    }
    for (k, r) in rounds.iter().enumerate() {
        let x = P(left + step * k as f64);
        let _ = writeln!(
            s,
            "<text class=\"c b\" x=\"{x}\" y=\"{}\">{}</text>",
            P(top + plot_h + 24.0),
            escape(r)
        );
    }
    for (label, scores, _) in lines {
        let points: Vec<(f64, f64)> = scores
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_nan())
            .map(|(k, v)| (left + step * k as f64, y_of(*v)))
            .collect();
        if points.len() >= 2 {
            let path: Vec<String> = points
                .iter()
                .map(|(x, y)| format!("{},{}", P(*x), P(*y)))
                .collect();
            let _ = writeln!(
                s,
                "<polyline class=\"trend\" points=\"{}\"/>",
                path.join(" ")
            );
        }
        for (x, y) in &points {
            let _ = writeln!(
                s,
                "<circle class=\"dot\" cx=\"{}\" cy=\"{}\" r=\"3.5\"/>",
                P(*x),
                P(*y)
            );
        }
        if let Some((x, y)) = points.last() {
            let _ = write!(s, "<text x=\"{}\" y=\"{}\">", P(x + 8.0), P(*y),);
            label_text(s, label, 40);
            s.push_str("</text>\n");
        }
    }
    close_figure(s, title, None);
}

/// The longest bar label, in characters.
const LABEL: usize = 44;

/// One bar and its labels at height `y`: the bar in its rating's colour
/// (outlined, so a pale colour still stands out from the page), marks at
/// the rating's step bounds, and the peers' range with their median.
fn bar_row(s: &mut String, b: &Bar, y: f64, (label_w, bar_w, row): (f64, f64, f64)) {
    // Written piece by piece: a report of every unit draws millions of
    // these, and `write!` spent more on its machinery than on the text.
    s.push_str("<text class=\"e\"");
    attr(s, "x", label_w - 8.0);
    attr(s, "y", y + row / 2.0);
    s.push('>');
    label_text(s, &b.label, LABEL);
    s.push_str("</text>\n");
    let x_of = |v: f64| label_w + bar_w * v.clamp(0.0, 100.0) / 100.0;
    let len = if b.score.is_nan() {
        0.0
    } else {
        x_of(b.score) - label_w
    };
    s.push_str("<rect class=\"bar\"");
    attr(s, "x", label_w);
    attr(s, "y", y + 4.0);
    attr(s, "width", len);
    attr(s, "height", row - 8.0);
    s.push_str(" fill=\"");
    match &b.color {
        Some(c) => super::push_escaped(s, c),
        None => s.push_str(ACCENT),
    }
    s.push_str("\"/>\n");
    let end = b.peers.map_or(len, |p| len.max(x_of(p.2) - label_w));
    s.push_str("<text");
    attr(s, "x", label_w + end + 6.0);
    attr(s, "y", y + row / 2.0);
    s.push('>');
    // A status said in a sentence stays readable beside the chart.
    label_text(s, &b.shown, SHOWN);
    s.push_str("</text>\n");
}

/// The longest text written after a bar, in characters.
const SHOWN: usize = 32;

#[cfg(test)]
mod tests {
    use super::P;

    /// The hand-written coordinate has one decimal, none when it is
    /// zero, at every sign and size, pushed or displayed.
    #[test]
    fn coordinates_are_written_with_one_decimal() {
        for x in [
            0.0, -0.04, 0.05, -1.25, 3.0, 99.95, 1234.56, -1e6, 7.5e12, 316.04,
        ] {
            let t = (x * 10.0_f64).round() as i64;
            let sign = if t < 0 { "-" } else { "" };
            let (int, tenth) = (t.unsigned_abs() / 10, t.unsigned_abs() % 10);
            let want = match tenth {
                0 => format!("{sign}{int}"),
                _ => format!("{sign}{int}.{tenth}"),
            };
            assert_eq!(P(x).to_string(), want, "{x}");
            let mut pushed = String::new();
            P(x).push(&mut pushed);
            assert_eq!(pushed, want, "{x}");
        }
        assert_eq!(P(-1.25).to_string(), "-1.3");
        assert_eq!(P(316.0).to_string(), "316");
        assert_eq!(P(316.04).to_string(), "316");
        assert_eq!(P(-0.04).to_string(), "0");
    }

    /// A chart drawn alone (for the PDF) names the SVG namespace and carries
    /// the marks' style inside its image, and its marks name classes that
    /// style defines.
    #[test]
    fn a_chart_drawn_alone_carries_its_style() {
        use super::super::{Bar, Block, html::chart_svg};
        let mut marked = Bar::plain("b", 60.0, "60");
        marked.steps = vec![25.0, 50.0].into();
        marked.peers = Some((10.0, 50.0, 90.0));
        let block = Block::Bars {
            title: "t".into(),
            bars: vec![Bar::plain("a", 40.0, "40"), marked],
            legend: None,
        };
        let (svg, caption) = chart_svg(&block).unwrap();
        assert_eq!(caption, "t");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" "));
        assert!(svg.ends_with("</svg>"));
        let style = &svg[svg.find("<style>").unwrap()..svg.find("</style>").unwrap()];
        assert!(style.contains("svg text{font-size:12px;fill:#1a1a1a;dominant-baseline:middle}"));
        // Every class the chart's marks use has its rule (the image's own
        // class, `bars`, is only a name for the page).
        let mut used = 0;
        let marks = &svg[svg.find('>').unwrap()..];
        for attr in marks.split("class=\"").skip(1) {
            for class in attr[..attr.find('"').unwrap()].split(' ') {
                assert!(style.contains(&format!("svg .{class}{{")), "{class}");
                used += 1;
            }
        }
        assert!(used >= 8, "{svg}");
        assert!(svg.contains("<rect class=\"bar\""));
        // The marks of both bars: one path per kind, the two step bounds
        // in the first.
        assert_eq!(svg.matches("<path class=\"step\"").count(), 1);
        assert_eq!(svg.matches("<path class=\"peers\"").count(), 1);
        assert_eq!(svg.matches("<path class=\"median\"").count(), 1);
        assert!(!svg.contains("font-size=\""), "no mark sizes its own text");
    }
}
