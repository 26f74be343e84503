//! The commands shown in the README and the tutorial run, and print what
//! the documents show.

use crate::support::{grille, root};

/// `(command, expected output)` pairs of the ```console blocks of a document.
fn console_blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        if line.starts_with("```") {
            if in_block && let Some((c, o)) = current.take() {
                out.push((c, o.join("\n")));
            }
            in_block = line == "```console";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            if let Some((c, o)) = current.take() {
                out.push((c, o.join("\n")));
            }
            current = Some((cmd.to_string(), Vec::new()));
        } else if let Some((_, o)) = current.as_mut() {
            o.push(line.to_string());
        }
    }
    out
}

fn normalise(s: &str) -> String {
    s.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

#[test]
fn tutorial_commands_print_what_the_tutorial_shows() {
    let text = std::fs::read_to_string(root().join("docs/tutorial.md")).expect("tutorial");
    let blocks = console_blocks(&text);
    assert!(blocks.len() >= 6, "the tutorial shows its commands");
    let readme =
        console_blocks(&std::fs::read_to_string(root().join("README.md")).expect("README"));
    assert!(readme.len() >= 2, "the README shows its commands");
    for (cmd, expected) in blocks.into_iter().chain(readme) {
        let args: Vec<&str> = cmd.split_whitespace().collect();
        assert_eq!(args[0], "grille", "tutorial commands call grille: {cmd}");
        let out = grille(&root(), &args[1..]);
        let got = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            normalise(&got),
            normalise(&expected),
            "`{cmd}` prints something else than the tutorial shows"
        );
    }
}

#[test]
fn readme_main_command_runs() {
    let text = std::fs::read_to_string(root().join("README.md")).expect("README");
    let line = text
        .lines()
        .find(|l| l.starts_with("cargo run --release -- "))
        .expect("the README shows how to run grille");
    let args: Vec<&str> = line["cargo run --release -- ".len()..]
        .split_whitespace()
        .collect();
    let out = grille(&root(), &args);
    assert!(
        out.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON result");
    crate::support::validate_result(&v);
    assert!(
        v["results"]["territoire"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
    );
    assert!(
        text.contains("\ncargo test\n"),
        "the README gives the test command"
    );
}
