use std::fmt;

/// How many problems a report lists before it only counts the rest.
pub const LISTED: usize = 50;

/// One bad row (or the file as a whole when `line` is 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub field: Option<&'static str>,
    pub reason: String,
}

/// The problems found in one file: the first [`LISTED`] by line, and how many bad lines there were in all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problems {
    pub file: String,
    pub listed: Vec<Problem>,
    pub bad_lines: u64,
}

impl Problems {
    pub fn new(file: &str) -> Problems {
        Problems { file: file.to_owned(), listed: Vec::new(), bad_lines: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.bad_lines == 0
    }

    /// Records a bad line (one line may have several problems; it counts once if they are added together).
    pub fn add(&mut self, line: u64, field: Option<&'static str>, reason: impl Into<String>) {
        self.bad_lines += 1;
        if self.listed.len() < LISTED {
            self.listed.push(Problem { line, field, reason: reason.into() });
        }
    }

    /// Merges problems found elsewhere in the same file, keeping the earliest lines listed.
    pub fn merge(&mut self, other: Problems) {
        self.bad_lines += other.bad_lines;
        self.listed.extend(other.listed);
        self.listed.sort_by_key(|p| p.line);
        self.listed.truncate(LISTED);
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} bad line{}, nothing was imported",
            self.file,
            self.bad_lines,
            if self.bad_lines == 1 { "" } else { "s" }
        )?;
        for p in &self.listed {
            write!(f, "\n{}:{}: ", self.file, p.line)?;
            if let Some(field) = p.field {
                write!(f, "field {field}: ")?;
            }
            f.write_str(&p.reason)?;
        }
        let unlisted = self.bad_lines.saturating_sub(self.listed.len() as u64);
        if unlisted > 0 {
            write!(f, "\n… and {unlisted} more bad line{}", if unlisted == 1 { "" } else { "s" })?;
        }
        Ok(())
    }
}

/// Where rows rejected under `--skip-invalid` go: the original row, then its line number and the reason, so the
/// file can be fixed and imported again.
pub struct Rejects<W: std::io::Write> {
    out: W,
    pub count: u64,
}

impl<W: std::io::Write> Rejects<W> {
    /// Starts the file with the original header and two more columns.
    pub fn new(mut out: W, header: &str) -> std::io::Result<Self> {
        writeln!(out, "{header},line,reason")?;
        Ok(Rejects { out, count: 0 })
    }

    /// `raw` is the row as it stood in the file, without its line ending.
    pub fn write(&mut self, raw: &str, line: u64, reason: &str) -> std::io::Result<()> {
        self.count += 1;
        writeln!(self.out, "{raw},{line},\"{}\"", reason.replace('"', "\"\""))
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
