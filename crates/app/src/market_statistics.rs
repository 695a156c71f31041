//! The technology-contract registry's statistics (技术合同登记统计): the contracts registered in TTDZ in a year, for
//! the viewer's area (a registrar's locality, a province, the nation), in the month asked and from January through
//! it, by contract type, technical field, seller kind and month, and where they flowed: to which provinces the
//! area's sellers sold and from which its buyers bought. The monthly report a province sends upward is this, as a
//! workbook. Sums are exact decimals; a contract counts in the month of its registration, Beijing time.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use ttdz_domain::DivisionCode;
use ttdz_domain::account::Role;
use ttdz_domain::contract::ContractType;
use ttdz_domain::registration::ContractStatus;
use ttdz_store::{ContractFilter, StoredContract};

use crate::{AppError, Context, Viewer};

/// Contracts and their sums.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    pub contracts: u64,
    /// 成交额, yuan (exact).
    pub turnover_yuan: String,
    /// 技术交易额, yuan (exact).
    pub tech_amount_yuan: String,
}

/// One line of a breakdown: in the month asked, and from January through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatLine {
    pub label: String,
    pub month: Totals,
    pub through: Totals,
}

/// Contracts between the area and one province, from January through the month asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowLine {
    pub province: String,
    pub name: String,
    /// For an area: sold by its sellers to buyers in this province. Nationally: sold by this province's sellers to
    /// other provinces.
    pub outflow: Totals,
    /// For an area: bought by its buyers from sellers in this province. Nationally: bought by this province's
    /// buyers from other provinces.
    pub inflow: Totals,
}

/// The registry's statistics for an area, year and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistryStatistics {
    pub year: i32,
    pub month: u8,
    /// The area's code; `None` for the nation.
    pub area: Option<String>,
    pub area_name: String,
    pub total: StatLine,
    pub by_type: Vec<StatLine>,
    pub by_field: Vec<StatLine>,
    pub by_seller_kind: Vec<StatLine>,
    /// January to the month asked: `month` is that month's, `through` the running total.
    pub by_month: Vec<StatLine>,
    pub flows: Vec<FlowLine>,
    /// 数据来源.
    pub source: String,
}

#[derive(Debug, Clone, Copy, Default)]
struct Sum {
    contracts: u64,
    turnover: Decimal,
    tech: Decimal,
}

impl Sum {
    fn add(&mut self, c: &StoredContract) {
        self.contracts += 1;
        self.turnover += c.filing.turnover_yuan;
        self.tech += c.filing.tech_amount_yuan;
    }

    fn totals(self) -> Totals {
        Totals {
            contracts: self.contracts,
            turnover_yuan: format!("{:.2}", self.turnover),
            tech_amount_yuan: format!("{:.2}", self.tech),
        }
    }
}

/// Month and through-month sums per key, in the keys' order.
struct Breakdown<K: Ord>(BTreeMap<K, (Sum, Sum)>);

impl<K: Ord> Breakdown<K> {
    fn new() -> Self {
        Breakdown(BTreeMap::new())
    }

    fn add(&mut self, key: K, in_month: bool, c: &StoredContract) {
        let (month, through) = self.0.entry(key).or_default();
        through.add(c);
        if in_month {
            month.add(c);
        }
    }

    fn lines(self, label: impl Fn(&K) -> String) -> Vec<StatLine> {
        self.0
            .into_iter()
            .map(|(k, (month, through))| StatLine {
                label: label(&k),
                month: month.totals(),
                through: through.totals(),
            })
            .collect()
    }
}

/// The area whose registry the viewer reads: a registrar's locality, a province's province, the nation for the
/// ministry; nobody else's.
fn area_of(viewer: &Viewer) -> Result<Option<DivisionCode>, AppError> {
    match viewer {
        Viewer::Service | Viewer::Operator(_) => Ok(None),
        Viewer::Public => Err(AppError::Unauthorized("sign in to read the registry's statistics".into())),
        Viewer::Account(a) => match a.role {
            Role::Ministry => Ok(None),
            Role::Province => Ok(a.province),
            Role::Registrar => Ok(a.division.or(a.province)),
            Role::Institution | Role::Expert | Role::Broker => Err(AppError::Forbidden(format!(
                "{} may not read the registry's statistics: registrars, provinces and the ministry do",
                viewer.label()
            ))),
        },
    }
}

/// The month (Beijing time) a contract was registered in, from its registration step.
fn registered_month(c: &StoredContract) -> Option<u8> {
    let at = c.history.iter().rev().find(|e| e.action == "register")?;
    crate::format::beijing_time(&at.at).get(5..7)?.parse().ok()
}

/// The registry's statistics of `year` through `month` (default: this month of this year, December of another) for
/// the viewer's area.
pub async fn statistics(
    ctx: &Context,
    viewer: &Viewer,
    year: Option<i32>,
    month: Option<u8>,
) -> Result<RegistryStatistics, AppError> {
    let area = area_of(viewer)?;
    let this_year = ctx.clock().year();
    let year = year.unwrap_or(this_year);
    if !(1980..=this_year).contains(&year) {
        return Err(AppError::Invalid(format!("year: {year} is not from 1980 to {this_year}")));
    }
    let month = match month {
        Some(m) if (1..=12).contains(&m) => m,
        Some(m) => return Err(AppError::Invalid(format!("month: {m} is not from 1 to 12"))),
        None if year == this_year => ctx.clock().today_iso().get(5..7).and_then(|m| m.parse().ok()).unwrap_or(12),
        None => 12,
    };
    let filter =
        ContractFilter { status: Some(ContractStatus::Registered), year: Some(year), ..ContractFilter::default() };
    let registered = ctx.store().contracts(&filter).await?;
    let tree = ctx.tree(None).await?;
    let within = |code: &DivisionCode| area.is_none_or(|a| code.is_within(&a));

    let mut total: Breakdown<()> = Breakdown::new();
    let (mut by_type, mut by_field, mut by_kind) = (Breakdown::new(), Breakdown::new(), Breakdown::new());
    let mut by_month: BTreeMap<u8, Sum> = (1..=month).map(|m| (m, Sum::default())).collect();
    // (outflow, inflow) per province.
    let mut flows: BTreeMap<DivisionCode, (Sum, Sum)> = BTreeMap::new();
    for c in &registered {
        let Some(m) = registered_month(c).filter(|m| *m <= month) else { continue };
        let (seller, buyer) = (c.filing.seller_division, c.filing.buyer_division);
        if within(&seller) {
            let in_month = m == month;
            total.add((), in_month, c);
            by_type.add(c.filing.contract_type, in_month, c);
            by_field.add(c.filing.field.clone(), in_month, c);
            by_kind.add(c.filing.seller_kind.clone(), in_month, c);
            if let Some(sum) = by_month.get_mut(&m) {
                sum.add(c);
            }
        }
        match area {
            Some(_) => {
                if within(&seller) && !within(&buyer) {
                    flows.entry(buyer.province()).or_default().0.add(c);
                }
                if within(&buyer) && !within(&seller) {
                    flows.entry(seller.province()).or_default().1.add(c);
                }
            }
            None if seller.province() != buyer.province() => {
                flows.entry(seller.province()).or_default().0.add(c);
                flows.entry(buyer.province()).or_default().1.add(c);
            }
            None => {}
        }
    }
    let mut running = Sum::default();
    let by_month = by_month
        .into_iter()
        .map(|(m, sum)| {
            running.contracts += sum.contracts;
            running.turnover += sum.turnover;
            running.tech += sum.tech;
            StatLine { label: format!("{m}月"), month: sum.totals(), through: running.totals() }
        })
        .collect();
    let name = |code: &DivisionCode| tree.get(code).map_or_else(|| code.to_string(), |d| d.name_zh.clone());
    Ok(RegistryStatistics {
        year,
        month,
        area: area.map(|a| a.to_string()),
        area_name: area.map_or_else(|| "全国".to_owned(), |a| crate::place_name(&tree, &a)),
        total: total.lines(|_| "合计".to_owned()).pop().unwrap_or_else(|| StatLine {
            label: "合计".to_owned(),
            month: Sum::default().totals(),
            through: Sum::default().totals(),
        }),
        by_type: by_type.lines(|t: &ContractType| t.name_zh().to_owned()),
        by_field: by_field.lines(String::clone),
        by_seller_kind: by_kind.lines(String::clone),
        by_month,
        flows: flows
            .into_iter()
            .map(|(p, (out, inflow))| FlowLine {
                province: p.to_string(),
                name: name(&p),
                outflow: out.totals(),
                inflow: inflow.totals(),
            })
            .collect(),
        source: format!("TTDZ 技术合同认定登记（registry:live:{year}），截至{year}年{month}月，按登记日期（北京时间）"),
    })
}

/// The statistics as the workbook a province sends upward: one sheet per breakdown, amounts in 万元.
pub fn workbook(stats: &RegistryStatistics) -> Result<Vec<u8>, AppError> {
    use ttdz_xlsx::tables::{Cell, Sheet};
    let wan = |yuan: &str| Cell::Amount(yuan.parse::<Decimal>().unwrap_or_default() / Decimal::from(10_000));
    let totals = |t: &Totals| vec![Cell::Count(t.contracts), wan(&t.turnover_yuan), wan(&t.tech_amount_yuan)];
    let period = format!("{}年{}月", stats.year, stats.month);
    let headers = |first: &str| {
        [
            first,
            "本月项数",
            "本月成交额（万元）",
            "本月技术交易额（万元）",
            "累计项数",
            "累计成交额（万元）",
            "累计技术交易额（万元）",
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let breakdown = |name: &str, first: &str, lines: &[StatLine], with_total: bool| {
        let mut rows: Vec<Vec<Cell>> = lines
            .iter()
            .map(|l| [vec![Cell::Text(l.label.clone())], totals(&l.month), totals(&l.through)].concat())
            .collect();
        if with_total {
            let t = &stats.total;
            rows.push([vec![Cell::Text(t.label.clone())], totals(&t.month), totals(&t.through)].concat());
        }
        Sheet {
            name: name.to_owned(),
            title: format!("{} 技术合同登记统计 · {period} · {name}", stats.area_name),
            source: format!("数据来源：{}", stats.source),
            headers: headers(first),
            rows,
        }
    };
    let flow_rows = stats
        .flows
        .iter()
        .map(|f| {
            [vec![Cell::Text(f.province.clone()), Cell::Text(f.name.clone())], totals(&f.outflow), totals(&f.inflow)]
                .concat()
        })
        .collect();
    let sheets = [
        breakdown("按合同类型", "合同类型", &stats.by_type, true),
        breakdown("按技术领域", "技术领域", &stats.by_field, true),
        breakdown("按卖方类型", "卖方类型", &stats.by_seller_kind, true),
        breakdown("按月", "月份", &stats.by_month, false),
        Sheet {
            name: "技术流向".to_owned(),
            title: format!("{} 技术合同流向 · {}年1—{}月", stats.area_name, stats.year, stats.month),
            source: format!("数据来源：{}", stats.source),
            headers: [
                "省份代码",
                "省份",
                "输出项数",
                "输出成交额（万元）",
                "输出技术交易额（万元）",
                "吸纳项数",
                "吸纳成交额（万元）",
                "吸纳技术交易额（万元）",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows: flow_rows,
        },
    ];
    ttdz_xlsx::tables::workbook(&sheets).map_err(|e| AppError::Method(e.to_string()))
}
