//! The `grille` command: parses arguments, runs a subcommand, maps the
//! outcome to an exit code. All work is done by the library.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
