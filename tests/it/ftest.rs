//! `grille test`: the shipped framework tests pass, and a wrong expectation,
//! an unknown key and a malformed file fail readably.

use crate::support::{TempDir, grille, root};

fn out(o: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn shipped_frameworks_pass_their_tests() {
    let o = grille(&root(), &["test", "frameworks/"]);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{stderr}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    // Every framework in frameworks/ has a test file.
    for e in std::fs::read_dir(root().join("frameworks")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "grille") {
            let t = p.with_extension("test.toml");
            assert!(t.exists(), "{} has no test file", p.display());
        }
    }
}

const CASE: &str = r#"framework = "f.grille"

[[case]]
name = "two people"
[case.data]
org = """
org,x
A,5
"""
person = """
person,org,ok
p1,A,oui
p2,A,non
"""
[case.expect]
"org.A.i.value" = 5
"org.A.share_ok.value" = 0.75
"org.B.i.value" = 1
"org.A.nothing.score" = 1
"org.A.i.bogus" = 1
"org.A.d.score" = 50.0
"#;

const FW: &str = r#"framework t { title "T" }
level org { label "Org" }
level person { within org label "Person" }
questions at org { x: number }
questions at person { ok: yesno }
indicator i { at org value x normalize goalposts 0..10 }
indicator share_ok { at org value share(ok) unit "%" }
dimension d { use i use share_ok }
"#;

#[test]
fn wrong_expectations_fail_readably() {
    let dir = TempDir::new(&[("f.grille", FW), ("f.test.toml", CASE)]);
    let o = grille(dir.path(), &["test", "f.test.toml"]);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}\n{stderr}");
    insta::assert_snapshot!("ftest_failures", stdout);
}

#[test]
fn malformed_test_files_point_at_the_problem() {
    let dir = TempDir::new(&[
        ("f.grille", FW),
        (
            "a.test.toml",
            "framework = \"f.grille\"\n[[case]]\nname = \"x\"\n[case.expect]\n\"org.A.i\" = 5\n",
        ),
        ("b.test.toml", "framework = \"f.grille\"\n[[case]\n"),
    ]);
    let o = grille(dir.path(), &["test", "a.test.toml"]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!("ftest_bad_key", out(&o).1);
    let o = grille(dir.path(), &["test", "b.test.toml"]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!("ftest_bad_toml", out(&o).1);
    let o = grille(dir.path(), &["test", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_framework_with_errors_fails_its_tests() {
    let dir = TempDir::new(&[
        (
            "f.grille",
            "framework t { title \"T\" }\nindicator i { at nowhere value 1 }\n",
        ),
        ("f.test.toml", CASE),
    ]);
    let o = grille(dir.path(), &["test", "."]);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr.contains("grille::check::unknown_level"), "{stderr}");
    assert!(stdout.ends_with("0 passed, 6 failed\n"), "{stdout}");
}

#[test]
fn data_problems_point_into_the_test_file() {
    let bad = CASE.replace("p2,A,non", "p2,A,peut-être");
    let dir = TempDir::new(&[("f.grille", FW), ("f.test.toml", &bad)]);
    let o = grille(dir.path(), &["test", "f.test.toml"]);
    let (_, stderr) = out(&o);
    insta::assert_snapshot!("ftest_data_diagnostic", stderr);
}

/// An expectation about a hidden value or a hidden cell fails by saying
/// it is hidden, never by printing the number it hides; cell keys reach
/// each cell, `_` the missing one.
#[test]
fn expectations_about_hidden_values_give_no_number() {
    let fw = r#"framework f {
  title "F"
  languages en
  min_group 3
}
level org { label "Org" }
level person { within org  label "Person" }
questions at person { ok: yesno  sex: choice { f "Woman", m "Man" } }
indicator share_ok { at org  value share(ok)  unit "%"  by sex }
"#;
    let case = r#"framework = "f.grille"
[[case]]
name = "a small organisation"
[case.data]
org = """
org
A
B
"""
person = """
person,org,ok,sex
p1,A,oui,f
p2,A,non,f
p3,A,oui,m
p4,A,oui,m
p5,B,oui,f
p6,B,oui,
"""
[case.expect]
"org.B.share_ok.value" = 0.5
"org.A.share_ok.by.sex.f.value" = 0.5
"org.A.share_ok.by.sex.m.n" = 2
"org.B.share_ok.by.sex._.n" = 1
"org.A.share_ok.by.age.f.n" = 2
"#;
    let dir = TempDir::new(&[("f.grille", fw), ("f.test.toml", case)]);
    let o = grille(dir.path(), &["test", "f.test.toml"]);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}\n{stderr}");
    // B: two people (both ok, 100 %) is hidden: the failure says so.
    assert!(
        stdout.contains("is suppressed (primary), so it has no `value`"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("1.0") && !stdout.contains("100"),
        "{stdout}"
    );
    // A's cells (two women, two men) are hidden too; their n is shown.
    assert!(
        stdout.contains("this cell is suppressed (primary), so it has no `value`"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("ok") && l.contains("by.sex.m.n")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("ok") && l.contains("by.sex._.n")),
        "{stdout}"
    );
    assert!(
        stdout.contains("has no breakdown `age` here (breakdowns: sex)"),
        "{stdout}"
    );
}
