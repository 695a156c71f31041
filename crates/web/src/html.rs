//! The HTML pages, Chinese first with an English switch.

use std::collections::BTreeSet;

use askama::Template;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use ttdz_domain::{DivisionCode, DivisionTree, IndicatorKind, Level};

use crate::auth::Caller;
use crate::i18n::{LANG_COOKIE, Lang, Texts};
use crate::state::AppState;
use crate::views::{DatasetView, DivisionDetail, DivisionView, IndicatorView, PublishedFigureView, ZoneView};
use ttdz_app::indicators::AreaIndicatorsView;
use ttdz_app::indicators::area_indicators;
use ttdz_domain::measure::Area;

/// Every page's path; the access rules open exactly these (see `auth::rule`).
pub const PAGES: [&str; 37] = [
    "/",
    "/zones/{key}",
    "/indicators",
    "/divisions",
    "/divisions/{code}",
    "/api",
    "/data",
    "/evaluation",
    "/experiences",
    "/lang/{lang}",
    "/login",
    "/workbench",
    "/zones/{key}/reports/{year}/edit",
    "/zones/{key}/procedure",
    "/zones/{key}/plan/edit",
    "/zones/new",
    "/accounts",
    "/account",
    "/zones/{key}/policies",
    "/achievements",
    "/demands",
    "/achievements/new",
    "/demands/new",
    "/achievements/{id}",
    "/demands/{id}",
    "/information/desk",
    "/information/digest",
    "/zones/{key}/trends.csv",
    "/compare",
    "/flows",
    "/flows.csv",
    "/rewards",
    "/contracts",
    "/registers",
    "/listings",
    "/contracts/statistics",
    "/rewards/ledger",
];

pub fn router() -> Router<AppState> {
    let handlers = [
        get(home),
        get(zone),
        get(indicators),
        get(divisions),
        get(division),
        get(api_docs),
        get(data_sources),
        get(evaluation),
        get(experiences),
        get(switch_language),
        get(workbench::login),
        get(workbench::workbench),
        get(report::report_editor),
        get(procedure::procedure),
        get(procedure::plan_editor),
        get(procedure::new_zone),
        get(accounts::administration),
        get(accounts::own_account),
        get(policies::zone_policies),
        get(information::search),
        get(information::search),
        get(information::new_record),
        get(information::new_record),
        get(information::record),
        get(information::record),
        get(information::desk),
        get(information::digest),
        get(zone_trends_csv),
        get(compare),
        get(flows),
        get(flows_csv),
        get(rewards),
        get(contracts::desk),
        get(registers::registers),
        get(listings::listings),
        get(contract_statistics::statistics),
        get(reward_ledger::ledger),
    ];
    PAGES
        .iter()
        .zip(handlers)
        .fold(Router::new(), |router, (path, handler)| router.route(path, handler))
        .fallback(not_found)
}

/// What every page needs: the language, its texts, and its own path for the language switch.
pub struct Page {
    pub lang: Lang,
    pub t: &'static Texts,
    pub path: String,
}

impl Page {
    pub(crate) fn new(lang: Lang, uri: &OriginalUri) -> Page {
        Page { lang, t: lang.texts(), path: uri.0.path().to_owned() }
    }

    fn level_name(&self, level: &Level) -> &'static str {
        match level {
            Level::Province => self.t.level_province,
            Level::Prefecture => self.t.level_prefecture,
            Level::County => self.t.level_county,
        }
    }
}

/// A page that failed: rendered as HTML with the right status, details in the log.
pub enum PageError {
    NotFound(Page),
    /// The viewer may not see or do this: the message says why.
    Forbidden(Page, String),
    Internal(Page, String),
}

impl PageError {
    /// A use case's refusal as the page says it.
    pub(crate) fn from_app(page: Page, e: ttdz_app::AppError) -> PageError {
        match e {
            ttdz_app::AppError::NotFound(_) => PageError::NotFound(page),
            ttdz_app::AppError::Forbidden(m) | ttdz_app::AppError::Unauthorized(m) => PageError::Forbidden(page, m),
            other => PageError::Internal(page, other.to_string()),
        }
    }
}

/// The session's CSRF token, which the page's forms repeat; empty for callers without a session.
pub(crate) async fn csrf_of(state: &AppState, caller: &Caller) -> String {
    match caller {
        Caller::Account { token_digest, .. } => ttdz_app::accounts::session(state.app(), token_digest)
            .await
            .ok()
            .flatten()
            .map(|(_, csrf)| csrf)
            .unwrap_or_default(),
        _ => String::new(),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, text, page) = match self {
            PageError::NotFound(page) => (StatusCode::NOT_FOUND, page.t.not_found_heading, page.t.not_found_text, page),
            PageError::Forbidden(page, why) => {
                let body = render(&MessageTemplate { page: &page, heading: page.t.forbidden_heading, text: &why });
                return (StatusCode::FORBIDDEN, body).into_response();
            }
            PageError::Internal(page, detail) => {
                tracing::error!(%detail, "page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, page.t.error_heading, page.t.error_text, page)
            }
        };
        (status, render(&MessageTemplate { page: &page, heading, text })).into_response()
    }
}

pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Runs a use case a page asks, turning its refusal into the page that says so (not found, not allowed) and any
/// other error into the error page.
macro_rules! allowed {
    ($page:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Err(PageError::from_app($page, e)),
        }
    };
}

/// A page for those signed in: its language and path, and who asks. Anyone else is sent to log in.
pub(crate) struct Desk {
    pub page: Page,
    pub caller: Caller,
    pub role: ttdz_domain::account::Role,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Desk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Response> {
        let caller = parts.extensions.get::<Caller>().and_then(|c| Some((c.clone(), c.role()?)));
        let Some((caller, role)) = caller else { return Err(Redirect::to("/login").into_response()) };
        let Ok(lang) = Lang::from_request_parts(parts, state).await;
        let Ok(uri) = OriginalUri::from_request_parts(parts, state).await;
        Ok(Desk { page: Page::new(lang, &uri), caller, role })
    }
}

/// Runs a fallible step of a page, turning any error into the error page.
macro_rules! attempt {
    ($page:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Err(PageError::Internal($page, e.to_string())),
        }
    };
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessageTemplate<'a> {
    page: &'a Page,
    heading: &'a str,
    text: &'a str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    page: Page,
    zones: Vec<ZoneView>,
    covered_units: usize,
    covered_provinces: usize,
    /// The provinces as tiles, shaded by how many zones each builds.
    map: String,
}

async fn home(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let tree = attempt!(page, state.tree(None).await);
    let zones = attempt!(page, ttdz_app::visibility::zones_for(state.app(), &caller.viewer()).await);
    // The union of all zones' areas: a county inside two zones (宁波 in 浙江) counts once.
    let covered = tree.area_of(zones.iter().flat_map(|z| &z.members));
    let provinces: BTreeSet<DivisionCode> = covered.iter().map(DivisionCode::province).collect();
    let builders: Vec<(String, String, usize)> = tree
        .provinces()
        .map(|p| (p.code.to_string(), p.name_zh.clone(), zones.iter().filter(|z| z.province == p.code).count()))
        .collect();
    let map = ttdz_docs::charts::tile_map(page.t.map_label, &builders, page.t.map_zones);
    let zones = zones.iter().map(|z| ZoneView::new(z, &tree)).collect();
    Ok(render(&HomeTemplate { page, zones, covered_units: covered.len(), covered_provinces: provinces.len(), map }))
}

/// One indicator row as a page shows it.
struct IndicatorLine {
    seq: u8,
    name: String,
    value: String,
    unit: String,
    growth: String,
    basis: String,
    sources: Vec<String>,
    synthetic: bool,
    warnings: String,
    /// With the year's unaccepted report in place of the published figures (for those who oversee the zone).
    draft: String,
}

/// An indicator report as a page shows it: the year links (year, is it the one shown), the rows, whether any rests
/// on synthetic data, and, for those who oversee a zone whose report for the year is not accepted, the heading of the
/// column with its values.
struct IndicatorTable {
    years: Vec<(i32, bool)>,
    lines: Vec<IndicatorLine>,
    has_synthetic: bool,
    draft_heading: Option<&'static str>,
}

fn indicator_table(page: &Page, report: &AreaIndicatorsView, size: ttdz_app::format::AreaSize) -> IndicatorTable {
    let years = report.years.iter().map(|y| (*y, Some(*y) == report.year)).collect();
    let lines: Vec<IndicatorLine> = report
        .indicators
        .iter()
        // Rows 13-15 once experts have graded them (the mean grade on the rubric's scale of 5).
        .filter(|i| {
            i.kind == IndicatorKind::Quantitative || (i.kind == IndicatorKind::Qualitative && i.value.is_some())
        })
        .map(|i| {
            let (value, unit) = match &i.value {
                Some(v) if i.kind == IndicatorKind::Qualitative => (v.clone(), "/ 5".to_owned()),
                Some(v) => ttdz_app::format::indicator_value(v, &i.unit_zh, &i.name_zh, size),
                None => ("—".to_owned(), i.unit_zh.clone()),
            };
            IndicatorLine {
                seq: i.seq,
                name: if page.lang == Lang::En { i.name_en.clone() } else { i.name_zh.clone() },
                value,
                unit,
                growth: i
                    .growth
                    .as_deref()
                    .and_then(|g| g.parse::<rust_decimal::Decimal>().ok())
                    .map(|g| format!("{:+.1}%", g * rust_decimal::Decimal::ONE_HUNDRED))
                    .unwrap_or_default(),
                basis: match &i.numerator {
                    Some(f) if f.basis == "reported" => page.t.basis_reported.to_owned(),
                    Some(f) if f.basis == "register" => page.t.basis_register.to_owned(),
                    Some(f) => {
                        format!("{} {}/{}", page.t.basis_sum, f.parts_with_values.unwrap_or(0), f.parts.unwrap_or(0))
                    }
                    None => String::new(),
                },
                sources: i
                    .numerator
                    .iter()
                    .chain(i.denominator.iter())
                    .flat_map(|f| f.sources.iter().cloned())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                synthetic: i.synthetic,
                warnings: i.warnings.join("\n"),
                draft: match &i.draft_value {
                    Some(Some(v)) => ttdz_app::format::indicator_value(v, &i.unit_zh, &i.name_zh, size).0,
                    _ => "—".to_owned(),
                },
            }
        })
        .collect();
    let has_synthetic = lines.iter().any(|l| l.synthetic);
    let draft_heading = report.draft_status.map(|status| match status {
        "submitted" => page.t.draft_submitted,
        "returned" => page.t.draft_returned,
        _ => page.t.draft_draft,
    });
    IndicatorTable { years, lines, has_synthetic, draft_heading }
}

#[derive(Deserialize)]
struct YearParam {
    year: Option<i64>,
}

impl YearParam {
    /// The year asked for, within `AppState::check_year`'s range; another is an unknown page.
    fn checked(&self, state: &AppState) -> Result<Option<i32>, crate::ApiError> {
        self.year.map(|y| state.check_year(y)).transpose()
    }
}

struct ZoneRef {
    key: String,
    short_name: String,
}

#[derive(Template)]
#[template(path = "zone.html")]
struct ZoneTemplate {
    page: Page,
    zone: ZoneView,
    /// The approval note and its source in the page's language.
    note: String,
    source: String,
    overlapping: Vec<ZoneRef>,
    figures: Vec<PublishedFigureView>,
    report: AreaIndicatorsView,
    table: IndicatorTable,
    policies: Vec<PolicyLine>,
    experiences: Vec<ExperienceLine>,
    /// Links to the procedure, the report and the policies, for those who oversee the zone.
    oversees: bool,
    this_year: i32,
    /// Every quantitative indicator over the years: its chart and, one click away, its numbers.
    trends: Vec<TrendChart>,
    /// The zone's category scores against the all-zone average.
    radar: Option<Radar>,
}

/// A radar chart and its numbers: (category, the zone's score, the average).
type Radar = (String, Vec<(String, String, String)>);

/// One indicator over the years.
struct TrendChart {
    name: String,
    unit: String,
    svg: String,
    /// (year, the value as shown)
    values: Vec<(i32, String)>,
}

/// Every quantitative indicator of a zone in every year with data, as exact decimals, for a spreadsheet: the numbers
/// behind the zone page's charts.
async fn zone_trends_csv(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    Path(key): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let Some(zone) = attempt!(page, ttdz_app::visibility::zone_for(state.app(), &caller.viewer(), &key).await) else {
        return Err(PageError::NotFound(page));
    };
    let area = Area::Zone(zone.key.clone());
    let trends = attempt!(
        page,
        ttdz_app::indicators::trends(state.app(), &caller.viewer(), area, zone.name_zh.clone(), None).await
    );
    let mut csv = String::from("zone,year,indicator,name,unit,value,synthetic\n");
    let mut lines: Vec<(i32, usize, String)> = Vec::new();
    for (n, t) in trends.iter().enumerate() {
        for p in &t.points {
            let Some(value) = &p.value else { continue };
            lines.push((
                p.year,
                n,
                format!(
                    "{},{},{},{},{},{value},{}\n",
                    zone.key,
                    p.year,
                    t.code,
                    csv_cell(&t.name_zh),
                    csv_cell(&t.unit_zh),
                    p.synthetic
                ),
            ));
        }
    }
    // Year by year, the indicators in catalogue order within each.
    lines.sort_by_key(|(year, n, _)| (*year, *n));
    csv.extend(lines.into_iter().map(|(_, _, line)| line));
    Ok(csv_download(&format!("{}-trends.csv", zone.key), csv))
}

/// A text cell of a CSV line, quoted where it must be.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

/// `body` as a CSV file named `name` to download.
fn csv_download(name: &str, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// Each quantitative indicator of `zone` in every year with data, as the viewer may see it: a trend chart and the
/// numbers behind it.
async fn zone_trends(
    state: &AppState,
    caller: &Caller,
    zone: &ttdz_domain::Zone,
) -> Result<Vec<TrendChart>, ttdz_app::AppError> {
    let area = Area::Zone(zone.key.clone());
    let trends = ttdz_app::indicators::trends(state.app(), &caller.viewer(), area, zone.name_zh.clone(), None).await?;
    let size = ttdz_app::format::AreaSize::Large;
    Ok(trends
        .into_iter()
        .map(|t| {
            let shown = |v: &str| ttdz_app::format::indicator_value(v, &t.unit_zh, &t.name_zh, size).0;
            let points: Vec<(i32, Option<f64>)> =
                t.points.iter().map(|p| (p.year, p.value.as_deref().and_then(|v| v.parse::<f64>().ok()))).collect();
            TrendChart {
                svg: ttdz_docs::charts::trend(&format!("{}（{}）", t.name_zh, t.unit_zh), &points, &|v| {
                    shown(&v.to_string())
                }),
                values: t.points.iter().filter_map(|p| Some((p.year, shown(p.value.as_deref()?)))).collect(),
                name: t.name_zh,
                unit: t.unit_zh,
            }
        })
        .collect())
}

/// The zone's category scores in the comparative evaluation of `year`, against the mean of all zones compared: the
/// radar and its numbers.
async fn zone_radar(
    state: &AppState,
    page: &Page,
    zone: &ttdz_domain::Zone,
    year: Option<i32>,
) -> Result<Option<Radar>, ttdz_app::AppError> {
    let all = ttdz_app::evaluation::evaluate_zones(state.app(), year).await?;
    let Some(own) = all.zones.iter().find(|z| z.key == zone.key.as_str()) else { return Ok(None) };
    let axes: Vec<(String, Option<f64>, Option<f64>)> = own
        .categories
        .iter()
        .enumerate()
        .map(|(c, category)| {
            let scores: Vec<f64> = all.zones.iter().filter_map(|z| z.categories.get(c)?.score).collect();
            let mean = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
            let name = if page.lang == Lang::Zh { category.category_zh.clone() } else { category.category_en.clone() };
            (name, category.score, mean)
        })
        .collect();
    if axes.len() < 3 {
        return Ok(None);
    }
    let t = page.t;
    let svg = ttdz_docs::charts::radar(t.chart_radar, &axes, &zone.short_name_zh, t.chart_average);
    let shown = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"));
    Ok(Some((svg, axes.iter().map(|(n, z, a)| (n.clone(), shown(*z), shown(*a))).collect())))
}

/// A policy in force, as the public sees it (its implementation checks are not public).
struct PolicyLine {
    level: &'static str,
    issuer: String,
    number: String,
    issued: String,
    title: String,
    provisions: String,
}

/// A published entry of the experience library.
struct ExperienceLine {
    zone_key: String,
    zone: String,
    title: String,
    summary: String,
    published_on: String,
}

/// The published entries of the library the caller may see (of the `only` zone, when given), newest first.
async fn published_experiences(
    state: &AppState,
    caller: &Caller,
    only: Option<&ttdz_domain::Zone>,
) -> Result<Vec<ExperienceLine>, ttdz_app::AppError> {
    // The use case has kept to the zones the caller may see; the zones are read here for their names only.
    let zones = match only {
        Some(zone) => vec![zone.clone()],
        None => ttdz_app::visibility::zones_for(state.app(), &caller.viewer()).await?,
    };
    let mut lines: Vec<ExperienceLine> = ttdz_app::policies::experiences(state.app(), &caller.viewer())
        .await?
        .into_iter()
        .filter_map(|e| {
            let zone = zones.iter().find(|z| z.key.as_str() == e.zone)?;
            Some(ExperienceLine {
                zone: zone.short_name_zh.clone(),
                zone_key: e.zone,
                title: e.title,
                summary: e.summary,
                published_on: e.published_on?,
            })
        })
        .collect();
    lines.sort_by(|a, b| b.published_on.cmp(&a.published_on));
    Ok(lines)
}

impl ZoneTemplate {
    fn level_name(&self, level: &Level) -> &'static str {
        self.page.level_name(level)
    }
}

/// Published figures about the given areas or anything inside them.
async fn figures_within(
    state: &AppState,
    areas: &[DivisionCode],
) -> Result<Vec<PublishedFigureView>, ttdz_app::AppError> {
    let figures = ttdz_app::catalog::published_figures(state.app(), areas).await?;
    Ok(figures.iter().map(PublishedFigureView::from).collect())
}

async fn zone(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    Path(key): Path<String>,
    Query(year): Query<YearParam>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let Ok(year) = year.checked(&state) else { return Err(PageError::NotFound(page)) };
    let Some(zone) = attempt!(page, ttdz_app::visibility::zone_for(state.app(), &caller.viewer(), &key).await) else {
        return Err(PageError::NotFound(page));
    };
    let tree = attempt!(page, state.tree(None).await);
    let area = tree.area_of(&zone.members);
    let others = attempt!(page, ttdz_app::visibility::zones_for(state.app(), &caller.viewer()).await);
    let overlapping = others
        .iter()
        .filter(|o| o.key != zone.key && !tree.area_of(&o.members).is_disjoint(&area))
        .map(|o| ZoneRef { key: o.key.to_string(), short_name: o.short_name_zh.clone() })
        .collect();
    let figures = attempt!(page, figures_within(&state, &zone.members).await);
    let report = attempt!(
        page,
        area_indicators(state.app(), &caller.viewer(), Area::Zone(zone.key.clone()), zone.name_zh.clone(), year)
            .await
            .map_err(|e| e.to_string())
    );
    let table = indicator_table(&page, &report, ttdz_app::format::AreaSize::Large);
    let policies = attempt!(page, ttdz_app::policies::list(state.app(), &caller.viewer(), zone.key.as_str()).await)
        .into_iter()
        .map(|p| PolicyLine {
            level: if p.level == ttdz_domain::policy::PolicyLevel::National.as_str() {
                page.t.level_national
            } else {
                page.t.level_local
            },
            issuer: p.issuer,
            number: p.number,
            issued: p.issued.to_string(),
            title: p.title,
            provisions: p.provisions,
        })
        .collect();
    let experiences = attempt!(page, published_experiences(&state, &caller, Some(&zone)).await);
    let (note, source) = match page.lang {
        Lang::Zh => (zone.approval_note_zh.clone(), zone.source_zh.clone()),
        Lang::En => (zone.approval_note.clone(), zone.source.clone()),
    };
    let oversees = attempt!(page, ttdz_app::visibility::oversees_zone(state.app(), &caller.viewer(), &zone).await);
    let trends = attempt!(page, zone_trends(&state, &caller, &zone).await);
    let radar = attempt!(page, zone_radar(&state, &page, &zone, report.year).await);
    Ok(render(&ZoneTemplate {
        trends,
        radar,
        oversees,
        this_year: state.clock().year(),
        page,
        zone: ZoneView::new(&zone, &tree),
        note,
        source,
        overlapping,
        figures,
        report,
        table,
        policies,
        experiences,
    }))
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsTemplate {
    page: Page,
    indicators: Vec<IndicatorView>,
}

impl IndicatorsTemplate {
    /// `factor × Σnumerator / Σdenominator`, leaving out a factor of 1.
    fn formula(&self, i: &IndicatorView) -> Option<String> {
        let numerator = i.numerator.as_deref()?;
        let factor = i.factor.as_deref().filter(|f| *f != "1").map(|f| format!("{f} × ")).unwrap_or_default();
        let denominator = i.denominator.as_deref().map(|d| format!(" / Σ{d}")).unwrap_or_default();
        Some(format!("{factor}Σ{numerator}{denominator}"))
    }

    fn kind_name(&self, kind: &IndicatorKind) -> &'static str {
        match kind {
            IndicatorKind::Quantitative => self.page.t.kind_quantitative,
            IndicatorKind::Qualitative => self.page.t.kind_qualitative,
            IndicatorKind::Featured => self.page.t.kind_featured,
        }
    }
}

async fn indicators(State(state): State<AppState>, lang: Lang, uri: OriginalUri) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let indicators = attempt!(page, ttdz_app::catalog::indicators(state.app()).await);
    Ok(render(&IndicatorsTemplate { page, indicators: indicators.iter().map(IndicatorView::from).collect() }))
}

#[derive(Template)]
#[template(path = "division.html")]
struct DivisionTemplate {
    page: Page,
    detail: Option<DivisionDetail>,
    children: Vec<DivisionView>,
    figures: Vec<PublishedFigureView>,
    report: Option<AreaIndicatorsView>,
    table: IndicatorTable,
}

impl DivisionTemplate {
    fn level_name(&self, level: &Level) -> &'static str {
        self.page.level_name(level)
    }
}

async fn divisions(State(state): State<AppState>, lang: Lang, uri: OriginalUri) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let tree = attempt!(page, state.tree(None).await);
    let children = tree.provinces().map(|d| DivisionView::new(d, &tree)).collect();
    Ok(render(&DivisionTemplate {
        page,
        detail: None,
        children,
        figures: Vec::new(),
        report: None,
        table: IndicatorTable { years: Vec::new(), lines: Vec::new(), has_synthetic: false, draft_heading: None },
    }))
}

async fn division(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    Path(code): Path<String>,
    Query(year): Query<YearParam>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let Ok(year) = year.checked(&state) else { return Err(PageError::NotFound(page)) };
    let Ok(code) = DivisionCode::parse(&code) else { return Err(PageError::NotFound(page)) };
    let tree: std::sync::Arc<DivisionTree> = attempt!(page, state.tree(None).await);
    let Some(d) = tree.get(&code) else { return Err(PageError::NotFound(page)) };
    let zones = attempt!(page, ttdz_app::visibility::zones_for(state.app(), &caller.viewer()).await);
    let census = attempt!(page, ttdz_app::catalog::census(state.app(), &code).await);
    let detail = DivisionDetail::new(d, &tree, &zones, census.as_ref().map(|(c, ds)| (c, ds.as_str())));
    let figures = attempt!(page, figures_within(&state, &[code]).await);
    let children = detail.children.clone();
    let report = attempt!(
        page,
        area_indicators(state.app(), &caller.viewer(), Area::Division(code), d.name_zh.clone(), year)
            .await
            .map_err(|e| e.to_string())
    );
    let size = if code.level() == Level::Province {
        ttdz_app::format::AreaSize::Large
    } else {
        ttdz_app::format::AreaSize::Small
    };
    let table = indicator_table(&page, &report, size);
    Ok(render(&DivisionTemplate { page, detail: Some(detail), children, figures, report: Some(report), table }))
}

struct Operation {
    method: String,
    path: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "api.html")]
struct ApiTemplate {
    page: Page,
    operations: Vec<Operation>,
}

async fn api_docs(lang: Lang, uri: OriginalUri) -> Response {
    let page = Page::new(lang, &uri);
    let doc = crate::api::openapi();
    let mut operations = Vec::new();
    for (path, item) in &doc.paths.paths {
        let methods = [("GET", &item.get), ("POST", &item.post), ("PUT", &item.put), ("DELETE", &item.delete)];
        for (method, op) in methods {
            if let Some(op) = op {
                let summary = op.summary.clone().or_else(|| op.description.clone()).unwrap_or_default();
                operations.push(Operation { method: method.to_owned(), path: path.clone(), summary });
            }
        }
    }
    render(&ApiTemplate { page, operations })
}

struct EvaluationRow {
    rank: String,
    key: String,
    name: String,
    score: String,
    relative: String,
    group: &'static str,
    group_key: &'static str,
    attainment: String,
    categories: Vec<String>,
    synthetic: bool,
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationTemplate {
    /// Indicators left out, by name in the page's language, with why.
    excluded: Vec<(String, &'static str)>,
    page: Page,
    view: ttdz_app::evaluation::EvaluationView,
    years: Vec<(i32, bool)>,
    categories: Vec<String>,
    rows: Vec<EvaluationRow>,
}

/// Zones chosen for comparison, and the year.
struct CompareParams {
    zones: Vec<String>,
    year: Option<i64>,
}

/// One indicator across the chosen zones: its bars and its figures.
struct CompareRow {
    name: String,
    unit: String,
    svg: String,
    /// The figure of each chosen zone, in their order.
    values: Vec<String>,
}

#[derive(Template)]
#[template(path = "compare.html")]
struct CompareTemplate {
    page: Page,
    /// Every zone the viewer may see: (key, short name, chosen).
    choices: Vec<(String, String, bool)>,
    chosen: Vec<String>,
    year: Option<i32>,
    rows: Vec<CompareRow>,
}

/// Zones side by side: every indicator of the year for the zones chosen (two to six), as bars and as figures.
async fn compare(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    pairs: Query<Vec<(String, String)>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let Query(pairs) = pairs;
    let params = CompareParams {
        zones: pairs.iter().filter(|(k, _)| k == "zones").map(|(_, v)| v.clone()).collect(),
        year: pairs.iter().find(|(k, _)| k == "year").and_then(|(_, v)| v.parse().ok()),
    };
    let Ok(year) = params.year.map(|y| state.check_year(y)).transpose() else { return Err(PageError::NotFound(page)) };
    let zones = attempt!(page, ttdz_app::visibility::zones_for(state.app(), &caller.viewer()).await);
    let chosen: Vec<&ttdz_domain::Zone> =
        zones.iter().filter(|z| params.zones.iter().any(|k| k == z.key.as_str())).take(6).collect();
    let mut views = Vec::with_capacity(chosen.len());
    for zone in &chosen {
        let area = Area::Zone(zone.key.clone());
        views.push(attempt!(
            page,
            area_indicators(state.app(), &caller.viewer(), area, zone.name_zh.clone(), year).await
        ));
    }
    let year = year.or_else(|| views.first().and_then(|v| v.year));
    let size = ttdz_app::format::AreaSize::Large;
    let rows = match views.first() {
        Some(first) if chosen.len() >= 2 => first
            .indicators
            .iter()
            .filter(|i| i.kind != ttdz_domain::IndicatorKind::Featured)
            .map(|i| {
                let cells: Vec<(String, Option<f64>, String)> = chosen
                    .iter()
                    .zip(&views)
                    .map(|(zone, view)| {
                        let value = view.indicators.iter().find(|x| x.code == i.code).and_then(|x| x.value.clone());
                        let shown = value.as_deref().map_or_else(
                            || "—".to_owned(),
                            |v| ttdz_app::format::indicator_value(v, &i.unit_zh, &i.name_zh, size).0,
                        );
                        (zone.short_name_zh.clone(), value.and_then(|v| v.parse().ok()), shown)
                    })
                    .collect();
                CompareRow {
                    name: i.name_zh.clone(),
                    unit: i.unit_zh.clone(),
                    svg: ttdz_docs::charts::bars(&i.name_zh, &cells),
                    values: cells.into_iter().map(|c| c.2).collect(),
                }
            })
            .collect(),
        _ => Vec::new(),
    };
    let choices = zones
        .iter()
        .map(|z| (z.key.to_string(), z.short_name_zh.clone(), chosen.iter().any(|c| c.key == z.key)))
        .collect();
    let chosen = chosen.iter().map(|z| z.short_name_zh.clone()).collect();
    Ok(render(&CompareTemplate { page, choices, chosen, year, rows }))
}

#[derive(Debug, Deserialize)]
struct FlowParams {
    year: Option<i64>,
    level: Option<String>,
}

impl FlowParams {
    /// The year and level asked for; a year out of range or an unknown level is an unknown page.
    fn checked(&self, state: &AppState) -> Option<(Option<i32>, ttdz_app::flows::FlowLevel)> {
        let year = self.year.map(|y| state.check_year(y)).transpose().ok()?;
        let level = match self.level.as_deref() {
            None => ttdz_app::flows::FlowLevel::Zone,
            Some(l) => ttdz_app::flows::FlowLevel::parse(l)?,
        };
        Some((year, level))
    }
}

/// One place's totals as a page shows them.
struct FlowLine {
    name: String,
    outflow: String,
    inflow: String,
    within: String,
    net: String,
    contracts: String,
}

#[derive(Template)]
#[template(path = "flows.html")]
struct FlowsTemplate {
    page: Page,
    view: ttdz_app::flows::FlowView,
    /// The level's key, for the links between years.
    level: &'static str,
    matrix: String,
    outflow_bars: String,
    inflow_bars: String,
    lines: Vec<FlowLine>,
    /// Column names, then per seller: its name and a cell per buyer (亿元).
    names: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
}

/// The technology flow of a year: a heat map of the flows between the zones (or provinces), each place's outflow and
/// inflow as bars, and the numbers as tables and a CSV.
async fn flows(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    Query(params): Query<FlowParams>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let Some((year, level)) = params.checked(&state) else { return Err(PageError::NotFound(page)) };
    let view = attempt!(page, ttdz_app::flows::flows(state.app(), &caller.viewer(), level, year).await);
    let yi = ttdz_app::format::yuan_in_yi;
    let names: Vec<String> = view.places.iter().map(|p| p.name_zh.clone()).collect();
    let index = |key: &str| view.places.iter().position(|p| p.key == key);
    let mut grid: Vec<Vec<Option<(f64, String)>>> = vec![vec![None; names.len()]; names.len()];
    for c in &view.cells {
        if let (Some(r), Some(k)) = (index(&c.from), index(&c.to)) {
            grid[r][k] = Some((c.turnover_yuan.parse().unwrap_or(0.0), format!("{} 亿元", yi(&c.turnover_yuan))));
        }
    }
    let bars = |amount: fn(&ttdz_app::flows::FlowPlace) -> &str| -> Vec<(String, Option<f64>, String)> {
        view.places.iter().map(|p| (p.name_zh.clone(), amount(p).parse().ok(), yi(amount(p)))).collect()
    };
    let t = page.t;
    let lines = view
        .places
        .iter()
        .map(|p| {
            let net = p.outflow_yuan.parse::<rust_decimal::Decimal>().unwrap_or_default()
                - p.inflow_yuan.parse::<rust_decimal::Decimal>().unwrap_or_default();
            FlowLine {
                name: p.name_zh.clone(),
                outflow: yi(&p.outflow_yuan),
                inflow: yi(&p.inflow_yuan),
                within: yi(&p.within_yuan),
                net: yi(&net.to_string()),
                contracts: format!("{} / {} / {}", p.outflow_contracts, p.inflow_contracts, p.within_contracts),
            }
        })
        .collect();
    let rows = view
        .places
        .iter()
        .zip(&grid)
        .map(|(p, row)| {
            (
                p.name_zh.clone(),
                row.iter()
                    .map(|c| c.as_ref().map_or_else(|| "—".to_owned(), |(_, s)| s.replace(" 亿元", "")))
                    .collect(),
            )
        })
        .collect();
    let template = FlowsTemplate {
        matrix: ttdz_docs::charts::matrix(t.flows_matrix, &names, &grid),
        outflow_bars: ttdz_docs::charts::bars(t.flows_outflow, &bars(|p| &p.outflow_yuan)),
        inflow_bars: ttdz_docs::charts::bars(t.flows_inflow, &bars(|p| &p.inflow_yuan)),
        level: view.level,
        lines,
        names,
        rows,
        view,
        page,
    };
    Ok(render(&template))
}

/// Every pair of places with contracts between them in the year, exact, for a spreadsheet: the numbers behind the
/// flows page.
async fn flows_csv(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    Query(params): Query<FlowParams>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let Some((year, level)) = params.checked(&state) else { return Err(PageError::NotFound(page)) };
    let view = attempt!(page, ttdz_app::flows::flows(state.app(), &caller.viewer(), level, year).await);
    let name = |key: &str| csv_cell(view.places.iter().find(|p| p.key == key).map_or(key, |p| p.name_zh.as_str()));
    let mut csv = String::from("year,seller,seller_name,buyer,buyer_name,contracts,turnover_yuan,synthetic\n");
    for c in &view.cells {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            view.year.map(|y| y.to_string()).unwrap_or_default(),
            c.from,
            name(&c.from),
            c.to,
            name(&c.to),
            c.contracts,
            c.turnover_yuan,
            view.synthetic
        ));
    }
    Ok(csv_download(&format!("flows-{}-{}.csv", view.level, view.year.unwrap_or_default()), csv))
}

#[derive(Debug, Default, Deserialize)]
struct RewardParams {
    mode: Option<String>,
    amount: Option<String>,
    institution_ratio: Option<String>,
    shares: Option<String>,
}

#[derive(Template)]
#[template(path = "rewards.html")]
struct RewardsTemplate {
    page: Page,
    /// (mode, label, what its amount is, chosen)
    modes: Vec<(&'static str, &'static str, &'static str, bool)>,
    asked: RewardParams,
    answer: Option<ttdz_app::rewards::RewardView>,
    /// Why the question could not be answered, naming the field.
    problem: Option<String>,
}

/// The inventors' reward calculator (Article 45): the form, and once asked, the pool, its basis and each person's
/// part; the same use case as /api/v1/rewards/calc.
async fn rewards(lang: Lang, uri: OriginalUri, Query(asked): Query<RewardParams>) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let (answer, problem) = match (&asked.mode, &asked.amount) {
        (Some(mode), Some(amount)) => {
            let shares = crate::api::split_shares(asked.shares.as_deref());
            match ttdz_app::rewards::calculate(mode, amount, asked.institution_ratio.as_deref(), &shares) {
                Ok(answer) => (Some(answer), None),
                Err(e) => (None, Some(e.to_string())),
            }
        }
        _ => (None, None),
    };
    let chosen = asked.mode.as_deref().unwrap_or("transfer");
    let modes = ttdz_domain::reward::RewardMode::ALL
        .iter()
        .map(|m| (m.as_str(), m.label_zh(), m.base_zh(), m.as_str() == chosen))
        .collect();
    Ok(render(&RewardsTemplate { page, modes, asked, answer, problem }))
}

async fn evaluation(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    Query(year): Query<YearParam>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let Ok(year) = year.checked(&state) else { return Err(PageError::NotFound(page)) };
    let view = attempt!(page, ttdz_app::evaluation::evaluate_zones(state.app(), year).await.map_err(|e| e.to_string()));
    let years = view.years.iter().map(|y| (*y, Some(*y) == view.year)).collect();
    let categories = view
        .zones
        .first()
        .map(|z| {
            z.categories
                .iter()
                .map(|c| if lang == Lang::En { c.category_en.clone() } else { c.category_zh.clone() })
                .collect()
        })
        .unwrap_or_default();
    let fmt = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".to_owned());
    let rows = view
        .zones
        .iter()
        .map(|z| {
            let (group, group_key) = match z.group {
                Some("leader") => (page.t.group_leader, "leader"),
                Some("strong") => (page.t.group_strong, "strong"),
                Some("moderate") => (page.t.group_moderate, "moderate"),
                Some(_) => (page.t.group_emerging, "emerging"),
                None => ("—", "none"),
            };
            EvaluationRow {
                rank: z.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".to_owned()),
                key: z.key.clone(),
                name: z.short_name.clone(),
                score: fmt(z.score),
                relative: fmt(z.relative),
                group,
                group_key,
                attainment: z.target_attainment.as_deref().map_or_else(|| "—".to_owned(), ttdz_app::format::percent),
                categories: z.categories.iter().map(|c| fmt(c.score)).collect(),
                synthetic: z.synthetic,
            }
        })
        .collect();
    let indicators = attempt!(page, ttdz_app::catalog::indicators(state.app()).await);
    let excluded = view
        .excluded
        .iter()
        .map(|e| {
            let name = indicators.iter().find(|i| i.code.as_str() == e.code).map_or_else(
                || e.code.clone(),
                |i| if lang == Lang::En { i.name_en.clone() } else { i.name_zh.clone() },
            );
            let reason = match e.reason_code {
                "no_values" => page.t.excluded_no_values,
                "one_value" => page.t.excluded_one_value,
                _ => page.t.excluded_same_value,
            };
            (name, reason)
        })
        .collect();
    Ok(render(&EvaluationTemplate { page, view, years, categories, rows, excluded }))
}

#[derive(Template)]
#[template(path = "data.html")]
struct DataTemplate {
    page: Page,
    datasets: Vec<DatasetView>,
}

async fn data_sources(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let mut datasets: Vec<DatasetView> =
        attempt!(page, ttdz_app::catalog::datasets(state.app(), &caller.viewer()).await)
            .into_iter()
            .map(DatasetView::from)
            .collect();
    datasets.sort_by_key(|d| std::cmp::Reverse(d.revision));
    Ok(render(&DataTemplate { page, datasets }))
}

#[derive(Template)]
#[template(path = "experiences.html")]
struct ExperiencesTemplate {
    page: Page,
    experiences: Vec<ExperienceLine>,
    /// Proposed entries awaiting the ministry's publication, for the ministry.
    proposals: Vec<ttdz_app::policies::ExperienceView>,
    csrf: String,
}

/// The library of replicable policies and experience the ministry has published (示范推广).
async fn experiences(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let experiences = attempt!(page, published_experiences(&state, &caller, None).await);
    let proposals = if caller.role() == Some(ttdz_domain::account::Role::Ministry) {
        attempt!(page, ttdz_app::policies::experiences(state.app(), &caller.viewer()).await)
            .into_iter()
            .filter(|e| e.published_on.is_none())
            .collect()
    } else {
        Vec::new()
    };
    let csrf = csrf_of(&state, &caller).await;
    Ok(render(&ExperiencesTemplate { page, experiences, proposals, csrf }))
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// Sets the language cookie and goes back to the page the switch was clicked on.
async fn switch_language(Path(lang): Path<String>, Query(next): Query<Next>) -> Response {
    let lang = Lang::parse(&lang).unwrap_or(Lang::Zh);
    // Only a local path: never an open redirect to another site.
    // Printable ASCII only: a line break or other control character would split the Location header.
    let target = next.next.filter(|n| {
        n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.chars().all(|c| c.is_ascii_graphic())
    });
    let mut response = Redirect::to(target.as_deref().unwrap_or("/")).into_response();
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.key());
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

async fn not_found(lang: Lang, uri: OriginalUri) -> PageError {
    PageError::NotFound(Page::new(lang, &uri))
}

mod accounts;
mod contract_statistics;
mod contracts;
mod information;
mod listings;
mod policies;
mod procedure;
mod registers;
mod report;
mod reward_ledger;
mod workbench;
