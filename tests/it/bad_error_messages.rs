//! Messages known to be poor, kept as they are today so that improving
//! one shows as a snapshot change here (and the case moves to the
//! diagnostics fixtures). Each test says what is wrong with its message.

use grille::workspace::Workspace;

/// The rendering and codes of a framework text.
fn render(text: &str) -> (String, Vec<&'static str>) {
    let mut ws = Workspace::new();
    let diags = match ws.check_text("poor.grille", text) {
        Ok(c) => c.warnings.clone(),
        Err(grille::check::Failure::Invalid(d)) => d,
        Err(grille::check::Failure::Io { .. }) => panic!("no file is read"),
    };
    let out = diags
        .iter()
        .map(|d| d.render(&ws.sources, 100, false))
        .collect::<Vec<_>>()
        .join("\n");
    (out, diags.iter().map(|d| d.code).collect())
}

const HEAD: &str =
    "framework t { title \"T\" }\nlevel org { label \"O\" }\nquestions at org { x: number }\n";

/// Poor: an operator with nothing after it says "expected an expression"
/// at the brace; it could say that `+` needs a second operand.
#[test]
fn operator_without_right_operand() {
    let (text, codes) = render(&format!("{HEAD}indicator i {{ at org value x + }}\n"));
    assert_eq!(codes, ["grille::syntax::unexpected"]);
    insta::assert_snapshot!(text);
}

/// Poor: one mistake (an aggregate where there is nothing finer) gives
/// two errors; the type error on its argument is a cascade.
#[test]
fn aggregate_at_its_own_level_cascades() {
    let (text, codes) = render(&format!("{HEAD}indicator i {{ at org value share(x) }}\n"));
    assert_eq!(
        codes,
        [
            "grille::check::aggregate_level",
            "grille::check::type_mismatch"
        ]
    );
    insta::assert_snapshot!(text);
}
