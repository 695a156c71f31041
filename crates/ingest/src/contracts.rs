//! Technology-contract registry micro-data, rolled up while streaming.
//!
//! The file is read once, in chunks that end on a line break, and parsed on all cores; memory stays bounded by
//! the chunk queue and the roll-up (a few thousand counties × years × types), plus 8 bytes a row for the
//! duplicate check. Contract numbers are compared by a 64-bit hash first; only lines whose hashes collide are read
//! again to compare the numbers themselves, so a duplicate is never a guess.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use ttdz_domain::contract::{ContractRollup, ContractType, Side};
use ttdz_domain::{DivisionCode, DivisionTree, ElementCode};
use ttdz_store::DivisionValue;

use crate::problems::Rejects;
use crate::{Encoding, IngestError, Problems};

pub const HEADER: &str = "contract_no,registered_on,contract_type,seller_division,buyer_division,seller_kind,field,turnover_yuan,tech_amount_yuan";
const FIELDS: usize = 9;

/// The basic units (counties, and cities without a county level) contracts may name, indexed by code.
pub struct BasicUnits {
    /// Code as a number → index + 1; 0 where the code is no basic unit.
    index: Vec<u16>,
    codes: Vec<DivisionCode>,
}

impl BasicUnits {
    pub fn of(tree: &DivisionTree) -> BasicUnits {
        let mut index = vec![0u16; 1_000_000];
        let mut codes = Vec::new();
        for d in tree.set().divisions() {
            if !tree.has_children(&d.code)
                && let Ok(n) = d.code.as_str().parse::<usize>()
                && codes.len() < usize::from(u16::MAX)
            {
                codes.push(d.code);
                index[n] = codes.len() as u16;
            }
        }
        BasicUnits { index, codes }
    }

    fn lookup(&self, s: &str) -> Option<u16> {
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = s.bytes().fold(0usize, |n, b| n * 10 + usize::from(b - b'0'));
        match self.index[n] {
            0 => None,
            i => Some(i - 1),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Import the good rows and report the bad ones instead of refusing the file.
    pub skip_invalid: bool,
    /// Parsing threads (the reader is one more).
    pub threads: usize,
    pub chunk_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Options { skip_invalid: false, threads: cores.clamp(1, 8), chunk_bytes: 4 << 20 }
    }
}

/// A checked and rolled-up contracts file.
#[derive(Debug, Clone)]
pub struct ContractsFile {
    pub encoding: Encoding,
    pub rows: u64,
    pub accepted: u64,
    pub sha256: String,
    /// Seller and buyer side, per basic unit, registration year and type.
    pub rollups: Vec<ContractRollup>,
    pub problems: Problems,
}

impl ContractsFile {
    /// The data elements the roll-ups make, per basic unit and year: 技术合同成交额, 技术交易额 and counts on the
    /// seller side (输出), turnover and counts on the buyer side (吸纳).
    pub fn element_values(&self) -> Vec<DivisionValue> {
        let mut sums: BTreeMap<(&'static str, DivisionCode, i32), Decimal> = BTreeMap::new();
        for r in &self.rollups {
            let (turnover, count, tech) = match r.side {
                Side::Seller => ("contract_turnover_yuan", "contract_count", Some("contract_tech_amount_yuan")),
                Side::Buyer => ("absorbed_contract_turnover_yuan", "absorbed_contract_count", None),
            };
            *sums.entry((turnover, r.division, r.year)).or_default() += r.turnover;
            *sums.entry((count, r.division, r.year)).or_default() += Decimal::from(r.contracts);
            if let Some(tech) = tech {
                *sums.entry((tech, r.division, r.year)).or_default() += r.tech_amount;
            }
        }
        sums.into_iter()
            .filter_map(|((element, division, year), value)| {
                Some(DivisionValue { element: ElementCode::parse(element).ok()?, division, year, value, note: None })
            })
            .collect()
    }
}

/// Sums for one (side, unit, year, type), in fen (0.01 yuan).
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    contracts: u64,
    turnover: i128,
    tech: i128,
}

/// A multiplicative hash for the packed roll-up keys: they are small integers, SipHash would be wasted on them.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        // The SplitMix64 finalizer: every input bit reaches the low bits hashbrown indexes buckets with.
        let mut z = self.0 ^ n;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }
}

type AccMap = HashMap<u64, Acc, BuildHasherDefault<KeyHasher>>;

fn pack(side: Side, unit: u16, year: i32, t: ContractType) -> u64 {
    let side = match side {
        Side::Seller => 0u64,
        Side::Buyer => 1,
    };
    (side << 40) | (u64::from(unit) << 24) | ((year as u64 & 0xffff) << 8) | t as u64
}

fn unpack(key: u64) -> (Side, u16, i32, ContractType) {
    let side = if key >> 40 == 0 { Side::Seller } else { Side::Buyer };
    let unit = ((key >> 24) & 0xffff) as u16;
    let year = ((key >> 8) & 0xffff) as i32;
    (side, unit, year, ContractType::ALL[(key & 0xff) as usize])
}

/// A row that passed every check but the duplicate one.
struct Parsed<'a> {
    contract_no: &'a str,
    year: i32,
    contract_type: ContractType,
    seller: u16,
    buyer: u16,
    turnover: i64,
    tech: i64,
}

/// A fast 64-bit hash of a contract number. Equal hashes are only candidates: they are checked against the
/// numbers themselves, so the hash needs to spread well, not to resist attack.
fn contract_hash(no: &str) -> u64 {
    let mut h = KeyHasher(no.len() as u64);
    for word in no.as_bytes().chunks(8) {
        let mut bytes = [0u8; 8];
        bytes[..word.len()].copy_from_slice(word);
        h.write_u64(u64::from_le_bytes(bytes));
    }
    h.finish()
}

/// Amount in yuan with at most two decimals, as fen.
fn fen(s: &str) -> Result<i64, String> {
    if s.starts_with('-') {
        return Err(format!("'{s}' is negative"));
    }
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits_ok = !whole.is_empty()
        && whole.len() <= 15
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(s.contains('.') && frac.is_empty());
    if !digits_ok {
        return Err(format!("'{s}' is not an amount in yuan with at most 2 decimals"));
    }
    let mut n: i64 = whole.parse().map_err(|_| format!("'{s}' is not an amount"))?;
    for i in 0..2 {
        n = n * 10 + frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
    }
    Ok(n)
}

/// The registration year of an ISO date, checking that the date exists.
fn year_of(s: &str) -> Result<i32, String> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err(format!("'{s}' is not a date YYYY-MM-DD"));
    }
    let num = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0'));
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(format!("'{s}': there is no month {m}")),
    };
    if d == 0 || d > days {
        return Err(format!("'{s}': there is no day {d} in {y}-{m:02}"));
    }
    if !(1980..=2200).contains(&y) {
        return Err(format!("'{s}': year {y} is out of range"));
    }
    Ok(y as i32)
}

type Fields<'a> = [std::borrow::Cow<'a, str>; FIELDS];

/// Splits a line into its fields; quoted fields take the slow path through a CSV parser.
fn fields(line: &str) -> Result<Fields<'_>, String> {
    use std::borrow::Cow;
    let wrong = |n: usize| format!("{n} fields, expected {FIELDS}");
    if memchr::memchr(b'"', line.as_bytes()).is_some() {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line.as_bytes());
        let Some(Ok(record)) = reader.records().next() else { return Err("unreadable quoting".to_owned()) };
        if record.len() != FIELDS {
            return Err(wrong(record.len()));
        }
        return Ok(std::array::from_fn(|i| Cow::Owned(record[i].to_owned())));
    }
    // Commas are ASCII, so cutting the UTF-8 text at them always lands on character boundaries.
    let mut cuts = memchr::memchr_iter(b',', line.as_bytes()).chain(std::iter::once(line.len()));
    let mut from = 0usize;
    let out: [Option<&str>; FIELDS] = std::array::from_fn(|_| {
        let to = cuts.next()?;
        let field = &line[from..to];
        from = to + 1;
        Some(field)
    });
    let extra = cuts.count();
    match out {
        [Some(a), Some(b), Some(c), Some(d), Some(e), Some(f), Some(g), Some(h), Some(i)] if extra == 0 => {
            Ok([a, b, c, d, e, f, g, h, i].map(Cow::Borrowed))
        }
        _ => Err(wrong(out.iter().flatten().count() + extra)),
    }
}

type Check<T> = Result<T, (&'static str, String)>;

fn parse_row<'a>(f: &'a [std::borrow::Cow<'a, str>], units: &BasicUnits) -> Check<Parsed<'a>> {
    let contract_no = f[0].trim_ascii();
    if contract_no.is_empty() {
        return Err(("contract_no", "must not be empty".into()));
    }
    let year = year_of(f[1].trim_ascii()).map_err(|e| ("registered_on", e))?;
    let contract_type = ContractType::parse(f[2].trim_ascii()).ok_or_else(|| {
        ("contract_type", format!("'{}' is not one of 技术开发 技术转让 技术许可 技术咨询 技术服务", f[2].trim_ascii()))
    })?;
    let unit = |field: &'static str, s: &str| {
        units
            .lookup(s.trim_ascii())
            .ok_or_else(|| (field, format!("'{}' is not a county-level division code", s.trim_ascii())))
    };
    let seller = unit("seller_division", &f[3])?;
    let buyer = unit("buyer_division", &f[4])?;
    if f[5].trim_ascii().is_empty() {
        return Err(("seller_kind", "must not be empty".into()));
    }
    let turnover = fen(f[7].trim_ascii()).map_err(|e| ("turnover_yuan", e))?;
    let tech = fen(f[8].trim_ascii()).map_err(|e| ("tech_amount_yuan", e))?;
    if tech > turnover {
        return Err((
            "tech_amount_yuan",
            format!("{} exceeds the contract's turnover {}", f[8].trim_ascii(), f[7].trim_ascii()),
        ));
    }
    Ok(Parsed { contract_no, year, contract_type, seller, buyer, turnover, tech })
}

fn add(acc: &mut AccMap, p: &Parsed<'_>, sign: i128) {
    for (side, unit) in [(Side::Seller, p.seller), (Side::Buyer, p.buyer)] {
        let a = acc.entry(pack(side, unit, p.year, p.contract_type)).or_default();
        if sign > 0 {
            a.contracts += 1;
        } else {
            a.contracts -= 1;
        }
        a.turnover += sign * i128::from(p.turnover);
        a.tech += sign * i128::from(p.tech);
    }
}

/// Whole lines of the file, in its encoding.
struct Chunk {
    index: usize,
    bytes: Vec<u8>,
}

/// What a worker found in a chunk. Line numbers are counted from the chunk's start (0 = its first line): only the
/// merge, which takes chunks in file order, knows where each chunk starts.
struct ChunkResult {
    index: usize,
    lines: u64,
    rows: u64,
    not_utf8: bool,
    acc: AccMap,
    hashes: Vec<u64>,
    problems: Problems,
    rejects: Vec<(String, u64, String)>,
}

fn parse_chunk(chunk: Chunk, encoding: Encoding, units: &BasicUnits, file: &str, keep_rejects: bool) -> ChunkResult {
    let mut r = ChunkResult {
        index: chunk.index,
        lines: 0,
        rows: 0,
        not_utf8: false,
        acc: AccMap::default(),
        hashes: Vec::new(),
        problems: Problems::new(file),
        rejects: Vec::new(),
    };
    let text = match encoding {
        Encoding::Utf8 => match String::from_utf8(chunk.bytes) {
            Ok(t) => t,
            Err(_) => {
                r.not_utf8 = true;
                return r;
            }
        },
        Encoding::Gbk => encoding.decode(&chunk.bytes).into_owned(),
    };
    let mut start = 0usize;
    let bytes = text.as_bytes();
    // Every line break ends a line, and so does the end of a last line without one.
    let ends = memchr::memchr_iter(b'\n', bytes)
        .chain((bytes.last() != Some(&b'\n') && !bytes.is_empty()).then_some(bytes.len()));
    for end in ends {
        let raw = &text[start..end];
        let number = r.lines;
        r.lines += 1;
        start = end + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            continue;
        }
        r.rows += 1;
        let checked = fields(line).map_err(|e| (None, e)).and_then(|f| match parse_row(&f, units) {
            Ok(p) => {
                r.hashes.push(contract_hash(p.contract_no));
                add(&mut r.acc, &p, 1);
                Ok(())
            }
            Err((field, reason)) => Err((Some(field), reason)),
        });
        if let Err((field, reason)) = checked {
            if keep_rejects {
                r.rejects.push((line.to_owned(), number, reason.clone()));
            }
            r.problems.add(number, field, reason);
        }
    }
    r
}

/// Raised inside the reader when a UTF-8 read meets bytes that are not UTF-8: start over as GBK.
struct NotUtf8;

/// Reads, checks and rolls up a contracts file. Bad rows make the whole file fail unless `skip_invalid` is set;
/// then they are written to `rejects` (the original row, its line and the reason) and left out.
pub fn read(
    path: &Path,
    units: &BasicUnits,
    options: &Options,
    progress: &(dyn Fn(u64) + Sync),
    rejects: Option<&mut dyn Write>,
) -> Result<ContractsFile, IngestError> {
    let name = path.display().to_string();
    let mut rejects = match rejects {
        Some(w) => Some(Rejects::new(w, HEADER).map_err(|source| IngestError::Io { file: name.clone(), source })?),
        None => None,
    };
    let result = match read_as(path, Encoding::Utf8, units, options, progress, rejects.as_mut())? {
        Ok(file) => file,
        Err(NotUtf8) => read_as(path, Encoding::Gbk, units, options, progress, rejects.as_mut())?
            .map_err(|NotUtf8| IngestError::Io { file: name.clone(), source: std::io::Error::other("unreachable") })?,
    };
    if let Some(r) = rejects {
        r.finish().map_err(|source| IngestError::Io { file: name.clone(), source })?;
    }
    if !result.problems.is_empty() && !options.skip_invalid {
        return Err(IngestError::Invalid(result.problems));
    }
    Ok(result)
}

fn read_as(
    path: &Path,
    encoding: Encoding,
    units: &BasicUnits,
    options: &Options,
    progress: &(dyn Fn(u64) + Sync),
    mut rejects: Option<&mut Rejects<&mut dyn Write>>,
) -> Result<Result<ContractsFile, NotUtf8>, IngestError> {
    let name = path.display().to_string();
    let io = |source| IngestError::Io { file: name.clone(), source };
    let mut file = File::open(path).map_err(io)?;
    let keep_rejects = rejects.is_some();
    let (job_tx, job_rx) = mpsc::sync_channel::<Chunk>(options.threads * 2);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (result_tx, result_rx) = mpsc::channel::<ChunkResult>();

    let outcome = std::thread::scope(|scope| -> Result<Result<ReadTotals, NotUtf8>, IngestError> {
        for _ in 0..options.threads.max(1) {
            let job_rx = Arc::clone(&job_rx);
            let result_tx = result_tx.clone();
            let name = &name;
            scope.spawn(move || {
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(chunk) = job else { return };
                    if result_tx.send(parse_chunk(chunk, encoding, units, name, keep_rejects)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(result_tx);
        let mut totals = ReadTotals::new(&name);
        let mut pending: BTreeMap<usize, ChunkResult> = BTreeMap::new();
        let mut next_to_merge = 0usize;
        // Line 1 is the header.
        let mut next_line = 2u64;
        let mut not_utf8 = false;
        let mut merge =
            |r: ChunkResult, totals: &mut ReadTotals, rejects: &mut Option<&mut Rejects<&mut dyn Write>>| {
                not_utf8 |= r.not_utf8;
                pending.insert(r.index, r);
                // Merged in file order: that is where each chunk's first line number becomes known, and rejected rows
                // are written in the order they stand.
                while let Some(mut r) = pending.remove(&next_to_merge) {
                    next_to_merge += 1;
                    for p in &mut r.problems.listed {
                        p.line += next_line;
                    }
                    if let Some(w) = rejects.as_deref_mut() {
                        for (raw, line, reason) in &r.rejects {
                            w.write(raw, line + next_line, reason).map_err(io)?;
                        }
                    }
                    next_line += r.lines;
                    totals.absorb(r);
                }
                Ok::<bool, IngestError>(not_utf8)
            };

        let mut hasher = Sha256::new();
        let mut buffer: Vec<u8> = Vec::with_capacity(options.chunk_bytes + 4096);
        let mut read_total = 0u64;
        let mut index = 0usize;
        let mut header_seen = false;
        let mut at_eof = false;
        let mut stop = false;
        while !at_eof && !stop {
            let start = buffer.len();
            buffer.resize(start + options.chunk_bytes, 0);
            let n = file.read(&mut buffer[start..]).map_err(io)?;
            buffer.truncate(start + n);
            if n == 0 {
                at_eof = true;
            } else {
                hasher.update(&buffer[start..start + n]);
                read_total += n as u64;
                progress(read_total);
            }
            // Everything up to the last line break is whole lines; the rest waits for the next read.
            let cut = if at_eof { buffer.len() } else { memchr::memrchr(b'\n', &buffer).map_or(0, |i| i + 1) };
            if cut == 0 {
                continue;
            }
            // Hand the buffer itself to a parser and keep only the unfinished line: no copy of the chunk.
            let rest = buffer[cut..].to_vec();
            buffer.truncate(cut);
            let mut lines = std::mem::replace(&mut buffer, rest);
            buffer.reserve(options.chunk_bytes + 4096);
            if !header_seen {
                header_seen = true;
                let end = memchr::memchr(b'\n', &lines).map_or(lines.len(), |i| i + 1);
                let header = encoding.decode(&lines[..end]).into_owned();
                let header = header.trim_start_matches('\u{feff}').trim_end_matches(['\r', '\n']);
                if header != HEADER {
                    let mut p = Problems::new(&name);
                    p.add(1, None, format!("the header must be '{HEADER}', found '{header}'"));
                    return Err(IngestError::Invalid(p));
                }
                lines.drain(..end);
            }
            if job_tx.send(Chunk { index, bytes: lines }).is_err() {
                break;
            }
            index += 1;
            while let Ok(r) = result_rx.try_recv() {
                stop |= merge(r, &mut totals, &mut rejects)?;
            }
        }
        drop(job_tx);
        for r in result_rx.iter() {
            stop |= merge(r, &mut totals, &mut rejects)?;
        }
        if stop {
            return Ok(Err(NotUtf8));
        }
        if !header_seen {
            let mut p = Problems::new(&name);
            p.add(1, None, format!("the file is empty; the header must be '{HEADER}'"));
            return Err(IngestError::Invalid(p));
        }
        totals.sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(Ok(totals))
    });
    let mut totals = match outcome? {
        Ok(t) => t,
        Err(NotUtf8) => return Ok(Err(NotUtf8)),
    };

    let duplicates = colliding_hashes(&mut totals.hashes);
    if !duplicates.is_empty() {
        remove_duplicates(path, encoding, units, &duplicates, &mut totals, rejects)?;
    }
    let rollups = totals
        .acc
        .iter()
        .filter(|(_, a)| a.contracts > 0)
        .map(|(&key, a)| {
            let (side, unit, year, contract_type) = unpack(key);
            ContractRollup {
                side,
                division: units.codes[usize::from(unit)],
                year,
                contract_type,
                contracts: a.contracts,
                turnover: Decimal::from_i128_with_scale(a.turnover, 2),
                tech_amount: Decimal::from_i128_with_scale(a.tech, 2),
            }
        })
        .collect::<Vec<_>>();
    let mut rollups = rollups;
    rollups.sort_by_key(|r| (r.side, r.division, r.year, r.contract_type));
    Ok(Ok(ContractsFile {
        encoding,
        rows: totals.rows,
        accepted: totals.rows - totals.problems.bad_lines,
        sha256: totals.sha256,
        rollups,
        problems: totals.problems,
    }))
}

struct ReadTotals {
    rows: u64,
    acc: AccMap,
    hashes: Vec<u64>,
    problems: Problems,
    sha256: String,
}

impl ReadTotals {
    fn new(file: &str) -> Self {
        ReadTotals {
            rows: 0,
            acc: AccMap::default(),
            hashes: Vec::new(),
            problems: Problems::new(file),
            sha256: String::new(),
        }
    }

    fn absorb(&mut self, r: ChunkResult) {
        self.rows += r.rows;
        for (k, a) in r.acc {
            let t = self.acc.entry(k).or_default();
            t.contracts += a.contracts;
            t.turnover += a.turnover;
            t.tech += a.tech;
        }
        self.hashes.extend(r.hashes);
        self.problems.merge(r.problems);
    }
}

/// The hashes that occur more than once. The two halves are sorted on two threads and then walked together.
fn colliding_hashes(hashes: &mut Vec<u64>) -> HashSet<u64> {
    let half = hashes.len() / 2;
    let (left, right) = hashes.split_at_mut(half);
    std::thread::scope(|s| {
        s.spawn(|| left.sort_unstable());
        right.sort_unstable();
    });
    let (left, right) = hashes.split_at(half);
    let mut dup = HashSet::new();
    dup.extend(left.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]));
    dup.extend(right.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]));
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        match left[i].cmp(&right[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dup.insert(left[i]);
                i += 1;
                j += 1;
            }
        }
    }
    *hashes = Vec::new();
    dup
}

/// Reads the file again for the lines whose contract numbers' hashes collide; a number seen before is a
/// duplicate: reported, taken back out of the roll-up, and (when skipping) written to the rejects.
fn remove_duplicates(
    path: &Path,
    encoding: Encoding,
    units: &BasicUnits,
    colliding: &HashSet<u64>,
    totals: &mut ReadTotals,
    mut rejects: Option<&mut Rejects<&mut dyn Write>>,
) -> Result<(), IngestError> {
    let name = path.display().to_string();
    let io = |source| IngestError::Io { file: name.clone(), source };
    let mut reader = std::io::BufReader::new(File::open(path).map_err(io)?);
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    let mut found = Problems::new(&name);
    let mut raw = Vec::new();
    let mut number = 0u64;
    loop {
        raw.clear();
        if std::io::BufRead::read_until(&mut reader, b'\n', &mut raw).map_err(io)? == 0 {
            break;
        }
        number += 1;
        if number == 1 {
            continue;
        }
        let text = encoding.decode(&raw);
        let line = text.trim_end_matches(['\n', '\r']);
        let Ok(f) = fields(line) else { continue };
        let Ok(p) = parse_row(&f, units) else { continue };
        if !colliding.contains(&contract_hash(p.contract_no)) {
            continue;
        }
        match first_line_of.get(p.contract_no) {
            None => {
                first_line_of.insert(p.contract_no.to_owned(), number);
            }
            Some(first) => {
                let reason = format!("duplicate contract_no '{}' (first on line {first})", p.contract_no);
                add(&mut totals.acc, &p, -1);
                if let Some(w) = rejects.as_deref_mut() {
                    w.write(line, number, &reason).map_err(io)?;
                }
                found.add(number, Some("contract_no"), reason);
            }
        }
    }
    totals.problems.merge(found);
    Ok(())
}

/// Writes a reproducible sample of synthetic contracts: the same seed gives the same file. Sellers and buyers are
/// drawn from `units`; registration dates from `years`. For demonstrations, tests and benchmarks only.
pub fn write_synthetic(
    out: &mut dyn Write,
    rows: u64,
    seed: u64,
    units: &[DivisionCode],
    years: std::ops::RangeInclusive<i32>,
) -> std::io::Result<()> {
    const KINDS: [&str; 5] = ["企业", "高校", "科研院所", "医疗机构", "其他"];
    const FIELDS: [&str; 8] =
        ["电子信息", "先进制造", "生物医药", "新材料", "新能源", "现代农业", "节能环保", "航空航天"];
    if units.is_empty() {
        return Err(std::io::Error::other("no divisions to draw contracts from"));
    }
    let mut rng = SplitMix64(seed);
    let span = (years.end() - years.start() + 1).max(1) as u64;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    writeln!(w, "{HEADER}")?;
    for n in 0..rows {
        let year = years.start() + (rng.next() % span) as i32;
        let month = 1 + rng.next() % 12;
        let day = 1 + rng.next() % 28;
        let seller = units[(rng.next() % units.len() as u64) as usize];
        let buyer = units[(rng.next() % units.len() as u64) as usize];
        let contract_type = ContractType::ALL[(rng.next() % 5) as usize].name_zh();
        // Spread over three orders of magnitude, 10^4 to 10^7 yuan, in fen.
        let magnitude = 10i64.pow(6 + (rng.next() % 3) as u32);
        let turnover = magnitude + (rng.next() % (9 * magnitude as u64)) as i64;
        let tech = turnover / 100 * (50 + (rng.next() % 51) as i64);
        writeln!(
            w,
            "S{year}{seller}{n:09},{year}-{month:02}-{day:02},{contract_type},{seller},{buyer},{},{},{}.{:02},{}.{:02}",
            KINDS[(rng.next() % 5) as usize],
            FIELDS[(rng.next() % 8) as usize],
            turnover / 100,
            turnover % 100,
            tech / 100,
            tech % 100
        )?;
    }
    w.flush()
}

/// SplitMix64: a tiny, well-mixed generator, enough for reproducible samples.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_become_fen_exactly() {
        assert_eq!(fen("0"), Ok(0));
        assert_eq!(fen("12.3"), Ok(1230));
        assert_eq!(fen("12.34"), Ok(1234));
        assert_eq!(fen("999999999999999.99"), Ok(99_999_999_999_999_999));
        for bad in ["", "-1", "1.234", "1.", ".5", "1,000", "1e3", "abc", "1234567890123456"] {
            assert!(fen(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_must_exist() {
        assert_eq!(year_of("2024-02-29"), Ok(2024));
        for bad in ["2021-02-29", "2021-02-30", "2021-13-01", "2021-04-31", "2021-4-1", "20210401", "2021-00-10"] {
            assert!(year_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_pack_and_unpack() {
        for (side, unit, year, t) in
            [(Side::Seller, 0, 1980, ContractType::Development), (Side::Buyer, 2977, 2200, ContractType::Service)]
        {
            assert_eq!(unpack(pack(side, unit, year, t)), (side, unit, year, t));
        }
    }
}
