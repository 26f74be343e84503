//! The records of a table's CSV text, read with one state machine per table.
//!
//! In: the table's text (already valid UTF-8) and its delimiter. Out: its
//! records one after the other, each with where it starts in the text and
//! its fields as text.
//!
//! The `csv` crate's reader builds its state machine (a table of 256
//! entries per state) every time a reader is made, and a table used to be
//! read with many: the header, each piece read on its own core, the walk
//! that finds where pieces start, one per rejected row taken back out of
//! the counts. Here one machine reads the header, walks, reads the last
//! piece and takes rejected rows back, restarted for each ([`Records::
//! restart`]); the other pieces' threads take one from a few kept from
//! earlier readers ([`SPARE`]), built only when none is free. (A built
//! `csv_core::Reader` cannot be cloned instead: csv-core 0.1.13 copies only
//! part of its machine when cloned, and the copy misreads — see the test
//! below.) Fields are taken as text only when asked for, so columns that no
//! question reads are not checked for UTF-8 again.

/// A table's CSV dialect: its delimiter; quotes doubled inside quoted
/// fields; records ended by `\n`, `\r\n` or a lone `\r` (the `csv`
/// crate's defaults).
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    pub delimiter: u8,
}

use std::sync::Mutex;

/// Machines of readers that are done, by delimiter, for the next readers
/// to restart rather than build: building one costs more than reading a
/// small table (it was a third of each run of the `csv_table` fuzz
/// target), and every table of a workspace, every piece of a large one on
/// its own thread, asks for one.
static SPARE: Mutex<Vec<(u8, csv_core::Reader)>> = Mutex::new(Vec::new());

/// How many machines [`SPARE`] keeps: one per core and delimiter is plenty.
const KEPT: usize = 16;

impl Dialect {
    /// A reader of the records of `text[start..end]`, where `start` begins
    /// a record, with a state machine of its own.
    pub fn records(self, text: &str, start: usize, end: usize) -> Records<'_> {
        Records {
            core: Machine {
                core: Some(self.machine()),
                delimiter: self.delimiter,
            },
            text,
            pos: start,
            end,
            start,
            buf: vec![0; 256],
            ends: vec![0; 32],
            len: 0,
            mid_file: start > 0,
        }
    }

    /// A machine for this delimiter, from [`SPARE`] and reset, or built.
    fn machine(self) -> csv_core::Reader {
        // Fields are cut at the delimiter: an ASCII byte keeps them UTF-8.
        debug_assert!(self.delimiter.is_ascii());
        let mut spare = SPARE.lock().unwrap_or_else(|e| e.into_inner());
        let kept = spare.iter().rposition(|(d, _)| *d == self.delimiter);
        match kept.map(|i| spare.swap_remove(i).1) {
            Some(mut core) => {
                core.reset();
                core
            }
            None => {
                drop(spare);
                csv_core::ReaderBuilder::new()
                    .delimiter(self.delimiter)
                    .build()
            }
        }
    }
}

/// A reader's machine, handed back to [`SPARE`] when the reader is done.
/// (A type of its own, borrowing nothing, so that dropping a reader does
/// not require what it read to outlive it.)
struct Machine {
    /// Always there; taken only when dropped.
    core: Option<csv_core::Reader>,
    delimiter: u8,
}

impl Drop for Machine {
    fn drop(&mut self) {
        let Some(core) = self.core.take() else { return };
        let mut spare = SPARE.lock().unwrap_or_else(|e| e.into_inner());
        if spare.len() < KEPT {
            spare.push((self.delimiter, core));
        }
    }
}

/// A reader going through records; [`Records::next`] moves to the next.
pub struct Records<'a> {
    core: Machine,
    text: &'a str,
    /// The first byte not yet read.
    pos: usize,
    end: usize,
    /// Where the current record starts (possibly on the line break that
    /// ended the previous one, as with the `csv` crate).
    start: usize,
    /// The current record's fields, unquoted, one after the other.
    buf: Vec<u8>,
    /// Where each field ends in `buf`.
    ends: Vec<usize>,
    len: usize,
    /// Reading starts inside the text, not at the start of the file.
    mid_file: bool,
}

/// The byte-order mark in UTF-8.
const BOM: &[u8] = b"\xef\xbb\xbf";

impl<'a> Records<'a> {
    /// Goes to `text[start..end]` (`start` beginning a record), as if new.
    pub fn restart(&mut self, start: usize, end: usize) {
        if let Some(core) = &mut self.core.core {
            core.reset();
        }
        (self.pos, self.end, self.start, self.len) = (start, end, start, 0);
        self.mid_file = start > 0;
    }

    /// Reads the next record; `false` at the end of the text.
    pub fn next(&mut self) -> bool {
        use csv_core::ReadRecordResult as R;
        self.start = self.pos;
        let (mut out, mut nends) = (0, 0);
        let Some(core) = self.core.core.as_mut() else {
            unreachable!("a reader has its machine until it is dropped")
        };
        loop {
            let mut input = &self.text.as_bytes()[self.pos..self.end];
            if std::mem::take(&mut self.mid_file) && input.starts_with(BOM) {
                // A reset machine drops a byte-order mark at the start of
                // what it is given, as at the start of a file. Inside a
                // file it is a character of the row (two files pasted
                // together), read the same wherever the table was cut:
                // given its first byte alone, the machine keeps it.
                input = &input[..1];
            }
            let (res, nin, nout, nend) =
                core.read_record(input, &mut self.buf[out..], &mut self.ends[nends..]);
            self.pos += nin;
            out += nout;
            nends += nend;
            match res {
                // All the input is given at once: empty input then means
                // its end, which the next call tells the machine.
                R::InputEmpty => {}
                R::OutputFull => {
                    let n = self.buf.len() * 2;
                    self.buf.resize(n, 0);
                }
                R::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                R::Record => {
                    self.len = nends;
                    return true;
                }
                R::End => {
                    self.len = 0;
                    return false;
                }
            }
        }
    }

    /// Where the current record starts in the text: on the line break that
    /// ended the previous record, when it was `\r\n` read in two steps.
    pub fn position(&self) -> usize {
        self.start
    }

    /// Where reading has got to: the end of the current record.
    pub fn consumed(&self) -> usize {
        self.pos
    }

    /// How many fields the current record has.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Field `i` of the current record, unquoted.
    pub fn get(&self, i: usize) -> Option<&str> {
        if i >= self.len {
            return None;
        }
        let a = if i == 0 { 0 } else { self.ends[i - 1] };
        let bytes = &self.buf[a..self.ends[i]];
        debug_assert!(std::str::from_utf8(bytes).is_ok());
        // SAFETY: the text read is a `&str`, and the machine only removes
        // quotes and cuts at the delimiter or a line break, all ASCII
        // bytes, which never fall inside a multi-byte character: a field
        // is UTF-8. Checking it again was 3 % of reading every cell.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    }

    /// The fields of the current record.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len).filter_map(|i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads like the `csv` crate: the same records, fields and starts,
    /// on quoting, line ends of every kind, blank lines and long fields.
    #[test]
    fn reads_as_the_csv_crate_reads() {
        let long = "x".repeat(1000);
        let texts = [
            "a,b\n1,2\n".to_string(),
            "a;\"b;c\"\r\n\"d\"\"e\";f\r\n\r\ng".to_string(),
            "un\rdeux,\"trois\nquatre\"\rcinq".to_string(),
            format!("{long},\"{long}\n{long}\",{}\n,,,\n", "y,".repeat(100)),
            "il a dit 5\" de haut,\"é\",ü\n\"\"\n".to_string(),
            String::new(),
        ];
        for text in &texts {
            for delim in [b',', b';'] {
                let dialect = Dialect { delimiter: delim };
                let mut ours = dialect.records(text, 0, text.len());
                // Restarted after reading something, it reads as new.
                while ours.next() {}
                ours.restart(0, text.len());
                let mut theirs = csv::ReaderBuilder::new()
                    .delimiter(delim)
                    .flexible(true)
                    .has_headers(false)
                    .from_reader(text.as_bytes());
                let mut rec = csv::StringRecord::new();
                loop {
                    let more = theirs.read_record(&mut rec).expect("a record");
                    assert_eq!(ours.next(), more, "{text:?}");
                    if !more {
                        break;
                    }
                    let pos = rec.position().expect("a position").byte() as usize;
                    assert_eq!(ours.position(), pos, "{text:?}");
                    let a: Vec<&str> = ours.iter().collect();
                    let b: Vec<&str> = rec.iter().collect();
                    assert_eq!(a, b, "{text:?}");
                }
            }
        }
    }

    /// A machine handed back in the middle of a quoted field, then taken
    /// again, reads from the start; spares of one delimiter never serve
    /// another. (Other tests run beside this one and share the spares, so
    /// it only asserts what any interleaving must give.)
    #[test]
    fn spare_machines_read_as_new() {
        let text = "a;\"b,c\nd";
        for _ in 0..3 {
            let mut semi = Dialect { delimiter: b';' }.records(text, 0, 2);
            assert!(semi.next());
            // Stopped inside `"b,c` when dropped.
            let mut comma = Dialect { delimiter: b',' }.records(text, 0, 2);
            assert!(comma.next());
            drop((semi, comma));
            let mut semi = Dialect { delimiter: b';' }.records(text, 0, text.len());
            assert!(semi.next());
            assert_eq!(semi.iter().collect::<Vec<_>>(), ["a", "b,c\nd"]);
            let mut comma = Dialect { delimiter: b',' }.records(text, 0, text.len());
            assert!(comma.next());
            assert_eq!(comma.iter().collect::<Vec<_>>(), ["a;\"b", "c"]);
            assert!(comma.next());
            assert_eq!(comma.iter().collect::<Vec<_>>(), ["d"]);
            assert!(!comma.next());
        }
    }

    /// Why machines are not cloned: a clone of a built csv-core reader
    /// misreads (it keeps only part of its tables). When this starts to
    /// fail, csv-core has fixed its `Clone` and readers could be cloned.
    #[test]
    fn a_cloned_csv_core_reader_misreads() {
        let built = csv_core::ReaderBuilder::new().build();
        let mut clone = built.clone();
        let (mut out, mut ends) = ([0u8; 16], [0usize; 4]);
        let (_, nin, _, _) = clone.read_record(b"a,b\n", &mut out, &mut ends);
        assert_ne!(nin, 4, "the clone now reads `a,b` as one record");
    }
}
