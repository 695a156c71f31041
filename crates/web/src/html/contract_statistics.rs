//! The registry's statistics in the browser (`/contracts/statistics`): for a registrar's locality, a province or
//! the nation, the month asked and January through it, by contract type, field, seller kind and month, the flows
//! to and from other provinces as bars and a table, amounts in 万元; with the workbook to send upward.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use ttdz_app::market_statistics::{RegistryStatistics, StatLine, Totals};

use super::{Desk, PageError, render};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct StatisticsParams {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    month: Option<String>,
}

/// A line as read: a label, then count, 成交额 and 技术交易额 in 万元 for the month and through it.
struct Row {
    label: String,
    cells: [String; 6],
}

fn row(label: &str, month: &Totals, through: &Totals) -> Row {
    let wan = ttdz_app::format::yuan_in_wan;
    Row {
        label: label.to_owned(),
        cells: [
            month.contracts.to_string(),
            wan(&month.turnover_yuan),
            wan(&month.tech_amount_yuan),
            through.contracts.to_string(),
            wan(&through.turnover_yuan),
            wan(&through.tech_amount_yuan),
        ],
    }
}

fn rows(lines: &[StatLine], total: Option<&StatLine>) -> Vec<Row> {
    lines.iter().chain(total).map(|l| row(&l.label, &l.month, &l.through)).collect()
}

#[derive(Template)]
#[template(path = "contract_statistics.html")]
struct StatisticsTemplate {
    page: super::Page,
    stats: RegistryStatistics,
    /// (heading, rows) per breakdown.
    tables: Vec<(&'static str, Vec<Row>)>,
    flows: Vec<Row>,
    outflow_bars: String,
    inflow_bars: String,
    /// Query string of the workbook link.
    query: String,
    problem: Option<String>,
}

impl StatisticsTemplate {
    fn wan(&self, yuan: &str) -> String {
        ttdz_app::format::yuan_in_wan(yuan)
    }
}

pub async fn statistics(
    State(state): State<AppState>,
    Desk { page, caller, .. }: Desk,
    Query(asked): Query<StatisticsParams>,
) -> Result<Response, PageError> {
    let viewer = caller.viewer();
    let number = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let (year_text, month_text) = (number(&asked.year), number(&asked.month));
    let year = year_text.as_deref().map(|y| y.parse::<i32>().map_err(|_| format!("year: '{y}' is not a year")));
    let month = month_text.as_deref().map(|m| m.parse::<u8>().map_err(|_| format!("month: '{m}' is not a month")));
    let mut problem = [year.clone().and_then(Result::err), month.clone().and_then(Result::err)]
        .into_iter()
        .flatten()
        .reduce(|a, b| format!("{a}; {b}"));
    let (year, month) = (year.and_then(Result::ok), month.and_then(Result::ok));
    let app = state.app();
    let stats = match ttdz_app::market_statistics::statistics(app, &viewer, year, month).await {
        Err(ttdz_app::AppError::Invalid(message)) => {
            problem = Some(problem.map_or(message.clone(), |p| format!("{p}; {message}")));
            allowed!(page, ttdz_app::market_statistics::statistics(app, &viewer, None, None).await)
        }
        other => allowed!(page, other),
    };
    let t = page.t;
    let tables = vec![
        (t.stats_by_type, rows(&stats.by_type, Some(&stats.total))),
        (t.stats_by_field, rows(&stats.by_field, Some(&stats.total))),
        (t.stats_by_seller_kind, rows(&stats.by_seller_kind, Some(&stats.total))),
        (t.stats_by_month, rows(&stats.by_month, None)),
    ];
    let flows = stats
        .flows
        .iter()
        .map(|f| {
            let mut r = row(&f.name, &f.outflow, &f.inflow);
            r.label = format!("{}（{}）", f.name, f.province);
            r
        })
        .collect();
    let bars = |amount: fn(&ttdz_app::market_statistics::FlowLine) -> &str| -> Vec<(String, Option<f64>, String)> {
        stats
            .flows
            .iter()
            .map(|f| {
                let yuan = amount(f);
                (f.name.clone(), yuan.parse().ok(), ttdz_app::format::yuan_in_wan(yuan))
            })
            .collect()
    };
    Ok(render(&StatisticsTemplate {
        outflow_bars: ttdz_docs::charts::bars(t.stats_outflow, &bars(|f| &f.outflow.turnover_yuan)),
        inflow_bars: ttdz_docs::charts::bars(t.stats_inflow, &bars(|f| &f.inflow.turnover_yuan)),
        query: format!("year={}&month={}", stats.year, stats.month),
        tables,
        flows,
        stats,
        problem,
        page,
    }))
}
