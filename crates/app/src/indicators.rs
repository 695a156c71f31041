//! Indicator reports: the Annex 2 indicators of an area and year, each traced to the datasets it came from.

use std::collections::{BTreeSet, HashMap};

use ttdz_domain::measure::{Area, Basis, Figure, Inputs, Reported, SourceKind, Warning};
use ttdz_domain::report::ReportStatus;
use ttdz_domain::{ElementCode, Indicator, IndicatorKind};
use ttdz_store::reported_for;

use serde::Serialize;

use crate::{AppError, Context, Viewer};

fn figure_view(element: &str, f: &Figure) -> FigureView {
    let (basis, parts_with_values, parts) = match f.basis {
        Basis::Reported { .. } => ("reported", None, None),
        Basis::Register { .. } => ("register", None, None),
        Basis::Sum { parts_with_values, parts } => ("sum", Some(parts_with_values), Some(parts)),
    };
    FigureView {
        element: element.to_owned(),
        value: f.value.to_string(),
        basis,
        parts_with_values,
        parts,
        sources: f.sources.iter().cloned().collect(),
    }
}

fn warning_text(w: &Warning) -> String {
    match w {
        Warning::PartsDisagree { area, reported, sum_of_parts } => {
            format!("{area}: the reported total {reported} differs from the sum of its parts {sum_of_parts}")
        }
        Warning::Incomplete { area, parts_with_values, parts } => {
            format!("{area}: only {parts_with_values} of {parts} parts have a value")
        }
        Warning::RegisterDiffers { area, registered, reported, source } => {
            format!("{area}: the register counts {registered}; {source} reported {reported}")
        }
    }
}

/// The year's report of a zone that is not accepted yet, if `viewer` oversees the zone and it has values.
async fn pending_report(
    ctx: &Context,
    viewer: &Viewer,
    zone: &ttdz_domain::Zone,
    year: i32,
) -> Result<Option<ttdz_store::AnnualReport>, AppError> {
    if !crate::visibility::oversees_zone(ctx, viewer, zone).await? {
        return Ok(None);
    }
    let report = ctx.store().annual_report(&zone.key, year).await?;
    Ok(report.filter(|r| r.status != ReportStatus::Accepted))
}

/// `reported` with a report's drafted values in place of the published ones (a report beats the registry, and
/// the draft is the newest report).
fn with_draft(
    reported: &HashMap<ElementCode, Reported>,
    report: &ttdz_store::AnnualReport,
) -> Result<HashMap<ElementCode, Reported>, AppError> {
    let mut overlaid = reported.clone();
    let source = format!("{} (draft)", report.batch_name());
    let (divisions, zones) = report.element_values()?;
    for v in divisions {
        let entry = overlaid.entry(v.element).or_default();
        entry.divisions.insert((v.division, v.year), (v.value, source.clone()));
    }
    for v in zones {
        let entry = overlaid.entry(v.element).or_default();
        entry.zones.insert((v.zone, v.year), (v.value, source.clone()));
    }
    Ok(overlaid)
}

/// What indicator reports are computed from, read from the store once: several reports over the same data (the
/// command line's every zone and year) need not read it again each.
pub struct IndicatorData {
    pub tree: std::sync::Arc<ttdz_domain::DivisionTree>,
    pub zones: Vec<ttdz_domain::Zone>,
    pub indicators: Vec<Indicator>,
    pub(crate) reported: HashMap<ElementCode, Reported>,
    pub(crate) datasets: HashMap<String, ttdz_store::DatasetRecord>,
    /// The value of rows 13-15 per zone, year and row: the mean of the experts' grades.
    pub(crate) graded: HashMap<(ttdz_domain::ZoneKey, i32, u8), rust_decimal::Decimal>,
    /// The featured indicators (row 16) each zone's plan defines.
    pub(crate) featured: HashMap<ttdz_domain::ZoneKey, Vec<ttdz_domain::FeaturedIndicator>>,
    /// Reports as the public sees them, computed once for this data (everyone else's include what only they may
    /// see, and are computed for them).
    public: std::sync::Mutex<HashMap<(Area, Option<i32>), AreaIndicatorsView>>,
}

impl IndicatorData {
    /// The data as of the store's current revision: read again only when it has moved since the last read (one
    /// loader at a time; the others wait for its result).
    pub async fn current(ctx: &Context) -> Result<std::sync::Arc<IndicatorData>, AppError> {
        let revision = ctx.store().data_revision().await?;
        let mut cached = ctx.inner.indicator_data.lock().await;
        if let Some((at, data)) = cached.as_ref()
            && *at == revision
        {
            return Ok(std::sync::Arc::clone(data));
        }
        // A write committing while this loads may be in it already: then the next request loads again, which is
        // wasted work, never stale figures.
        let data = std::sync::Arc::new(IndicatorData::load(ctx).await?);
        *cached = Some((revision, std::sync::Arc::clone(&data)));
        Ok(data)
    }

    /// The data read from the store now.
    pub async fn load(ctx: &Context) -> Result<IndicatorData, AppError> {
        let store = ctx.store();
        let tree = ctx.tree(None).await?;
        let zones = store.zones().await?;
        let indicators = store.indicators().await?;
        let mut reported = reported_for(store, &indicators).await?;
        let mut featured = HashMap::new();
        for zone in &zones {
            let lifecycle = store.lifecycle(&zone.key).await?;
            let defined = lifecycle.as_ref().map(crate::lifecycle::approved_featured).transpose()?.unwrap_or_default();
            featured.insert(zone.key.clone(), defined);
        }
        // Every element of the dictionary, and every element a featured indicator is reported as, for the zones'
        // featured indicators (row 16).
        let elements = ttdz_domain::element::ELEMENTS.iter().map(|spec| spec.element_code());
        let own = featured.values().flatten().filter_map(ttdz_domain::FeaturedIndicator::reported_element);
        for element in elements.chain(own) {
            if let std::collections::hash_map::Entry::Vacant(slot) = reported.entry(element) {
                let values = store.reported(slot.key()).await?;
                slot.insert(values);
            }
        }
        let datasets = store.datasets().await?.into_iter().map(|d| (d.dataset.name.clone(), d)).collect();
        let graded = mean_grades(store.grades().await?);
        Ok(IndicatorData { tree, zones, indicators, reported, datasets, graded, featured, public: Default::default() })
    }

    /// The codes of every zone's featured indicators (row 16).
    pub fn featured_codes(&self) -> BTreeSet<String> {
        self.featured.values().flatten().map(|f| f.code.to_string()).collect()
    }

    /// Every year that has data, oldest first.
    pub fn years(&self) -> Vec<i32> {
        Inputs { tree: &self.tree, zones: &self.zones, reported: &self.reported }.years(&self.indicators)
    }
}

/// The indicators of `area` for `year` (default: the latest year with data), as `viewer` may see them: published
/// figures, and for those who oversee a zone, beside them the figures with its unaccepted report's values.
pub async fn area_indicators(
    ctx: &Context,
    viewer: &Viewer,
    area: Area,
    name: String,
    year: Option<i32>,
) -> Result<AreaIndicatorsView, AppError> {
    report(ctx, viewer, &*IndicatorData::current(ctx).await?, area, name, year).await
}

/// `area_indicators` over data read already.
pub async fn report(
    ctx: &Context,
    viewer: &Viewer,
    data: &IndicatorData,
    area: Area,
    name: String,
    year: Option<i32>,
) -> Result<AreaIndicatorsView, AppError> {
    if !matches!(viewer, Viewer::Public) {
        return compute(ctx, viewer, data, area, name, year).await;
    }
    let key = (area.clone(), year);
    if let Some(view) = data.public.lock().map_err(|_| poisoned())?.get(&key) {
        return Ok(view.clone());
    }
    let view = compute(ctx, viewer, data, area, name, year).await?;
    data.public.lock().map_err(|_| poisoned())?.insert(key, view.clone());
    Ok(view)
}

fn poisoned() -> AppError {
    AppError::Method("a thread computing figures failed".into())
}

async fn compute(
    ctx: &Context,
    viewer: &Viewer,
    data: &IndicatorData,
    area: Area,
    name: String,
    year: Option<i32>,
) -> Result<AreaIndicatorsView, AppError> {
    let IndicatorData { tree, zones, indicators, reported, datasets, graded, .. } = data;
    let inputs = Inputs { tree, zones, reported };
    let years = inputs.years(indicators);
    let year = year.or_else(|| years.last().copied());
    let pending = match (&area, year) {
        (Area::Zone(key), Some(y)) => match zones.iter().find(|z| &z.key == key) {
            Some(zone) => pending_report(ctx, viewer, zone, y).await?,
            None => None,
        },
        _ => None,
    };
    let drafted = pending.as_ref().map(|r| with_draft(reported, r)).transpose()?;
    let draft_inputs = drafted.as_ref().map(|d| Inputs { tree, zones, reported: d });

    let mut used: BTreeSet<String> = BTreeSet::new();
    let rows = indicators
        .iter()
        .map(|i: &Indicator| {
            let cell = year.filter(|_| i.kind == IndicatorKind::Quantitative).map(|y| inputs.cell(i, &area, y));
            let value = cell.as_ref().and_then(|c| c.value.as_ref());
            let numerator = value.map(|v| figure_view(i.numerator.as_ref().map_or("", |e| e.as_str()), &v.numerator));
            let denominator = value.and_then(|v| {
                Some(figure_view(i.denominator.as_ref().map_or("", |e| e.as_str()), v.denominator.as_ref()?))
            });
            let sources: BTreeSet<String> =
                numerator.iter().chain(denominator.iter()).flat_map(|f| f.sources.iter().cloned()).collect();
            let synthetic = sources.iter().any(|s| datasets.get(s).is_some_and(|d| d.kind == SourceKind::Synthetic));
            used.extend(sources);
            let warnings = value
                .map(|v| {
                    v.numerator
                        .warnings
                        .iter()
                        .chain(v.denominator.iter().flat_map(|d| &d.warnings))
                        .map(warning_text)
                        .collect()
                })
                .unwrap_or_default();
            // Rows 13-15 of a zone: the mean of the experts' grades on the row's rubric (1 to 5).
            let grade = match (&area, year, i.kind) {
                (Area::Zone(key), Some(y), IndicatorKind::Qualitative) => graded.get(&(key.clone(), y, i.seq)),
                _ => None,
            };
            IndicatorValueView {
                seq: i.seq,
                code: i.code.to_string(),
                name_zh: i.name_zh.clone(),
                name_en: i.name_en.clone(),
                unit_zh: i.unit_zh.clone(),
                kind: i.kind,
                value: value.map(|v| v.value.to_string()).or_else(|| grade.map(|g| g.to_string())),
                previous_value: cell.as_ref().and_then(|c| c.previous).map(|p| p.to_string()),
                growth: cell.as_ref().and_then(|c| c.growth).map(|g| g.round_dp(6).normalize().to_string()),
                numerator,
                denominator,
                warnings,
                synthetic,
                draft_value: draft_inputs.as_ref().map(|d| {
                    year.filter(|_| i.kind == IndicatorKind::Quantitative)
                        .and_then(|y| d.cell(i, &area, y).value)
                        .map(|v| v.value.to_string())
                }),
            }
        })
        .collect();
    let featured: Vec<FeaturedView> = match (&area, year) {
        (Area::Zone(key), Some(y)) => data
            .featured
            .get(key)
            .into_iter()
            .flatten()
            .map(|f| featured_view(f, &inputs.cell(&f.as_indicator(), &area, y), y, datasets))
            .collect(),
        _ => Vec::new(),
    };
    used.extend(featured.iter().flat_map(|f| f.sources.iter().cloned()));
    let sources = used
        .iter()
        .filter_map(|name| datasets.get(name))
        .map(|d| {
            let (recorded_by, files) = recorder_for(d, viewer);
            SourceView {
                name: d.dataset.name.clone(),
                kind: d.kind.as_str(),
                files,
                sha256: d.dataset.sha256.clone(),
                recorded_by,
                loaded_at: d.loaded_at.clone(),
            }
        })
        .collect();
    let area_kind = match area {
        Area::Nation => "national",
        Area::Division(_) => "division",
        Area::Zone(_) => "zone",
    };
    Ok(AreaIndicatorsView {
        area: area.to_string(),
        area_kind,
        name,
        year,
        years,
        indicators: rows,
        sources,
        featured,
        draft_status: pending.map(|r| r.status.as_str()),
    })
}

fn featured_view(
    f: &ttdz_domain::FeaturedIndicator,
    cell: &ttdz_domain::measure::IndicatorCell,
    year: i32,
    datasets: &HashMap<String, ttdz_store::DatasetRecord>,
) -> FeaturedView {
    let formula = match &f.measure {
        ttdz_domain::FeaturedMeasure::Ratio { numerator, denominator: Some(d), factor } => {
            format!("{numerator} / {d} × {factor}")
        }
        ttdz_domain::FeaturedMeasure::Ratio { numerator, denominator: None, factor } => {
            format!("{numerator} × {factor}")
        }
        ttdz_domain::FeaturedMeasure::Reported => "reported".to_owned(),
    };
    let sources: Vec<String> = cell
        .value
        .iter()
        .flat_map(|v| v.numerator.sources.iter().chain(v.denominator.iter().flat_map(|d| &d.sources)))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    FeaturedView {
        synthetic: sources.iter().any(|s| datasets.get(s).is_some_and(|d| d.kind == SourceKind::Synthetic)),
        sources,
        code: f.code.to_string(),
        name_zh: f.name_zh.clone(),
        unit_zh: f.unit_zh.clone(),
        formula,
        direction: f.direction.symbol(),
        value: cell.value.as_ref().map(|v| v.value.round_dp(6).normalize().to_string()),
        previous_value: cell.previous.map(|p| p.round_dp(6).normalize().to_string()),
        growth: cell.growth.map(|g| g.round_dp(6).normalize().to_string()),
        target: f.target(year).map(|t| t.to_string()),
    }
}

/// The mean grade of each zone, year and row, to two decimals.
fn mean_grades(
    grades: Vec<ttdz_domain::policy::Grade>,
) -> HashMap<(ttdz_domain::ZoneKey, i32, u8), rust_decimal::Decimal> {
    let mut sums: HashMap<(ttdz_domain::ZoneKey, i32, u8), (rust_decimal::Decimal, u32)> = HashMap::new();
    for g in grades {
        let entry = sums.entry((g.zone, g.year, g.annex_row)).or_default();
        entry.0 += rust_decimal::Decimal::from(g.score);
        entry.1 += 1;
    }
    sums.into_iter()
        .map(|(key, (sum, n))| (key, (sum / rust_decimal::Decimal::from(n)).round_dp(2).normalize()))
        .collect()
}

/// Who recorded a dataset, as `viewer` may see it. The ministry and the batch's own province see the account and
/// the uploaded file names; everyone else the organisation (`ministry`, `province:320000`, `operator` for the
/// command line) and no file names of uploads.
pub fn recorder_for(r: &ttdz_store::DatasetRecord, viewer: &Viewer) -> (Option<String>, Vec<String>) {
    let insider = match r.scope {
        Some(province) => viewer.governs(&province),
        None => viewer.role() == Some(ttdz_domain::account::Role::Ministry),
    };
    if insider {
        return (r.recorded_by.clone(), r.dataset.files.clone());
    }
    let organisation = r.recorded_by.as_deref().map(|by| match r.scope {
        Some(province) => format!("province:{province}"),
        None if by.starts_with("user:") || by.starts_with("api:") => "ministry".to_owned(),
        None => "operator".to_owned(),
    });
    let uploaded = matches!(r.kind, SourceKind::Reported | SourceKind::Registry);
    (organisation, if uploaded { Vec::new() } else { r.dataset.files.clone() })
}

/// The figure a numerator or denominator came to, and how.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigureView {
    #[cfg_attr(feature = "openapi", schema(example = "contract_turnover_yuan"))]
    pub element: String,
    /// Exact decimal, as a string, in the element's unit.
    pub value: String,
    /// `reported` (for this very area) or `sum` (of its parts: children, zone members, provinces).
    #[cfg_attr(feature = "openapi", schema(example = "sum"))]
    pub basis: &'static str,
    pub parts_with_values: Option<usize>,
    pub parts: Option<usize>,
    /// The datasets and import batches the figure's values came from (see `sources`).
    pub sources: Vec<String>,
}

/// One Annex 2 indicator for an area and year.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorValueView {
    pub seq: u8,
    #[cfg_attr(feature = "openapi", schema(example = "contract_turnover"))]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit_zh: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "quantitative"))]
    pub kind: IndicatorKind,
    /// Exact decimal as a string; null where the data are missing or the indicator is not counted.
    pub value: Option<String>,
    pub previous_value: Option<String>,
    /// Year-on-year growth as a fraction (0.25 = +25%).
    pub growth: Option<String>,
    pub numerator: Option<FigureView>,
    pub denominator: Option<FigureView>,
    /// Data-quality findings: a reported total that differs from the sum of its parts, parts without values.
    pub warnings: Vec<String>,
    /// True when any value behind this one is synthetic demo data.
    pub synthetic: bool,
    /// Only for those who oversee the zone (the ministry, its province, its assigned experts), while the year's
    /// report is not accepted: the value with the report's draft values in place of the published ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft_value: Option<Option<String>>,
}

/// A zone's featured indicator (row 16) for a year: its value, computed as the Annex 2 rows are, and its target.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeaturedView {
    pub code: String,
    pub name_zh: String,
    pub unit_zh: String,
    /// `numerator / denominator × factor`, with the data elements' codes; `reported` for a value the annual report
    /// states.
    pub formula: String,
    /// `+` higher is better, `-` lower.
    pub direction: &'static str,
    /// Exact decimal; null where an element has no value or the denominator is zero.
    pub value: Option<String>,
    pub previous_value: Option<String>,
    pub growth: Option<String>,
    /// The plan's target for the year.
    pub target: Option<String>,
    /// The datasets the value comes from (for a reported one, the accepted annual report), as `sources` lists them.
    pub sources: Vec<String>,
    /// True when any value behind this one is synthetic demo data.
    pub synthetic: bool,
}

/// A dataset or import batch that values came from.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceView {
    pub name: String,
    /// `reference`, `reported`, `registry`, `demo` or `synthetic`.
    pub kind: &'static str,
    pub files: Vec<String>,
    pub sha256: String,
    pub recorded_by: Option<String>,
    pub loaded_at: String,
}

/// The indicators of one area (a zone, a division or the nation) for one year.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaIndicatorsView {
    /// Zone key, 6-digit code, or `national`.
    #[cfg_attr(feature = "openapi", schema(example = "jiangsu-sunan"))]
    pub area: String,
    #[cfg_attr(feature = "openapi", schema(example = "zone"))]
    pub area_kind: &'static str,
    pub name: String,
    /// The year shown: the one asked for, or the latest with data.
    pub year: Option<i32>,
    /// Every year that has data.
    pub years: Vec<i32>,
    pub indicators: Vec<IndicatorValueView>,
    pub sources: Vec<SourceView>,
    /// For a zone: the featured indicators (Annex 2 row 16) its plan defines, with their targets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub featured: Vec<FeaturedView>,
    /// The status (`draft`, `submitted`, `returned`) of the year's report whose values `draft_value` shows; only for
    /// those who oversee the zone, and only while the report is not accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft_status: Option<&'static str>,
}

/// One quantitative indicator of an area over the years: the numbers behind a trend chart.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorTrend {
    pub code: String,
    pub name_zh: String,
    pub unit_zh: String,
    /// Every year with data, oldest first.
    pub points: Vec<TrendPoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub year: i32,
    /// Exact decimal; none where the year has no value.
    pub value: Option<String>,
    pub synthetic: bool,
}

/// Every quantitative indicator of `area` in every year with data up to `until` (default: all), as `viewer` may see
/// them: the zone page's trend charts, its CSV, and the annual report's charts all read this.
pub async fn trends(
    ctx: &Context,
    viewer: &Viewer,
    area: Area,
    name: String,
    until: Option<i32>,
) -> Result<Vec<IndicatorTrend>, AppError> {
    let data = IndicatorData::current(ctx).await?;
    let latest = report(ctx, viewer, &data, area.clone(), name.clone(), None).await?;
    let mut by_year = Vec::new();
    for year in latest.years.iter().filter(|y| until.is_none_or(|u| **y <= u)) {
        by_year.push((*year, report(ctx, viewer, &data, area.clone(), name.clone(), Some(*year)).await?));
    }
    Ok(latest
        .indicators
        .iter()
        .filter(|i| i.kind == IndicatorKind::Quantitative)
        .map(|i| IndicatorTrend {
            code: i.code.clone(),
            name_zh: i.name_zh.clone(),
            unit_zh: i.unit_zh.clone(),
            points: by_year
                .iter()
                .map(|(year, view)| {
                    let same = view.indicators.iter().find(|x| x.code == i.code);
                    TrendPoint {
                        year: *year,
                        value: same.and_then(|x| x.value.clone()),
                        synthetic: same.is_some_and(|x| x.synthetic),
                    }
                })
                .collect(),
        })
        .collect())
}
