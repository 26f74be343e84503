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

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
    let result = write_then_rename(&tmp, &target, bytes);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_then_rename(tmp: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(tmp)?;
    f.write_all(bytes)?;
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
