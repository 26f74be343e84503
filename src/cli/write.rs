//! Writing output files safely: through a temporary file renamed over the
//! target, so a reader never sees half a file and a failed run leaves the
//! old file as it was.
//!
//! In: a path and the bytes. Out: the file, or the I/O error. The target
//! keeps its permissions (a result made private with `chmod 600` stays
//! private); a symbolic link is written through (its target is replaced,
//! the link stays a link); the temporary file is removed when anything
//! fails. It is named `.NAME.grille-tmp` beside the target: a run killed
//! half-way leaves at most that one file, which the next run overwrites.

use std::io::Write;
use std::path::{Path, PathBuf};

/// What the extension of an `--out` file asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ext {
    Json,
    Csv,
    Md,
    Html,
    Pdf,
    Xlsx,
    Txt,
}

/// The kind of file `--out` names by its extension (`None` without
/// `--out` or an extension); an extension no format writes is an error.
pub fn out_ext(out: Option<&Path>) -> Result<Option<Ext>, String> {
    let Some(ext) = out.and_then(|p| p.extension()) else {
        return Ok(None);
    };
    match ext.to_string_lossy().to_ascii_lowercase().as_str() {
        "json" => Ok(Some(Ext::Json)),
        "csv" => Ok(Some(Ext::Csv)),
        "md" | "markdown" => Ok(Some(Ext::Md)),
        "html" | "htm" => Ok(Some(Ext::Html)),
        "pdf" => Ok(Some(Ext::Pdf)),
        "xlsx" => Ok(Some(Ext::Xlsx)),
        "txt" => Ok(Some(Ext::Txt)),
        other => Err(format!(
            "no format writes `.{other}` files; use `.json`, `.csv`, `.md`, `.html`, `.pdf` or `.xlsx`, or say `--format`"
        )),
    }
}

/// Prints `text`, or writes it to `out` atomically; the exit code.
pub fn emit(out: Option<&Path>, text: &str) -> i32 {
    emit_bytes(out, text.as_bytes())
}

/// Writes `bytes` to standard output, or to `out` atomically; the exit code.
pub fn emit_bytes(out: Option<&Path>, bytes: &[u8]) -> i32 {
    emit_with(out, |w| w.write_all(bytes))
}

/// Lets `write` stream its output to standard output, or to `out`
/// atomically (a temporary file renamed when complete), through a
/// buffer: a large result is never held whole in memory. The exit code.
pub fn emit_with(
    out: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> i32 {
    let Some(p) = out else {
        let mut o = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        return match write(&mut o).and_then(|()| o.flush()) {
            Ok(()) => super::OK,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => super::OK,
            Err(e) => {
                eprintln!("error: cannot write the output: {e}");
                super::USAGE
            }
        };
    };
    match write_atomic_with(p, write) {
        Ok(()) => super::OK,
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", p.display());
            super::USAGE
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Writes what `write` produces to `path` atomically: into a temporary
/// file beside it, removed if anything fails, renamed over the target
/// (whose permissions it keeps) once complete.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let target = through_links(path);
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.grille-tmp"));
    let result = write_then_rename(&tmp, &target, write);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_then_rename(
    tmp: &Path,
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(tmp)?);
    write(&mut f)?;
    let f = f
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    f.sync_all()?;
    drop(f);
    if let Ok(meta) = std::fs::metadata(target) {
        std::fs::set_permissions(tmp, meta.permissions())?;
    }
    std::fs::rename(tmp, target)
}

/// The file a path finally names, following symbolic links (a dangling or
/// unreadable link is written as the path itself).
fn through_links(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&p) {
            Ok(next) => {
                p = if next.is_absolute() {
                    next
                } else {
                    p.parent().unwrap_or(Path::new(".")).join(next)
                };
            }
            Err(_) => break,
        }
    }
    p
}
