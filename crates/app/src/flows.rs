//! The technology flow between places (技术流向): registered contracts from the seller's place to the buyer's, in
//! one year, between the zones and between the provinces. Contracts arrive as flows between basic units (counties,
//! and cities without counties) with each contracts batch; a zone holds a unit when the unit lies within one of its
//! members. Zones may overlap, so a contract can count for two zones; each zone's own figures are exact.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use ttdz_domain::DivisionCode;
use ttdz_domain::contract::ContractFlow;
use ttdz_domain::measure::SourceKind;

use crate::{AppError, Context, Viewer};

/// The key of the places outside every zone shown.
pub const ELSEWHERE: &str = "elsewhere";

/// One place a flow starts or ends in: a zone, a province, or everywhere else.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowPlace {
    /// Zone key, 6-digit province code, or `elsewhere`.
    pub key: String,
    pub name_zh: String,
    /// 成交额 of contracts sold here to buyers outside it, yuan.
    pub outflow_yuan: String,
    /// 成交额 of contracts bought here from sellers outside it, yuan.
    pub inflow_yuan: String,
    /// 成交额 of contracts with seller and buyer both here, yuan.
    pub within_yuan: String,
    pub outflow_contracts: u64,
    pub inflow_contracts: u64,
    pub within_contracts: u64,
}

/// Contracts from one place to another.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowCell {
    pub from: String,
    pub to: String,
    pub contracts: u64,
    /// 成交额, yuan (exact decimal).
    pub turnover_yuan: String,
}

/// The flows of a year between the zones, or between the provinces.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowView {
    /// `zone` or `province`.
    pub level: &'static str,
    /// The year shown: the one asked for, or the latest with flows.
    pub year: Option<i32>,
    /// Every year with flows.
    pub years: Vec<i32>,
    /// The places, in order (zones, then `elsewhere`; or provinces by code).
    pub places: Vec<FlowPlace>,
    /// Every pair of places with contracts between them, a place to itself included.
    pub cells: Vec<FlowCell>,
    /// True when any flow comes from a synthetic or demo batch.
    pub synthetic: bool,
    /// The batches the flows come from.
    pub sources: Vec<String>,
}

/// Which level to show the flows at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowLevel {
    Zone,
    Province,
}

impl FlowLevel {
    pub fn parse(s: &str) -> Option<FlowLevel> {
        match s {
            "zone" => Some(FlowLevel::Zone),
            "province" => Some(FlowLevel::Province),
            _ => None,
        }
    }
}

#[derive(Default, Clone, Copy)]
struct Sum {
    contracts: u64,
    turnover: Decimal,
}

impl Sum {
    fn add(&mut self, f: &ContractFlow) {
        self.contracts += f.contracts;
        self.turnover += f.turnover;
    }
}

/// The flows of `year` (default: the latest with flows) at `level`, the zones as `viewer` may see them.
pub async fn flows(ctx: &Context, viewer: &Viewer, level: FlowLevel, year: Option<i32>) -> Result<FlowView, AppError> {
    let years = ctx.store().contract_flow_years().await?;
    let year = year.or_else(|| years.last().copied());
    let rows = match year {
        Some(y) => ctx.store().contract_flows(y).await?,
        None => Vec::new(),
    };
    let datasets = ctx.store().datasets().await?;
    let mut sources: Vec<String> = rows.iter().map(|(d, _)| d.clone()).collect();
    sources.dedup();
    let synthetic = sources.iter().any(|name| {
        datasets.iter().any(|d| &d.dataset.name == name && matches!(d.kind, SourceKind::Synthetic | SourceKind::Demo))
    });
    let tree = ctx.tree(None).await?;
    // Each place: its key, its name, and the divisions it is made of.
    let places: Vec<(String, String, Vec<DivisionCode>)> = match level {
        FlowLevel::Zone => crate::visibility::zones_for(ctx, viewer)
            .await?
            .into_iter()
            .map(|z| (z.key.to_string(), z.short_name_zh.clone(), z.members))
            .collect(),
        FlowLevel::Province => {
            let mut provinces: Vec<DivisionCode> =
                rows.iter().flat_map(|(_, f)| [f.seller.province(), f.buyer.province()]).collect();
            provinces.sort();
            provinces.dedup();
            provinces
                .into_iter()
                .map(|p| (p.to_string(), tree.get(&p).map_or_else(|| p.to_string(), |d| d.name_zh.clone()), vec![p]))
                .collect()
        }
    };
    let elsewhere = places.len();
    let places_of = |unit: &DivisionCode| -> Vec<usize> {
        let found: Vec<usize> =
            (0..elsewhere).filter(|i| places[*i].2.iter().any(|member| unit.is_within(member))).collect();
        if found.is_empty() { vec![elsewhere] } else { found }
    };
    let mut cells: BTreeMap<(usize, usize), Sum> = BTreeMap::new();
    let mut totals = vec![(Sum::default(), Sum::default(), Sum::default()); elsewhere + 1];
    for (_, f) in &rows {
        let (from, to) = (places_of(&f.seller), places_of(&f.buyer));
        for s in &from {
            for b in &to {
                cells.entry((*s, *b)).or_default().add(f);
            }
        }
        // A place's own totals: within when both ends are in it, else out of the seller's and into the buyer's.
        for s in &from {
            if to.contains(s) {
                totals[*s].2.add(f);
            } else {
                totals[*s].0.add(f);
            }
        }
        for b in to.iter().filter(|b| !from.contains(b)) {
            totals[*b].1.add(f);
        }
    }
    let key_of = |i: usize| places.get(i).map_or(ELSEWHERE.to_owned(), |p| p.0.clone());
    let shown: Vec<FlowPlace> = places
        .iter()
        .map(|(key, name, _)| (key.clone(), name.clone()))
        .chain((level == FlowLevel::Zone).then(|| (ELSEWHERE.to_owned(), "其他地区".to_owned())))
        .enumerate()
        .map(|(i, (key, name_zh))| {
            let (out, inflow, within) = totals[i];
            FlowPlace {
                key,
                name_zh,
                outflow_yuan: out.turnover.normalize().to_string(),
                inflow_yuan: inflow.turnover.normalize().to_string(),
                within_yuan: within.turnover.normalize().to_string(),
                outflow_contracts: out.contracts,
                inflow_contracts: inflow.contracts,
                within_contracts: within.contracts,
            }
        })
        .collect();
    Ok(FlowView {
        level: match level {
            FlowLevel::Zone => "zone",
            FlowLevel::Province => "province",
        },
        year,
        years,
        places: shown,
        cells: cells
            .into_iter()
            .map(|((s, b), sum)| FlowCell {
                from: key_of(s),
                to: key_of(b),
                contracts: sum.contracts,
                turnover_yuan: sum.turnover.normalize().to_string(),
            })
            .collect(),
        synthetic,
        sources,
    })
}
