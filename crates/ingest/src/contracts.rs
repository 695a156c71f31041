//! Technology-contract registry micro-data, rolled up while streaming.
//!
//! The file is read once, in chunks that end on a line break, and parsed on all cores; memory stays bounded by
//! the chunk queue and the roll-up (a few thousand counties × years × types), plus, per counted row, 8 bytes for
//! the duplicate check and the contract number itself (kept with the batch, see [`CountedNumbers`]). Contract
//! numbers are compared by a 64-bit hash first; only lines whose hashes collide are read again to compare the
//! numbers themselves, so a duplicate is never a guess.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use ttdz_domain::contract::{ContractFlow, ContractRollup, ContractType, Side, rules};
use ttdz_domain::counted::{CountedNumbers, NumberCollector};
use ttdz_domain::{DivisionCode, DivisionTree};
use ttdz_store::DivisionValue;

use crate::problems::Rejects;
use crate::{Encoding, IngestError, Problems};

use crate::rng::SplitMix64;

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
    /// The numbers of the contracts registered in TTDZ itself. The live registry counts them already, so a file
    /// that holds them too (the national registry's export does, once they reach it) leaves their rows out.
    pub registered: HashSet<String>,
}

impl Default for Options {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Options { skip_invalid: false, threads: cores.clamp(1, 8), chunk_bytes: 4 << 20, registered: HashSet::new() }
    }
}

/// A checked and rolled-up contracts file.
#[derive(Debug, Clone)]
pub struct ContractsFile {
    pub encoding: Encoding,
    pub rows: u64,
    /// Rows counted: neither bad nor registered in TTDZ.
    pub accepted: u64,
    /// Good rows left out because their contracts are registered in TTDZ (see [`Options::registered`]).
    pub registered_in_ttdz: u64,
    pub sha256: String,
    /// Seller and buyer side, per basic unit, registration year and type.
    pub rollups: Vec<ContractRollup>,
    /// Seller's basic unit to buyer's, per registration year.
    pub flows: Vec<ContractFlow>,
    /// The numbers of the counted rows: TTDZ registers none of them again, and numbers its own registrations
    /// after those in its scheme.
    pub numbers: CountedNumbers,
    pub problems: Problems,
}

impl ContractsFile {
    /// The data elements the roll-ups make, per basic unit and year: 技术合同成交额, 技术交易额 and counts on the
    /// seller side (输出), turnover and counts on the buyer side (吸纳).
    pub fn element_values(&self) -> Vec<DivisionValue> {
        ttdz_store::contract_values(&self.rollups)
    }
}

/// Sums for one (side, unit, year, type) as the table keeps them: contracts, and amounts in fen (0.01 yuan). 24
/// bytes, so that twice as many groups stay in the processor's caches as with 128-bit sums; a sum that would pass
/// the 64-bit range moves to `Sums::spill` (ten thousand contracts of 9 万亿 yuan each would), never wraps.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    contracts: u64,
    turnover: i64,
    tech: i64,
}

/// A group's exact totals.
#[derive(Debug, Clone, Copy, Default)]
struct Total {
    contracts: u64,
    turnover: i128,
    tech: i128,
}

/// Adds `x` to `v`, or, where the sum would leave the 64-bit range, empties `v` and answers the exact sum for the
/// caller to keep elsewhere.
fn add_within(v: &mut i64, x: i128) -> Option<i128> {
    match i64::try_from(x).ok().and_then(|x| v.checked_add(x)) {
        Some(n) => {
            *v = n;
            None
        }
        None => {
            let sum = i128::from(*v) + x;
            *v = 0;
            Some(sum)
        }
    }
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

/// A roll-up group: side, basic unit (index), registration year, contract type.
type Group = (Side, u16, i32, ContractType);

/// Where a group's sums are kept: the dense table's index, or the packed key of the map beyond it.
#[derive(Debug, Clone, Copy)]
enum Place {
    Dense(usize),
    Overflow(u64),
}

/// Rows whose sums are added together (see `Sums::add_rows`).
const ROWS_PER_ADD: usize = 32;

/// Registration years a roll-up can hold (`year_of` checks the range).
const FIRST_YEAR: i32 = 1980;
const LAST_YEAR: i32 = 2200;
/// Distinct years kept in the dense table; a file with more (registries export a handful) sends the rest to a map.
const DENSE_YEARS: usize = 16;

/// The roll-up: sums per (side, unit, year, type). Each year seen gets a slot in a dense table indexed by unit,
/// type and side, so adding a row costs one memory access a side and no hashing; a national registry's hundreds
/// of thousands of groups made a hash map the largest cost of an import.
struct Sums {
    units: usize,
    /// Slot + 1 of each year from `FIRST_YEAR`; 0 where the year has none.
    slot_of_year: Vec<u8>,
    years: Vec<i32>,
    dense: Vec<Acc>,
    overflow: AccMap,
    /// Turnover and technical amount beyond the 64-bit range, by packed key, added to the table's sums.
    spill: HashMap<u64, (i128, i128), BuildHasherDefault<KeyHasher>>,
    /// Contracts and turnover (fen) by seller unit, buyer unit and year (`flow_key`).
    flows: HashMap<u64, (i64, i128), BuildHasherDefault<KeyHasher>>,
}

/// The key of a flow: seller and buyer (indices of basic units) and year.
fn flow_key(seller: u16, buyer: u16, year: i32) -> u64 {
    (u64::from(seller) << 32) | (u64::from(buyer) << 16) | (year as u64 & 0xffff)
}

fn flow_of(key: u64) -> (u16, u16, i32) {
    ((key >> 32) as u16, ((key >> 16) & 0xffff) as u16, (key & 0xffff) as i32)
}

impl Sums {
    fn new(units: usize) -> Sums {
        Sums {
            units,
            slot_of_year: vec![0; (LAST_YEAR - FIRST_YEAR + 1) as usize],
            years: Vec::new(),
            dense: Vec::new(),
            overflow: AccMap::default(),
            spill: HashMap::default(),
            flows: HashMap::default(),
        }
    }

    fn add_flow(&mut self, key: u64, contracts: i64, turnover: i128) {
        let flow = self.flows.entry(key).or_default();
        flow.0 += contracts;
        flow.1 += turnover;
    }

    /// Adds to the group's sums: `contracts` (negative to take a duplicate back out) and the amounts in fen.
    fn add(&mut self, (side, unit, year, t): Group, contracts: i64, turnover: i128, tech: i128) {
        let place = self.place(side, unit, year, t);
        self.add_at(place, contracts, turnover, tech);
    }

    fn add_at(&mut self, place: Place, contracts: i64, turnover: i128, tech: i128) {
        let cell = match place {
            Place::Dense(i) => &mut self.dense[i],
            Place::Overflow(key) => self.overflow.entry(key).or_default(),
        };
        cell.contracts = cell.contracts.wrapping_add_signed(contracts);
        let spilt = (add_within(&mut cell.turnover, turnover), add_within(&mut cell.tech, tech));
        if spilt != (None, None) {
            let key = match place {
                Place::Dense(i) => {
                    let (side, unit, year, t) = self.group_of(i);
                    pack(side, unit, year, t)
                }
                Place::Overflow(key) => key,
            };
            let s = self.spill.entry(key).or_default();
            s.0 += spilt.0.unwrap_or(0);
            s.1 += spilt.1.unwrap_or(0);
        }
    }

    /// Adds every row of `rows` (the places of its seller and buyer sides, turnover and technical amount) and
    /// empties it. Rows are added a few dozen at a time so that the processor fetches their groups' sums from
    /// memory in parallel rather than one row after the other.
    fn add_rows(&mut self, rows: &mut Vec<(Place, Place, u64, i64, i64)>) {
        for (seller, buyer, flow, turnover, tech) in rows.drain(..) {
            self.add_at(seller, 1, i128::from(turnover), i128::from(tech));
            self.add_at(buyer, 1, i128::from(turnover), i128::from(tech));
            self.add_flow(flow, 1, i128::from(turnover));
        }
    }

    /// Where the group's sums are kept, making room for a year not seen before.
    fn place(&mut self, side: Side, unit: u16, year: i32, t: ContractType) -> Place {
        let y = (year.clamp(FIRST_YEAR, LAST_YEAR) - FIRST_YEAR) as usize;
        let mut slot = self.slot_of_year[y];
        if slot == 0 && self.years.len() < DENSE_YEARS && (FIRST_YEAR..=LAST_YEAR).contains(&year) {
            self.years.push(year);
            slot = self.years.len() as u8;
            self.slot_of_year[y] = slot;
            self.dense.resize(self.years.len() * self.units * 10, Acc::default());
        }
        if slot == 0 {
            return Place::Overflow(pack(side, unit, year, t));
        }
        let side = match side {
            Side::Seller => 0,
            Side::Buyer => 1,
        };
        Place::Dense((((usize::from(slot) - 1) * self.units + usize::from(unit)) * 5 + t as usize) * 2 + side)
    }

    /// The group of a dense table index.
    fn group_of(&self, i: usize) -> Group {
        let side = if i.is_multiple_of(2) { Side::Seller } else { Side::Buyer };
        let t = ContractType::ALL[(i / 2) % 5];
        let unit = ((i / 10) % self.units) as u16;
        (side, unit, self.years[i / 10 / self.units], t)
    }

    /// Every group with its exact totals, the empty ones left out.
    fn groups(&self) -> impl Iterator<Item = (Side, u16, i32, ContractType, Total)> + '_ {
        let dense = self.dense.iter().enumerate().filter(|(_, a)| a.contracts > 0).map(|(i, a)| {
            let (side, unit, year, t) = self.group_of(i);
            (side, unit, year, t, *a)
        });
        let overflow = self.overflow.iter().filter(|(_, a)| a.contracts > 0).map(|(&key, a)| {
            let (side, unit, year, t) = unpack(key);
            (side, unit, year, t, *a)
        });
        dense.chain(overflow).map(|(side, unit, year, t, a)| {
            let (turnover, tech) = self.spill.get(&pack(side, unit, year, t)).copied().unwrap_or_default();
            let total = Total {
                contracts: a.contracts,
                turnover: turnover + i128::from(a.turnover),
                tech: tech + i128::from(a.tech),
            };
            (side, unit, year, t, total)
        })
    }

    fn absorb(&mut self, other: Sums) {
        for (side, unit, year, t, a) in other.groups() {
            self.add((side, unit, year, t), a.contracts as i64, a.turnover, a.tech);
        }
        for (key, (contracts, turnover)) in other.flows {
            self.add_flow(key, contracts, turnover);
        }
    }
}

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

/// Splits a line into its fields, borrowed from the line. Quoted fields (`quoted`: the line may hold a quote)
/// take the slow path through a CSV parser, whose unquoted text `owned` keeps.
fn fields<'a>(line: &'a str, quoted: bool, owned: &'a mut Vec<String>) -> Result<[&'a str; FIELDS], String> {
    let wrong = |n: usize| format!("{n} fields, expected {FIELDS}");
    if quoted && memchr::memchr(b'"', line.as_bytes()).is_some() {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line.as_bytes());
        let Some(Ok(record)) = reader.records().next() else { return Err("unreadable quoting".to_owned()) };
        if record.len() != FIELDS {
            return Err(wrong(record.len()));
        }
        *owned = record.iter().map(str::to_owned).collect();
        return Ok(std::array::from_fn(|i| owned[i].as_str()));
    }
    // Commas are ASCII, so cutting the UTF-8 text at them always lands on character boundaries.
    let bytes = line.as_bytes();
    let mut out = [""; FIELDS];
    let mut from = 0usize;
    for (i, field) in out.iter_mut().enumerate() {
        let next = memchr::memchr(b',', &bytes[from..]);
        if i + 1 == FIELDS {
            if next.is_some() {
                return Err(wrong(FIELDS + memchr::memchr_iter(b',', &bytes[from..]).count()));
            }
            *field = &line[from..];
        } else {
            let Some(at) = next else { return Err(wrong(i + 1)) };
            *field = &line[from..from + at];
            from += at + 1;
        }
    }
    Ok(out)
}

type Check<T> = Result<T, (&'static str, String)>;

fn parse_row<'a>(f: &[&'a str; FIELDS], units: &BasicUnits) -> Check<Parsed<'a>> {
    let contract_no = f[0].trim_ascii();
    if contract_no.is_empty() {
        return Err(("contract_no", "must not be empty".into()));
    }
    let year = rules::registration_year(f[1].trim_ascii()).map_err(|e| ("registered_on", e))?;
    let contract_type = rules::contract_type(f[2].trim_ascii()).map_err(|e| ("contract_type", e))?;
    let unit = |field: &'static str, s: &str| {
        units
            .lookup(s.trim_ascii())
            .ok_or_else(|| (field, format!("'{}' is not a county-level division code", s.trim_ascii())))
    };
    let seller = unit("seller_division", f[3])?;
    let buyer = unit("buyer_division", f[4])?;
    if f[5].trim_ascii().is_empty() {
        return Err(("seller_kind", "must not be empty".into()));
    }
    let turnover = rules::amount_in_fen(f[7].trim_ascii()).map_err(|e| ("turnover_yuan", e))?;
    let tech = rules::amount_in_fen(f[8].trim_ascii()).map_err(|e| ("tech_amount_yuan", e))?;
    rules::technical_within_turnover(tech, turnover).map_err(|e| ("tech_amount_yuan", e))?;
    Ok(Parsed { contract_no, year, contract_type, seller, buyer, turnover, tech })
}

fn add(acc: &mut Sums, p: &Parsed<'_>, sign: i64) {
    for (side, unit) in [(Side::Seller, p.seller), (Side::Buyer, p.buyer)] {
        let (turnover, tech) = (i128::from(sign * p.turnover), i128::from(sign * p.tech));
        acc.add((side, unit, p.year, p.contract_type), sign, turnover, tech);
    }
    acc.add_flow(flow_key(p.seller, p.buyer, p.year), sign, i128::from(sign * p.turnover));
}

/// Whole lines of the file, in its encoding.
struct Chunk {
    index: usize,
    bytes: Vec<u8>,
}

/// What a worker found in a chunk. Line numbers are counted from the chunk's start (0 = its first line): only the
/// merge, which takes chunks in file order, knows where each chunk starts. The sums are not here: each worker
/// keeps one roll-up for all its chunks (sums do not care about order), so a registry with hundreds of thousands
/// of groups is not re-hashed chunk by chunk on the merging thread.
struct ChunkResult {
    index: usize,
    lines: u64,
    rows: u64,
    registered_in_ttdz: u64,
    not_utf8: bool,
    problems: Problems,
    rejects: Vec<(String, u64, String)>,
}

fn parse_chunk(
    chunk: &Chunk,
    encoding: Encoding,
    units: &BasicUnits,
    (file, registered): (&str, &HashSet<String>),
    keep_rejects: bool,
    acc: &mut Sums,
    seen: &mut Seen,
) -> ChunkResult {
    let mut r = ChunkResult {
        index: chunk.index,
        lines: 0,
        rows: 0,
        registered_in_ttdz: 0,
        not_utf8: false,
        problems: Problems::new(file),
        rejects: Vec::new(),
    };
    let decoded;
    let text: &str = match encoding {
        // Validated with SIMD: checking a gigabyte of mostly Chinese text was a tenth of an import.
        Encoding::Utf8 => match simdutf8::basic::from_utf8(&chunk.bytes) {
            Ok(t) => t,
            Err(_) => {
                r.not_utf8 = true;
                return r;
            }
        },
        Encoding::Gbk => {
            decoded = encoding.decode(&chunk.bytes);
            &decoded
        }
    };
    let mut start = 0usize;
    let bytes = text.as_bytes();
    // One look for a quote in the whole chunk spares a look in every line of the (usual) chunk without any.
    let quoted = memchr::memchr(b'"', bytes).is_some();
    let mut owned = Vec::new();
    let mut rows = Vec::with_capacity(ROWS_PER_ADD);
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
        let checked =
            fields(line, quoted, &mut owned).map_err(|e| (None, e)).and_then(|f| match parse_row(&f, units) {
                Ok(p) if !registered.is_empty() && registered.contains(p.contract_no) => {
                    r.registered_in_ttdz += 1;
                    Ok(())
                }
                Ok(p) => {
                    seen.hashes.push(contract_hash(p.contract_no));
                    seen.numbers.add(p.contract_no);
                    let seller = acc.place(Side::Seller, p.seller, p.year, p.contract_type);
                    let buyer = acc.place(Side::Buyer, p.buyer, p.year, p.contract_type);
                    rows.push((seller, buyer, flow_key(p.seller, p.buyer, p.year), p.turnover, p.tech));
                    if rows.len() == ROWS_PER_ADD {
                        acc.add_rows(&mut rows);
                    }
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
    acc.add_rows(&mut rows);
    r
}

/// What a worker keeps of each counted row beside its sums: the number's hash for the duplicate check, and the
/// number itself.
#[derive(Default)]
struct Seen {
    hashes: Vec<u64>,
    numbers: NumberCollector,
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
    // Parsed chunks' buffers go back to the reader to be filled again: no fresh allocation (and page faults) per
    // chunk.
    let (pool_tx, pool_rx) = mpsc::channel::<Vec<u8>>();

    let outcome = std::thread::scope(|scope| -> Result<Result<ReadTotals, NotUtf8>, IngestError> {
        let mut workers = Vec::new();
        for _ in 0..options.threads.max(1) {
            let job_rx = Arc::clone(&job_rx);
            let result_tx = result_tx.clone();
            let pool_tx = pool_tx.clone();
            let name = &name;
            workers.push(scope.spawn(move || {
                let mut acc = Sums::new(units.codes.len());
                let mut seen = Seen::default();
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok(chunk) = job else { break };
                    let result = parse_chunk(
                        &chunk,
                        encoding,
                        units,
                        (name, &options.registered),
                        keep_rejects,
                        &mut acc,
                        &mut seen,
                    );
                    let _ = pool_tx.send(chunk.bytes);
                    if result_tx.send(result).is_err() {
                        break;
                    }
                }
                (acc, seen)
            }));
        }
        drop(result_tx);
        let mut totals = ReadTotals::new(&name, units.codes.len());
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
            // Read into the spare capacity: nothing is zeroed first.
            let n = (&mut file).take(options.chunk_bytes as u64).read_to_end(&mut buffer).map_err(io)?;
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
            let mut next = pool_rx.try_recv().unwrap_or_else(|_| Vec::with_capacity(options.chunk_bytes + 4096));
            next.clear();
            next.extend_from_slice(&buffer[cut..]);
            buffer.truncate(cut);
            let mut lines = std::mem::replace(&mut buffer, next);
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
        for worker in workers {
            let (acc, seen) = worker.join().map_err(|_| io(std::io::Error::other("a parsing thread failed")))?;
            totals.absorb_sums(acc);
            totals.hashes.push(seen.hashes);
            totals.numbers.push(seen.numbers);
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

    let duplicates = colliding_hashes(std::mem::take(&mut totals.hashes));
    if !duplicates.is_empty() {
        remove_duplicates(path, encoding, (units, &options.registered), &duplicates, &mut totals, rejects)?;
    }
    let rollups = totals
        .acc
        .groups()
        .map(|(side, unit, year, contract_type, a)| ContractRollup {
            side,
            division: units.codes[usize::from(unit)],
            year,
            contract_type,
            contracts: a.contracts,
            turnover: Decimal::from_i128_with_scale(a.turnover, 2),
            tech_amount: Decimal::from_i128_with_scale(a.tech, 2),
        })
        .collect::<Vec<_>>();
    let mut rollups = rollups;
    rollups.sort_by_key(|r| (r.side, r.division, r.year, r.contract_type));
    let mut flows: Vec<ContractFlow> = totals
        .acc
        .flows
        .iter()
        .filter(|(_, (contracts, _))| *contracts > 0)
        .map(|(&key, &(contracts, turnover))| {
            let (seller, buyer, year) = flow_of(key);
            ContractFlow {
                seller: units.codes[usize::from(seller)],
                buyer: units.codes[usize::from(buyer)],
                year,
                contracts: contracts as u64,
                turnover: Decimal::from_i128_with_scale(turnover, 2),
            }
        })
        .collect();
    // In the order of the table's key (dataset, seller, buyer, year), so storing them appends to its index instead
    // of going through it once a year: about a tenth less time to store a national file's millions of flows.
    flows.sort_by_key(|f| (f.seller, f.buyer, f.year));
    let numbers = CountedNumbers::merge(std::mem::take(&mut totals.numbers));
    Ok(Ok(ContractsFile {
        encoding,
        rows: totals.rows,
        accepted: totals.rows - totals.problems.bad_lines - totals.registered_in_ttdz,
        registered_in_ttdz: totals.registered_in_ttdz,
        sha256: totals.sha256,
        rollups,
        flows,
        numbers,
        problems: totals.problems,
    }))
}

struct ReadTotals {
    rows: u64,
    registered_in_ttdz: u64,
    acc: Sums,
    /// Each worker's contract-number hashes.
    hashes: Vec<Vec<u64>>,
    /// Each worker's contract numbers.
    numbers: Vec<NumberCollector>,
    problems: Problems,
    sha256: String,
}

impl ReadTotals {
    fn new(file: &str, units: usize) -> Self {
        ReadTotals {
            rows: 0,
            registered_in_ttdz: 0,
            acc: Sums::new(units),
            hashes: Vec::new(),
            numbers: Vec::new(),
            problems: Problems::new(file),
            sha256: String::new(),
        }
    }

    fn absorb(&mut self, r: ChunkResult) {
        self.rows += r.rows;
        self.registered_in_ttdz += r.registered_in_ttdz;
        self.problems.merge(r.problems);
    }

    /// One worker's sums over all its chunks. The first is taken whole; the others are added to it.
    fn absorb_sums(&mut self, acc: Sums) {
        if self.acc.years.is_empty()
            && self.acc.overflow.is_empty()
            && self.acc.spill.is_empty()
            && self.acc.flows.is_empty()
        {
            self.acc = acc;
        } else {
            self.acc.absorb(acc);
        }
    }
}

/// The hashes that occur more than once, in one list or across lists. Each list is sorted on a thread of its own
/// (a radix sort: the hashes are uniform 64-bit numbers), then the sorted lists are walked together.
fn colliding_hashes(mut lists: Vec<Vec<u64>>) -> HashSet<u64> {
    std::thread::scope(|s| {
        for list in &mut lists {
            s.spawn(|| radix_sort(list));
        }
    });
    let mut dup = HashSet::new();
    let mut previous = None;
    let mut note = |hash: u64| {
        if previous == Some(hash) {
            dup.insert(hash);
        }
        previous = Some(hash);
    };
    match lists.as_slice() {
        [] => {}
        [one] => one.iter().for_each(|&h| note(h)),
        [a, b] => {
            // Two lists, the common case on two cores: a plain merge.
            let (mut i, mut j) = (0, 0);
            while i < a.len() || j < b.len() {
                if j == b.len() || (i < a.len() && a[i] <= b[j]) {
                    note(a[i]);
                    i += 1;
                } else {
                    note(b[j]);
                    j += 1;
                }
            }
        }
        _ => {
            let mut heads: std::collections::BinaryHeap<std::cmp::Reverse<(u64, usize, usize)>> = lists
                .iter()
                .enumerate()
                .filter_map(|(l, list)| Some(std::cmp::Reverse((*list.first()?, l, 0))))
                .collect();
            while let Some(std::cmp::Reverse((hash, l, i))) = heads.pop() {
                note(hash);
                if let Some(&next) = lists[l].get(i + 1) {
                    heads.push(std::cmp::Reverse((next, l, i + 1)));
                }
            }
        }
    }
    dup
}

/// Sorts in six passes of 11 bits, least significant first: 2,048 buckets a pass stay in the caches.
fn radix_sort(values: &mut Vec<u64>) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    let mut scratch = vec![0u64; values.len()];
    for pass in 0..64u32.div_ceil(BITS) {
        let shift = pass * BITS;
        let digit = |v: u64| ((v >> shift) as usize) & (BUCKETS - 1);
        let mut starts = [0usize; BUCKETS];
        for &v in values.iter() {
            starts[digit(v)] += 1;
        }
        let mut at = 0;
        for s in starts.iter_mut() {
            let n = *s;
            *s = at;
            at += n;
        }
        for &v in values.iter() {
            let d = digit(v);
            scratch[starts[d]] = v;
            starts[d] += 1;
        }
        std::mem::swap(values, &mut scratch);
    }
}

/// Reads the file again for the lines whose contract numbers' hashes collide; a number seen before is a
/// duplicate: reported, taken back out of the roll-up, and (when skipping) written to the rejects.
fn remove_duplicates(
    path: &Path,
    encoding: Encoding,
    (units, registered): (&BasicUnits, &HashSet<String>),
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
        let mut owned = Vec::new();
        let Ok(f) = fields(line, true, &mut owned) else { continue };
        let Ok(p) = parse_row(&f, units) else { continue };
        if !colliding.contains(&contract_hash(p.contract_no)) || registered.contains(p.contract_no) {
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

/// Writes `rows` synthetic contracts registered in `years` between `units`, shaped like a registry: sellers and
/// buyers concentrated in a few hubs with a long tail (a flattened Zipf law, weight 1/(rank + 10), over the units
/// in an order shuffled by `seed`), every contract type, field and seller kind, amounts over three orders of
/// magnitude. Reproducible from `seed`.
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
    // Shuffled (Fisher-Yates), then weighted by rank: which counties are the hubs depends on the seed only.
    let mut order: Vec<DivisionCode> = units.to_vec();
    for i in (1..order.len()).rev() {
        order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    let mut cumulative = Vec::with_capacity(order.len());
    let mut total = 0f64;
    for rank in 0..order.len() {
        total += 1.0 / (rank as f64 + 10.0);
        cumulative.push(total);
    }
    let draw = |rng: &mut SplitMix64| {
        let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        order[cumulative.partition_point(|c| *c < x).min(order.len() - 1)]
    };
    let span = (years.end() - years.start() + 1).max(1) as u64;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    writeln!(w, "{HEADER}")?;
    for n in 0..rows {
        let year = years.start() + (rng.next() % span) as i32;
        let month = 1 + rng.next() % 12;
        let day = 1 + rng.next() % 28;
        let seller = draw(&mut rng);
        let buyer = draw(&mut rng);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_radix_sort_sorts_and_collisions_are_found_within_and_across_lists() {
        let mut rng = SplitMix64(3);
        let mut values: Vec<u64> = (0..10_000).map(|_| rng.next()).collect();
        let mut expected = values.clone();
        expected.sort_unstable();
        radix_sort(&mut values);
        assert_eq!(values, expected);
        let dup = colliding_hashes(vec![vec![5, 1, 9, 1], vec![7, 9, 2]]);
        assert_eq!(dup, HashSet::from([1, 9]));
        let dup = colliding_hashes(vec![vec![3], vec![4, 8], vec![8]]);
        assert_eq!(dup, HashSet::from([8]));
        assert!(colliding_hashes(vec![vec![1, 2, 3]]).is_empty());
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
