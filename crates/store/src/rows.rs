//! Turning stored text back into domain types. Both backends read the same column shapes, so the checks live
//! here once; a stored value that no longer parses is reported as `Corrupt`, never unwrapped.

use std::str::FromStr;

use rust_decimal::Decimal;
use ttdz_domain::contract::{ContractFlow, ContractRollup, ContractType, Side};
use ttdz_domain::measure::{Area, SourceKind, SourcedValue};
use ttdz_domain::{
    Dataset, Direction, Division, DivisionCode, ElementCode, Indicator, IndicatorCode, IndicatorKind, PartialDate,
    PublishedFigure, Zone, ZoneKey,
};

use crate::{DatasetRecord, Result, StoreError};

fn corrupt<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

pub fn code(s: &str) -> Result<DivisionCode> {
    DivisionCode::parse(s).map_err(corrupt("division code"))
}

pub fn decimal(s: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(corrupt("decimal value"))
}

fn year(y: i64) -> Result<i32> {
    i32::try_from(y).map_err(corrupt("year"))
}

/// `SELECT code, name_zh, parent_code, grouping_zh FROM divisions`
pub type DivisionRow = (String, String, Option<String>, Option<String>);

pub fn division((c, name_zh, parent, grouping_zh): DivisionRow) -> Result<Division> {
    Ok(Division { code: code(&c)?, name_zh, parent: parent.as_deref().map(code).transpose()?, grouping_zh })
}

/// `SELECT seq, code, category_zh, category_en, name_zh, unit_zh, name_en, unit_en, kind, numerator, denominator,
/// factor, direction FROM indicators`, factor as text
pub type IndicatorRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub fn indicator(row: IndicatorRow) -> Result<Indicator> {
    let (seq, c, category_zh, category_en, name_zh, unit_zh, name_en, unit_en, kind, num, den, factor, direction) = row;
    let element = |s: Option<String>| s.as_deref().map(ElementCode::parse).transpose().map_err(corrupt("element"));
    Ok(Indicator {
        seq: u8::try_from(seq).map_err(corrupt("indicator seq"))?,
        code: IndicatorCode::parse(&c).map_err(corrupt("indicator code"))?,
        category_zh,
        category_en,
        name_zh,
        unit_zh,
        name_en,
        unit_en,
        kind: IndicatorKind::parse(&kind).map_err(corrupt("indicator kind"))?,
        numerator: element(num)?,
        denominator: element(den)?,
        factor: factor.as_deref().map(decimal).transpose()?,
        direction: direction.as_deref().map(Direction::parse).transpose().map_err(corrupt("direction"))?,
    })
}

/// `SELECT key, name_zh, short_name_zh, province_code, approved, approval_note, source, approval_note_zh, source_zh
/// FROM zones`
pub type ZoneRow = (String, String, String, String, Option<String>, String, String, String, String);

/// Builds a zone from its row and its members' codes in order.
pub fn zone(row: ZoneRow, members: &[String]) -> Result<Zone> {
    let (key, name_zh, short_name_zh, province, approved, approval_note, source, approval_note_zh, source_zh) = row;
    Ok(Zone {
        key: ZoneKey::parse(&key).map_err(corrupt("zone key"))?,
        name_zh,
        short_name_zh,
        province: code(&province)?,
        members: members.iter().map(|m| code(m)).collect::<Result<_>>()?,
        approved: approved.as_deref().map(PartialDate::from_str).transpose().map_err(corrupt("approval date"))?,
        approval_note,
        source,
        approval_note_zh,
        source_zh,
    })
}

/// Zones with their members, from all zone rows and all (zone key, member) rows in member order.
pub fn zones(rows: Vec<ZoneRow>, members: &[(String, String)]) -> Result<Vec<Zone>> {
    let mut zones = rows
        .into_iter()
        .map(|row| {
            let mine: Vec<String> = members.iter().filter(|(k, _)| *k == row.0).map(|(_, c)| c.clone()).collect();
            zone(row, &mine)
        })
        .collect::<Result<Vec<_>>>()?;
    sort_zones(&mut zones);
    Ok(zones)
}

/// Zones in their listing order: by approval date (unknown last), then key.
pub fn sort_zones(zones: &mut [Zone]) {
    zones.sort_by(|a, b| (a.approved.is_none(), a.approved, &a.key).cmp(&(b.approved.is_none(), b.approved, &b.key)));
}

/// `SELECT area_kind ('division' | 'zone'), area, year, value, dataset, kind, revision, note` over the value tables
/// joined with datasets, value as text
pub type SourcedRow = (String, String, i64, String, String, String, i64, Option<String>);

pub fn sourced_value((area_kind, area, y, value, source, kind, revision, note): SourcedRow) -> Result<SourcedValue> {
    let area = match area_kind.as_str() {
        "division" => Area::Division(code(&area)?),
        "zone" => Area::Zone(ZoneKey::parse(&area).map_err(corrupt("zone key"))?),
        other => return Err(StoreError::Corrupt(format!("area kind {other}"))),
    };
    Ok(SourcedValue {
        area,
        year: year(y)?,
        value: decimal(&value)?,
        source,
        kind: source_kind(&kind)?,
        revision,
        note,
    })
}

pub fn source_kind(s: &str) -> Result<SourceKind> {
    SourceKind::parse(s).ok_or_else(|| StoreError::Corrupt(format!("source kind {s}")))
}

/// `SELECT side, division_code, year, contract_type, contracts, turnover, tech_amount FROM contract_rollups`,
/// amounts as text
pub type RollupRow = (String, String, i64, String, i64, String, String);

pub fn rollup(
    (side, division, y, contract_type, contracts, turnover, tech_amount): RollupRow,
) -> Result<ContractRollup> {
    Ok(ContractRollup {
        side: Side::parse(&side).ok_or_else(|| StoreError::Corrupt(format!("contract side {side}")))?,
        division: code(&division)?,
        year: year(y)?,
        contract_type: ContractType::parse(&contract_type)
            .ok_or_else(|| StoreError::Corrupt(format!("contract type {contract_type}")))?,
        contracts: u64::try_from(contracts).map_err(corrupt("contract count"))?,
        turnover: decimal(&turnover)?,
        tech_amount: decimal(&tech_amount)?,
    })
}

/// `SELECT dataset, seller_division, buyer_division, contracts, turnover FROM contract_flows`, turnover as text, of `year`.
pub fn flow(
    (dataset, seller, buyer, contracts, turnover): (String, String, String, i64, String),
    year: i32,
) -> Result<(String, ContractFlow)> {
    let flow = ContractFlow {
        seller: code(&seller)?,
        buyer: code(&buyer)?,
        year,
        contracts: u64::try_from(contracts).map_err(corrupt("contract count"))?,
        turnover: decimal(&turnover)?,
    };
    Ok((dataset, flow))
}

/// `SELECT id, status, filed_by, locality, year, body, history, version FROM contracts`
pub type ContractRow = (i64, String, String, Option<String>, Option<i64>, String, String, i64);

pub fn contract(
    (id, status, filed_by, locality, y, body, history, version): ContractRow,
) -> Result<crate::StoredContract> {
    Ok(crate::StoredContract {
        id,
        status: ttdz_domain::registration::ContractStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("contract status {status}")))?,
        filed_by,
        filing: serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("contract {id}: {e}")))?,
        locality: locality.as_deref().map(code).transpose()?,
        year: y.map(year).transpose()?,
        history: serde_json::from_str(&history).map_err(|e| StoreError::Corrupt(format!("contract {id}: {e}")))?,
        version,
    })
}

/// `SELECT stat, division_code, name_zh, year, value, unit_zh, source_url, note FROM published_figures`, value as text
pub type FigureRow = (String, Option<String>, String, i64, String, String, Option<String>, String);

pub fn figure(row: FigureRow) -> Result<PublishedFigure> {
    let (stat, division, name_zh, y, value, unit_zh, source_url, note) = row;
    Ok(PublishedFigure {
        stat,
        division: division.as_deref().map(code).transpose()?,
        name_zh,
        year: year(y)?,
        value: decimal(&value)?,
        unit_zh,
        source_url,
        note,
    })
}

/// `SELECT name, files, sha256, source, kind, revision, recorded_by, rows, loaded_at FROM datasets`, loaded_at as
/// ISO 8601 UTC text
pub type DatasetRow =
    (String, String, String, String, String, i64, Option<String>, Option<i64>, String, Option<String>);

pub fn dataset(row: DatasetRow) -> Result<DatasetRecord> {
    let (name, files, sha256, source, kind, revision, recorded_by, rows, loaded_at, scope) = row;
    Ok(DatasetRecord {
        dataset: Dataset { name, files: files.lines().map(str::to_owned).collect(), sha256, source },
        kind: source_kind(&kind)?,
        revision,
        recorded_by,
        rows: rows.map(u64::try_from).transpose().map_err(corrupt("row count"))?,
        loaded_at,
        scope: scope.as_deref().map(code).transpose()?,
    })
}

/// `SELECT username, role, province_code, division_code, zone_key, disabled FROM accounts`, disabled as 0/1
pub type AccountRow = (String, String, Option<String>, Option<String>, Option<String>, i64);

pub fn account(
    (username, role, province, division, zone, disabled): AccountRow,
) -> Result<ttdz_domain::account::Account> {
    use ttdz_domain::account::{Account, Role, Username};
    Ok(Account {
        username: Username::parse(&username).map_err(corrupt("username"))?,
        role: Role::parse(&role).map_err(corrupt("role"))?,
        province: province.as_deref().map(code).transpose()?,
        division: division.as_deref().map(code).transpose()?,
        zone: zone.as_deref().map(ZoneKey::parse).transpose().map_err(corrupt("zone key"))?,
        disabled: disabled != 0,
    })
}

/// `SELECT id, at, actor, origin, action, zone_key, province_code, subject, before_json, after_json FROM audit_log`,
/// at as ISO 8601 UTC text
pub type AuditRow =
    (i64, String, String, String, String, Option<String>, Option<String>, String, Option<String>, Option<String>);

pub fn audit_entry(row: AuditRow) -> Result<ttdz_domain::audit::AuditEntry> {
    let (id, at, actor, origin, action, zone, province, subject, before, after) = row;
    Ok(ttdz_domain::audit::AuditEntry {
        id,
        at,
        actor,
        origin,
        action,
        zone: zone.as_deref().map(ZoneKey::parse).transpose().map_err(corrupt("zone key"))?,
        province: province.as_deref().map(code).transpose()?,
        subject,
        before,
        after,
    })
}

/// `SELECT id, zone_key, year, kind, file_name, media_type, sha256, size, uploaded_by, uploaded_at FROM documents`,
/// uploaded_at as ISO 8601 UTC text
pub type DocumentRow = (i64, String, Option<i64>, String, String, String, String, i64, String, String);

pub fn document(row: DocumentRow) -> Result<crate::DocumentRecord> {
    let (id, zone, y, kind, file_name, media_type, sha256, size, uploaded_by, uploaded_at) = row;
    Ok(crate::DocumentRecord {
        id,
        zone: ZoneKey::parse(&zone).map_err(corrupt("zone key"))?,
        year: y.map(year).transpose()?,
        kind,
        file_name,
        media_type,
        sha256,
        size: u64::try_from(size).map_err(corrupt("document size"))?,
        uploaded_by,
        uploaded_at,
    })
}

/// `SELECT id, kind, external_id, status, owner, division_code, batch, body, comment, version, created_at,
/// updated_at, published_at FROM information_records`, the times as ISO 8601 UTC text.
pub type RecordRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    i64,
    String,
    String,
    Option<String>,
);

pub fn information_record(row: RecordRow) -> Result<crate::InformationRecord> {
    let (
        id,
        kind,
        external_id,
        status,
        owner,
        division,
        batch,
        body,
        comment,
        version,
        created_at,
        updated_at,
        published_at,
    ) = row;
    use ttdz_domain::achievement::{RecordKind, RecordStatus};
    Ok(crate::InformationRecord {
        id,
        kind: RecordKind::parse(&kind).map_err(corrupt("record kind"))?,
        external_id,
        status: RecordStatus::parse(&status).map_err(corrupt("record status"))?,
        owner,
        division: division.map(|d| DivisionCode::parse(&d)).transpose().map_err(corrupt("record division"))?,
        batch,
        body,
        comment,
        version,
        created_at,
        updated_at,
        published_at,
    })
}

/// `SELECT id, body, version, created_by FROM register_entries`
pub type EntryRow = (i64, String, i64, String);

pub fn register_entry((id, body, version, created_by): EntryRow) -> Result<crate::StoredEntry> {
    Ok(crate::StoredEntry {
        id,
        entry: serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("register entry {id}: {e}")))?,
        version,
        created_by,
    })
}

/// `SELECT id, owner, status, body, winning_bid, contract_id, reason, version FROM listings`
pub type ListingRow = (i64, String, String, String, Option<i64>, Option<i64>, Option<String>, i64);

/// `SELECT id, listing_id, bidder, buyer_name, buyer_division, amount_yuan, placed_at FROM listing_bids`, the
/// amount as text.
pub type BidRow = (i64, i64, String, String, String, String, String);

pub fn bid((id, _, bidder, buyer_name, division, amount, at): BidRow) -> Result<ttdz_domain::listing::Bid> {
    Ok(ttdz_domain::listing::Bid {
        id,
        bidder,
        buyer_name,
        buyer_division: code(&division)?,
        amount_yuan: decimal(&amount)?,
        at,
    })
}

/// A listing from its row and the rows of its bids.
pub fn listing(
    (id, owner, status, body, winning_bid, contract_id, reason, version): ListingRow,
    bids: Vec<BidRow>,
) -> Result<crate::StoredListing> {
    Ok(crate::StoredListing {
        id,
        owner,
        status: ttdz_domain::listing::ListingStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("listing status {status}")))?,
        terms: serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("listing {id}: {e}")))?,
        bids: bids.into_iter().map(bid).collect::<Result<_>>()?,
        winning_bid,
        contract_id,
        reason,
        version,
    })
}
